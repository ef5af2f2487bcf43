import { ChangeWindow } from '../../model/change-window';

const QUARTER_HOUR_MS = 900_000;
const MINUTES_PER_WEEK = 7 * 1440;
const OFFSETS_BY_ZONE = new Map<string, Map<number, number>>();

/**
 * Answers `ChangeWindow.isOpen` for many events quickly: a zone's UTC offset only changes on a
 * quarter hour (every DST rule in the tz database does), so the offset is asked of `Intl` once per
 * quarter hour and the local weekday and minute are computed from it. Memory is bounded.
 */
export class WindowClock {
  private readonly offsets: Map<number, number>;

  constructor(private readonly window: ChangeWindow) {
    // Shared by every window of the same zone (an agent's tools usually share one).
    let offsets = OFFSETS_BY_ZONE.get(window.timeZone);
    if (!offsets) {
      if (OFFSETS_BY_ZONE.size >= 64) OFFSETS_BY_ZONE.clear();
      offsets = new Map();
      OFFSETS_BY_ZONE.set(window.timeZone, offsets);
    }
    this.offsets = offsets;
  }

  public get timeZone(): string {
    return this.window.timeZone;
  }

  public isOpen(ms: number): boolean {
    if (!Number.isFinite(ms)) return false;
    if (this.window.expiresAtMs !== undefined && ms >= this.window.expiresAtMs) return false;
    const localMinutes = Math.floor(ms / 60_000) + this.offsetMinutes(Math.floor(ms / QUARTER_HOUR_MS));
    const minute = ((localMinutes % 1440) + 1440) % 1440;
    const weekday = (((Math.floor(localMinutes / 1440) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    return this.window.slots.some((s) => s.days.includes(weekday) && minute >= s.startMinute && minute < s.endMinute);
  }

  private offsetMinutes(quarter: number): number {
    let offset = this.offsets.get(quarter);
    if (offset === undefined) {
      const at = quarter * QUARTER_HOUR_MS;
      const local = this.window.localTime(new Date(at));
      const utcMinutes = Math.floor(at / 60_000);
      const utcOfWeek = ((((Math.floor(utcMinutes / 1440) + 4) % 7) + 7) % 7) * 1440 + (((utcMinutes % 1440) + 1440) % 1440);
      let diff = (local.weekday * 1440 + local.minute - utcOfWeek) % MINUTES_PER_WEEK;
      if (diff > MINUTES_PER_WEEK / 2) diff -= MINUTES_PER_WEEK;
      if (diff < -MINUTES_PER_WEEK / 2) diff += MINUTES_PER_WEEK;
      offset = diff;
      if (this.offsets.size >= 4096) this.offsets.clear();
      this.offsets.set(quarter, offset);
    }
    return offset;
  }
}
