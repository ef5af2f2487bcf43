/**
 * Textual analysis of GCP IAM condition expressions (CEL), for what the rules need to know
 * offline: does a condition narrow the resource, does it bound the time. The analysis errs on
 * the side of "does not narrow" (fail closed): a term it does not understand narrows nothing.
 */

import { splitTopLevel, stripParens } from '../../private/cel-text';

/** A `resource.name` prefix that names no single resource: empty, a project, or a collection. */
export function isVacuousPrefix(prefix: string): boolean {
  const segments = prefix.split('/');
  // Pairs of collection/id; the prefix narrows when it names an id (not `_`, not empty) of a collection below the project.
  for (let i = 0; i + 1 < segments.length; i += 2) {
    const collection = segments[i];
    const id = segments[i + 1];
    if (collection === 'projects' || collection === 'organizations' || collection === 'folders' || collection === 'locations') continue;
    if (id !== '' && id !== '_' && id !== '*' && id !== '-') return false;
  }
  return true;
}

const STARTS_WITH = /^resource\.name\.startsWith\(\s*(["'])(.*)\1\s*\)$/s;
const NAME_EQUALS = /^resource\.name\s*==\s*(["'])(.+)\1$/s;

interface Analysis {
  /** Names specific resources (in every alternative). */
  readonly narrows: boolean;
  /** Bounds time with `request.time` (in every alternative). */
  readonly time: boolean;
  /** `true`: always true; `resource`: matches every resource of a kind; with the offending text. */
  readonly vacuous?: { readonly kind: 'true' | 'resource'; readonly text: string };
  /** A prefix without a `/` boundary (`startsWith("projects/_/buckets/logs")` also matches `logs-archive`). */
  readonly lookalike?: string;
  /** Whether any term is about `resource.name` (so the author meant to narrow the resource). */
  readonly mentionsResource?: boolean;
}

function analyzeAtom(term: string): Analysis {
  const t = term.trim();
  if (t === 'true' || t === '') return { narrows: false, time: false, vacuous: { kind: 'true', text: t || '(empty)' } };
  const sw = STARTS_WITH.exec(t);
  if (sw) {
    if (isVacuousPrefix(sw[2])) return { narrows: false, time: false, vacuous: { kind: 'resource', text: t }, mentionsResource: true };
    return { narrows: true, time: false, mentionsResource: true, ...(sw[2].endsWith('/') ? {} : { lookalike: t }) };
  }
  const eq = NAME_EQUALS.exec(t);
  if (eq) return isVacuousPrefix(eq[2]) ? { narrows: false, time: false, vacuous: { kind: 'resource', text: t }, mentionsResource: true } : { narrows: true, time: false, mentionsResource: true };
  if (/^resource\.name\.(endsWith|matches)\(/.test(t)) return { narrows: true, time: false, mentionsResource: true };
  // Anything else about resource.name (negations, other functions) is not understood: it narrows nothing (fail closed).
  if (/resource\.name/.test(t)) return { narrows: false, time: /request\.time/.test(t), vacuous: { kind: 'resource', text: t }, mentionsResource: true };
  return { narrows: false, time: boundsTimeTerm(t) };
}

const RANGES: Record<string, [number, number]> = { getHours: [0, 23], getMinutes: [0, 59], getDayOfWeek: [0, 6], getDayOfMonth: [0, 30], getMonth: [0, 11] };

/**
 * Whether one term bounds time: an expiry (`request.time < timestamp(…)`), or a clock comparison
 * (`request.time.getHours("tz") >= 9`) that some instant fails. A start time alone, or a comparison
 * every instant passes (`getHours(tz) >= 0`), bounds nothing.
 */
function boundsTimeTerm(t: string): boolean {
  if (/^request\.time\s*<=?\s*timestamp\(/.test(t)) return true;
  if (/^request\.time\s*>=?\s*timestamp\(/.test(t)) return false;
  const clock = /^request\.time\.(get[A-Za-z]+)\([^)]*\)\s*(<=|>=|<|>|==|!=)\s*(\d+)$/.exec(t);
  if (clock) {
    const range = RANGES[clock[1]];
    if (!range) return true;
    const [lo, hi] = range;
    const n = Number(clock[3]);
    const always: Record<string, boolean> = { '>=': n <= lo, '>': n < lo, '<=': n >= hi, '<': n > hi, '==': false, '!=': n < lo || n > hi };
    return !always[clock[2]];
  }
  return /request\.time/.test(t);
}

function analyze(expression: string): Analysis {
  const expr = stripParens(expression.trim());
  const alternatives = splitTopLevel(expr, '||');
  if (alternatives.length > 1) {
    const rs = alternatives.map(analyze);
    // When some alternative names a resource, one that does not (e.g. a time bound alone) opens every resource.
    const open = rs.some((r) => r.narrows) ? alternatives.find((_, i) => !rs[i].narrows) : undefined;
    const vacuous = rs.find((r) => r.vacuous)?.vacuous ?? (open !== undefined ? { kind: 'resource' as const, text: open } : undefined);
    return { narrows: rs.every((r) => r.narrows), time: rs.every((r) => r.time), vacuous, lookalike: rs.find((r) => r.lookalike)?.lookalike, mentionsResource: rs.some((r) => r.mentionsResource) };
  }
  const terms = splitTopLevel(expr, '&&');
  if (terms.length > 1) {
    const rs = terms.map(analyze);
    const narrows = rs.some((r) => r.narrows);
    const mentionsResource = rs.some((r) => r.mentionsResource);
    let vacuous: Analysis['vacuous'];
    if (rs.every((r) => r.vacuous?.kind === 'true')) vacuous = { kind: 'true', text: expr };
    // A conjunction narrows the resource only through a term that does; resource terms that do not are window dressing.
    else if (!narrows && mentionsResource) vacuous = rs.find((r) => r.vacuous?.kind === 'resource')?.vacuous ?? { kind: 'resource', text: expr };
    return { narrows, time: rs.some((r) => r.time), vacuous, lookalike: rs.find((r) => r.lookalike)?.lookalike, mentionsResource };
  }
  return analyzeAtom(expr);
}

/**
 * Why a condition narrows nothing, or undefined when it does narrow. A condition narrows nothing
 * when an alternative (`||`) is always true, names resources only by prefixes that match every
 * resource of a kind (`resource.name.startsWith("projects/_/buckets/")`), or names no resource
 * while another alternative does (`resource.name == "…/b" || request.time < …`).
 */
export function vacuousConditionReason(expression: string): string | undefined {
  const v = analyze(expression).vacuous;
  if (!v) return undefined;
  return v.kind === 'true' ? `"${v.text}" is always true` : `"${v.text}" names no single resource, so it matches every resource of its kind`;
}

/** Whether the condition bounds time (`request.time`) in every alternative, and is not vacuous. */
export function boundsTime(expression: string | undefined): boolean {
  if (!expression) return false;
  const a = analyze(expression);
  return a.time && a.vacuous?.kind !== 'true';
}

/** Whether the condition names specific resources in every alternative. */
export function narrowsResource(expression: string | undefined): boolean {
  if (!expression) return false;
  const a = analyze(expression);
  return a.narrows && a.vacuous === undefined;
}

/** A `resource.name.startsWith(...)` term without a `/` boundary, which also matches look-alike names; undefined when none. */
export function lookalikePrefix(expression: string): string | undefined {
  return analyze(expression).lookalike;
}
