import { deniedBurstBucket } from '../../../../lib/activity/denied-burst';
import { FirestoreDeniedBurstCounter } from '../../../../constructs/gcp/monitor-runtime/firestore-denied-burst-counter';
import { MONITOR_BURSTS_COLLECTION } from '../../../../constructs/gcp/monitor-runtime/monitor-config';
import type { MonitorFirestore } from '../../../../constructs/gcp/monitor-runtime/firestore-monitor-memory';
import { FirestoreEmulator } from '../../../conformance/emulators';

/**
 * The GCP monitor's shared denied-burst counter on the Node Firestore emulator (the one the broker
 * conformance suite uses): the same semantics as the in-memory twin, counted once per event id,
 * capped at the threshold, the bucket before added, and instances with their own clients counting
 * into one total. That emulator's transactions do not isolate, so counting at the same time is
 * shown on an in-process store with Firestore's transaction semantics (serializable: a transaction
 * whose reads changed before it commits runs again).
 */
const POLICY = { threshold: 5, windowSeconds: 300 };
const WINDOW_MS = POLICY.windowSeconds * 1000;
const T = Date.parse('2026-03-25T11:00:05Z');
let emulator: FirestoreEmulator;
let round = 0;

beforeAll(async () => { emulator = await FirestoreEmulator.start(); });
afterAll(async () => { await emulator.stop(); });

/** `n` monitor instances, each with its own Firestore client, on one fresh database. */
function instances(n: number): FirestoreDeniedBurstCounter[] {
  const database = `monitor-${++round}`;
  return Array.from({ length: n }, () => new FirestoreDeniedBurstCounter(emulator.client(database), POLICY));
}

describe('FirestoreDeniedBurstCounter', () => {
  test('counts each denial once, up to the threshold', async () => {
    const [counter] = instances(1);
    const counts: number[] = [];
    for (let i = 0; i < 7; i++) counts.push(await counter.deny('s1', i === 5 ? 'd-0' : `d-${i}`, T + i));
    expect(counts).toEqual([1, 2, 3, 4, 5, 5, 5]); // d-0 redelivered: counted once; the seventh stops at the cap
  });

  test('five instances, one denial each: the fifth sees the burst', async () => {
    const counters = instances(5);
    const counts: number[] = [];
    for (const [i, c] of counters.entries()) counts.push(await c.deny('s1', `d-${i}`, T + i * 10_000));
    expect(counts).toEqual([1, 2, 3, 4, 5]);
  });

  test('the bucket before counts; two buckets before does not; sessions are apart', async () => {
    const [counter] = instances(1);
    const bucketStart = (deniedBurstBucket(T, WINDOW_MS) + 1) * WINDOW_MS;
    for (let i = 0; i < 3; i++) await counter.deny('s1', `early-${i}`, bucketStart - 1000);
    expect(await counter.deny('s1', 'late-0', bucketStart + 1000)).toBe(4);
    expect(await counter.deny('s2', 'other-0', bucketStart + 1000)).toBe(1);
    expect(await counter.deny('s1', 'much-later', bucketStart + WINDOW_MS + 1000)).toBe(2); // its bucket (1) + the one before (late-0)
  });

  test('a bucket document expires two windows after its bucket (the TTL policy deletes by expiresAt)', async () => {
    const [counter] = instances(1);
    await counter.deny('s1', 'd-0', T);
    const [doc] = (await emulator.client(`monitor-${round}`).collection(MONITOR_BURSTS_COLLECTION).get()).docs;
    expect((doc.get('expiresAt') as { toMillis(): number }).toMillis()).toBe((deniedBurstBucket(T, WINDOW_MS) + 3) * WINDOW_MS);
    expect(doc.id).toMatch(/^[0-9a-f]{32}-\d+$/);
  });
});

/** Documents with versions; a transaction commits only when nothing it read has changed since, else it runs again. */
class SerializableFirestore {
  private readonly docs = new Map<string, { version: number; data: Record<string, unknown> }>();
  public retries = 0;
  public doc(path: string) {
    return { path };
  }
  public ids(prefix: string): string[][] {
    return [...this.docs].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v.data.ids as string[]);
  }
  public async runTransaction<T>(f: (tx: unknown) => Promise<T>): Promise<T> {
    for (;;) {
      const read = new Map<string, number>();
      const writes: Array<[string, Record<string, unknown>]> = [];
      const tx = {
        get: async (ref: { path: string }) => {
          await new Promise((r) => setImmediate(r)); // other transactions run in between
          const d = this.docs.get(ref.path);
          read.set(ref.path, d?.version ?? 0);
          return { exists: d !== undefined, get: (field: string) => d?.data[field] };
        },
        set: (ref: { path: string }, data: Record<string, unknown>) => { writes.push([ref.path, data]); return tx; },
      };
      const out = await f(tx);
      if ([...read].some(([p, v]) => (this.docs.get(p)?.version ?? 0) !== v)) {
        this.retries++;
        continue;
      }
      for (const [p, data] of writes) this.docs.set(p, { version: (this.docs.get(p)?.version ?? 0) + 1, data });
      return out;
    }
  }
}

test('instances counting at the same time (serializable transactions): no count lost or doubled, never past the cap', async () => {
  const store = new SerializableFirestore();
  const counters = Array.from({ length: 4 }, () => new FirestoreDeniedBurstCounter(store as unknown as MonitorFirestore, POLICY));
  const counts = await Promise.all(Array.from({ length: 8 }, (_, i) => counters[i % 4].deny('s1', `c-${i}`, T)));
  expect(store.retries).toBeGreaterThan(0); // they did contend
  expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 5, 5, 5]);
  expect(store.ids(`${MONITOR_BURSTS_COLLECTION}/`).map((ids) => ids.length)).toEqual([5]);
});
