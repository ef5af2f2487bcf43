import { ChangeWindow, ResolvedSlot } from '../../../lib/model/change-window';

/** A GCP IAM condition (CEL expression with a title), as `*_iam_member` resources take it. */
export interface IamCondition {
  readonly title: string;
  readonly description: string;
  readonly expression: string;
}

/**
 * The CEL expression that is true exactly while `window` is open:
 * `(slot || slot ...) && request.time < timestamp(expiry)`.
 *
 * Uses only what GCP IAM conditions accept: `request.time.getDayOfWeek/getHours/getMinutes(tz)`
 * (local time in the window's IANA zone, so DST is Google's to apply), comparisons, `&&`, `||` and
 * `timestamp()`; no arithmetic and no `in`, which IAM conditions do not all support.
 *
 * @returns undefined when there is no window
 */
export function windowExpression(window: ChangeWindow | undefined): string | undefined {
  if (!window) return undefined;
  const tz = JSON.stringify(window.timeZone);
  const slots = window.slots.map((s) => slotExpression(s, tz));
  const parts = [slots.length === 1 ? slots[0] : `(${slots.join(' || ')})`];
  if (window.expiresAt !== undefined) parts.push(expiryExpression(window.expiresAt));
  return parts.join(' && ');
}

/** `request.time < timestamp("…")` for an ISO time (RFC 3339, UTC). */
export function expiryExpression(expiresAt: string): string {
  return `request.time < timestamp(${JSON.stringify(new Date(expiresAt).toISOString().replace('.000Z', 'Z'))})`;
}

/**
 * `resource.name` is the resource or lies under it. The `/` boundary matters: a bare
 * `startsWith("projects/_/buckets/logs")` also matches bucket `logs-archive` (GCP-010).
 */
export function resourceExpression(resourceName: string): string {
  const quoted = JSON.stringify(resourceName);
  const under = JSON.stringify(`${resourceName}/`);
  return `(resource.name == ${quoted} || resource.name.startsWith(${under}))`;
}

/** Join conditions with `&&` into one titled IAM condition; undefined when there are none. */
export function combineConditions(title: string, description: string, expressions: Array<string | undefined>): IamCondition | undefined {
  const present = expressions.filter((e): e is string => e !== undefined);
  if (present.length === 0) return undefined;
  return { title, description, expression: present.join(' && ') };
}

function slotExpression(slot: ResolvedSlot, tz: string): string {
  const day = `request.time.getDayOfWeek(${tz})`;
  const hour = `request.time.getHours(${tz})`;
  const minute = `request.time.getMinutes(${tz})`;
  const terms = [daysExpression(slot.days, day)];
  if (slot.startMinute > 0) terms.push(atOrAfter(slot.startMinute, hour, minute));
  if (slot.endMinute < 24 * 60) terms.push(before(slot.endMinute, hour, minute));
  return `(${terms.join(' && ')})`;
}

/** Consecutive weekdays become ranges: [1..5] → `(d >= 1 && d <= 5)`. */
function daysExpression(days: readonly number[], day: string): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const d of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else ranges.push([d, d]);
  }
  const terms = ranges.map(([a, b]) => (a === b ? `${day} == ${a}` : `(${day} >= ${a} && ${day} <= ${b})`));
  return terms.length === 1 ? terms[0] : `(${terms.join(' || ')})`;
}

function atOrAfter(minuteOfDay: number, hour: string, minute: string): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return m === 0 ? `${hour} >= ${h}` : `(${hour} > ${h} || (${hour} == ${h} && ${minute} >= ${m}))`;
}

function before(minuteOfDay: number, hour: string, minute: string): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return m === 0 ? `${hour} < ${h}` : `(${hour} < ${h} || (${hour} == ${h} && ${minute} < ${m}))`;
}
