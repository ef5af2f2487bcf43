import type { ActivityEvent } from './activity-event';

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

/** The session denials are counted under: the cloud, agent, tool and lineage (or, without one, the identity). */
export function deniedBurstSession(event: ActivityEvent): string {
  return `${event.cloud}\u0000${event.agent ?? ''}\u0000${event.tool ?? ''}\u0000${event.lineage ?? event.identity ?? ''}`;
}

/**
 * A denied-burst counter that every instance of a monitor shares (AWS: the monitor's DynamoDB
 * table; Azure: its Table Storage; GCP: its Firestore database), so a probe spread over many function instances is still one
 * burst. It counts in fixed time buckets `windowSeconds` long (bucket = floor(time / window)) and
 * answers with the denials of the event's bucket plus the bucket before: every `threshold`
 * denials that fall within any `windowSeconds` are caught (they span at most two buckets), and
 * denials up to twice the window apart may add up (an early alert rather than a missed probe).
 * A redelivered event is counted once (by its id); a bucket stops counting at the threshold, so
 * a flood costs bounded storage.
 */
export interface IDeniedBurstCounter {
  /** Count denial `eventId` of `session` at `atMs`; the denials of its bucket and the one before (at least `threshold` when bursting). */
  deny(session: string, eventId: string, atMs: number): Promise<number>;
}

/** The bucket a denial at `atMs` is counted in (`windowMs` long, fixed from the epoch). */
export function deniedBurstBucket(atMs: number, windowMs: number): number {
  return Math.floor(atMs / windowMs);
}

/**
 * The shared counter's semantics in memory (tests, and a single-instance monitor): per session and
 * bucket, the set of counted event ids, capped at the threshold.
 */
export class InMemoryDeniedBurstCounter implements IDeniedBurstCounter {
  private readonly buckets = new Map<string, Set<string>>();

  constructor(private readonly policy: { readonly threshold: number; readonly windowSeconds: number }) {}

  public async deny(session: string, eventId: string, atMs: number): Promise<number> {
    const bucket = deniedBurstBucket(atMs, this.policy.windowSeconds * 1000);
    const ids = this.buckets.get(`${session}#${bucket}`) ?? new Set<string>();
    if (ids.size < this.policy.threshold) ids.add(eventId);
    this.buckets.set(`${session}#${bucket}`, ids);
    return ids.size + (this.buckets.get(`${session}#${bucket - 1}`)?.size ?? 0);
  }
}
