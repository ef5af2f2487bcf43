/**
 * Counts access-denied answers per session in a sliding window: `threshold` denials within
 * `windowMs` is a burst. Memory is bounded: each session keeps at most `threshold` times, and at
 * most `maxSessions` sessions are tracked (the least recently denied are forgotten first).
 */
export class DeniedBurstTracker {
  private readonly sessions = new Map<string, number[]>();

  constructor(private readonly threshold: number, private readonly windowMs: number, private readonly maxSessions = 10_000) {}

  /** Count one denial of `session` at `atMs`; true when it completes (or continues) a burst. */
  public deny(session: string, atMs: number): boolean {
    let times = this.sessions.get(session);
    if (times) {
      this.sessions.delete(session); // re-inserted below: Map order is the eviction order
    } else {
      if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
      times = [];
    }
    times.push(atMs);
    const from = atMs - this.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop] <= from) drop++;
    if (times.length - drop > this.threshold) drop = times.length - this.threshold;
    if (drop > 0) times.splice(0, drop);
    this.sessions.set(session, times);
    return times.length >= this.threshold;
  }

  /** Sessions tracked now (for tests of the bound). */
  public get size(): number {
    return this.sessions.size;
  }
}
