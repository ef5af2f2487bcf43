import { fail } from '../errors';

/** Days of the week, numbered as GCP's CEL `getDayOfWeek()` does (0 = Sunday). */
export enum Weekday {
  SUNDAY = 0,
  MONDAY = 1,
  TUESDAY = 2,
  WEDNESDAY = 3,
  THURSDAY = 4,
  FRIDAY = 5,
  SATURDAY = 6,
}

export const WORKDAYS: readonly Weekday[] = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY];

/** One recurring slot: on these weekdays, from `start` to `end` local time. */
export interface WindowSlot {
  /** The weekdays on which the slot opens. */
  readonly days: Weekday[];
  /** Local opening time, `HH:MM` (24 h). */
  readonly start: string;
  /** Local closing time, `HH:MM`, later than `start` on the same day (`24:00` allowed). Split a slot that crosses midnight in two. */
  readonly end: string;
}

export interface ChangeWindowProps {
  /** IANA time zone the slots are written in (e.g. `Europe/Berlin`); DST is applied by that zone's rules. */
  readonly timeZone: string;
  /** The recurring slots; access is open while any slot is open. */
  readonly slots: WindowSlot[];
  /**
   * Absolute expiry (ISO 8601 with offset, e.g. `2027-03-31T00:00:00Z`); closed from then on.
   * @default - no expiry
   */
  readonly expiresAt?: string;
}

/** A slot with its times as minutes since local midnight. */
export interface ResolvedSlot {
  readonly days: Weekday[];
  readonly startMinute: number;
  readonly endMinute: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const WEEKDAY_NAMES: Record<string, Weekday> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * When a tool may be used: recurring weekly slots in an IANA time zone plus an optional
 * absolute expiry. Evaluated by the broker (all clouds) and written into GCP IAM conditions.
 */
export class ChangeWindow {
  /** Open on the given weekdays between `start` and `end` local time. */
  public static weekly(timeZone: string, days: Weekday[], start: string, end: string, expiresAt?: string): ChangeWindow {
    return new ChangeWindow({ timeZone, slots: [{ days, start, end }], expiresAt });
  }

  /** Open Monday to Friday between `start` and `end` local time. */
  public static workdays(timeZone: string, start: string, end: string, expiresAt?: string): ChangeWindow {
    return ChangeWindow.weekly(timeZone, [...WORKDAYS], start, end, expiresAt);
  }

  /** Several slots in one zone. */
  public static of(props: ChangeWindowProps): ChangeWindow {
    return new ChangeWindow(props);
  }

  public readonly timeZone: string;
  public readonly slots: ResolvedSlot[];
  /** Expiry as epoch milliseconds, when set. */
  public readonly expiresAtMs?: number;
  /** Expiry as written (normalised to ISO UTC), when set. */
  public readonly expiresAt?: string;
  private readonly formatter: Intl.DateTimeFormat;

  private constructor(props: ChangeWindowProps) {
    try {
      this.formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: props.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      });
    } catch {
      fail('AG_WINDOW_TIME_ZONE', 'ChangeWindow.timeZone', 'must be an IANA time zone', props.timeZone, 'Use a zone name such as "Europe/Berlin" or "UTC".');
    }
    if (props.slots.length === 0) {
      fail('AG_WINDOW_SLOTS', 'ChangeWindow.slots', 'must hold at least one slot', props.slots, 'Add a slot such as { days: WORKDAYS, start: "09:00", end: "17:00" }.');
    }
    this.timeZone = props.timeZone;
    this.slots = props.slots.map((s, i) => resolveSlot(s, i));
    if (props.expiresAt !== undefined) {
      const ms = Date.parse(props.expiresAt);
      if (!ISO_WITH_OFFSET.test(props.expiresAt) || Number.isNaN(ms)) {
        fail('AG_WINDOW_EXPIRY', 'ChangeWindow.expiresAt', 'must be an ISO 8601 time with an offset', props.expiresAt, 'Write it like "2027-03-31T00:00:00Z".');
      }
      this.expiresAtMs = ms;
      this.expiresAt = new Date(ms).toISOString();
    }
  }

  /** Whether the window is open at `at` (DST-correct: local time is computed in the window's zone). */
  public isOpen(at: Date): boolean {
    if (this.expiresAtMs !== undefined && at.getTime() >= this.expiresAtMs) return false;
    const { weekday, minute } = this.localTime(at);
    return this.slots.some((s) => s.days.includes(weekday) && minute >= s.startMinute && minute < s.endMinute);
  }

  /** Whether the absolute expiry has passed at `at`. */
  public isExpired(at: Date): boolean {
    return this.expiresAtMs !== undefined && at.getTime() >= this.expiresAtMs;
  }

  /** Local weekday and minute-of-day at `at` in the window's zone. */
  public localTime(at: Date): { weekday: Weekday; minute: number } {
    const parts = this.formatter.formatToParts(at);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return { weekday: WEEKDAY_NAMES[get('weekday')], minute: Number(get('hour')) * 60 + Number(get('minute')) };
  }
}

function resolveSlot(slot: WindowSlot, index: number): ResolvedSlot {
  const field = `ChangeWindow.slots[${index}]`;
  if (slot.days.length === 0 || slot.days.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
    fail('AG_WINDOW_DAYS', `${field}.days`, 'must list weekdays 0–6 (0 = Sunday)', slot.days, 'Use the Weekday enum, e.g. WORKDAYS.');
  }
  for (const key of ['start', 'end'] as const) {
    if (!HHMM.test(slot[key])) {
      fail('AG_WINDOW_TIME', `${field}.${key}`, 'must be HH:MM (24 h)', slot[key], 'Write times like "09:00" or "17:30".');
    }
  }
  const startMinute = toMinutes(slot.start);
  const endMinute = toMinutes(slot.end);
  if (endMinute <= startMinute) {
    fail('AG_WINDOW_ORDER', `${field}.end`, 'must be later than start on the same day', `${slot.start}-${slot.end}`, 'Split a slot that crosses midnight into two slots.');
  }
  return { days: [...new Set(slot.days)].sort(), startMinute, endMinute };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
