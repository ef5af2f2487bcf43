import { createHash } from 'crypto';
import { deniedBurstBucket, IDeniedBurstCounter } from '../../../lib/activity/denied-burst';
import type { MonitorFirestore } from './firestore-monitor-memory';
import { MONITOR_BURSTS_COLLECTION } from './monitor-config';

/**
 * The denied-burst counter every instance of the GCP monitor shares, in the monitor's own Firestore
 * database: one document `monitorBursts/<session hash>-<bucket>` per session and time bucket holding
 * the (hashed) ids of the denials it counted. One transaction reads the event's bucket and the one
 * before and adds the id only when it is new and the bucket is under the threshold, so concurrent
 * instances cannot both count past it (Firestore retries a conflicting transaction), a redelivered
 * event is counted once, and a flood costs `threshold` ids per bucket. The answer adds the bucket
 * before (see `IDeniedBurstCounter` for the window). `expiresAt` (two windows after the bucket)
 * is what the database's TTL policy on this collection deletes by. Reads and writes only this
 * database, which is all the monitor's service account may use (`roles/datastore.user` with a
 * condition on the database's name).
 */
export class FirestoreDeniedBurstCounter implements IDeniedBurstCounter {
  private readonly windowMs: number;

  constructor(private readonly db: MonitorFirestore, private readonly policy: { readonly threshold: number; readonly windowSeconds: number }) {
    this.windowMs = policy.windowSeconds * 1000;
  }

  public async deny(session: string, eventId: string, atMs: number): Promise<number> {
    const bucket = deniedBurstBucket(atMs, this.windowMs);
    const ref = this.bucketDoc(session, bucket);
    const before = this.bucketDoc(session, bucket - 1);
    const id = sha256(eventId).slice(0, 32);
    return this.db.runTransaction(async (tx) => {
      // Every read before any write, as Firestore transactions require.
      const snap = await tx.get(ref);
      const previous = await tx.get(before);
      const ids = readIds(snap.exists ? snap.get('ids') : undefined);
      if (!ids.includes(id) && ids.length < this.policy.threshold) {
        ids.push(id);
        tx.set(ref, { ids, n: ids.length, expiresAt: new Date((bucket + 3) * this.windowMs) });
      }
      return ids.length + readIds(previous.exists ? previous.get('ids') : undefined).length;
    });
  }

  private bucketDoc(session: string, bucket: number) {
    return this.db.doc(`${MONITOR_BURSTS_COLLECTION}/${sha256(session).slice(0, 32)}-${bucket}`);
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The counted ids of a bucket document; anything else in the field counts as nothing. */
function readIds(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
