import { createHash } from 'crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { IMonitorMemory } from '../../../lib/activity/activity-monitor';
import type { DecisionRecord } from '../../../lib/broker/ports';
import { MONITOR_APPROVALS_COLLECTION, MONITOR_EVENTS_COLLECTION } from './monitor-config';

/** A Firestore database, as far as the monitor's adapters use it. */
export type MonitorFirestore = Pick<Firestore, 'doc' | 'runTransaction'>;

/** Approved decisions kept per agent and tool (the newest); older ones have long expired. */
const APPROVALS_KEPT = 50;

/**
 * The monitor's memory in its own Firestore database: `monitorEvents/<sha256 of the event id>` holds
 * a claim (`claimed`, `released`, `finished` and when), changed only in transactions, so that a
 * Pub/Sub redelivery of a finished event is a replay and two concurrent deliveries cannot both
 * claim it; `monitorApprovals/<agent>.<tool>` holds that tool's latest approved (and verified)
 * broker decisions (GCP audit logs carry no lineage: any approval whose credential was valid at
 * the event's time counts).
 */
export class FirestoreMonitorMemory implements IMonitorMemory {
  constructor(private readonly db: MonitorFirestore) {}

  public async claim(eventId: string, nowMs: number, staleAfterMs: number): Promise<'claimed' | 'finished' | 'busy'> {
    const ref = this.eventDoc(eventId);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const state: unknown = snap.exists ? snap.get('state') : undefined;
      const at: unknown = snap.exists ? snap.get('at') : undefined;
      if (state === 'finished') return 'finished';
      if (state === 'claimed' && typeof at === 'number' && at >= nowMs - staleAfterMs) return 'busy';
      tx.set(ref, { eventId: eventId.slice(0, 500), state: 'claimed', at: nowMs });
      return 'claimed';
    });
  }

  public async finish(eventId: string, nowMs: number): Promise<void> {
    await this.eventDoc(eventId).set({ eventId: eventId.slice(0, 500), state: 'finished', at: nowMs });
  }

  public async release(eventId: string, nowMs: number): Promise<void> {
    const ref = this.eventDoc(eventId);
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      // Never undo a finish.
      if (snap.exists && snap.get('state') === 'finished') return;
      tx.set(ref, { eventId: eventId.slice(0, 500), state: 'released', at: nowMs });
    });
  }

  public async rememberApproval(record: DecisionRecord): Promise<void> {
    if (!record.tool) return;
    const ref = this.approvalsDoc(record.agent, record.tool);
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const records = readRecords(snap.exists ? snap.get('records') : undefined).filter((r) => r.decisionId !== record.decisionId);
      records.push(record);
      tx.set(ref, { records: records.slice(-APPROVALS_KEPT).map((r) => JSON.stringify(r)) });
    });
  }

  public async recallApprovals(agent: string, tool: string, lineage: string | undefined): Promise<DecisionRecord[]> {
    const snap = await this.approvalsDoc(agent, tool).get();
    const records = readRecords(snap.exists ? snap.get('records') : undefined);
    return records.filter((r) => r.agent === agent && r.tool === tool && (lineage === undefined || r.lineageId === lineage));
  }

  private eventDoc(eventId: string) {
    return this.db.doc(`${MONITOR_EVENTS_COLLECTION}/${createHash('sha256').update(eventId).digest('hex')}`);
  }

  private approvalsDoc(agent: string, tool: string) {
    return this.db.doc(`${MONITOR_APPROVALS_COLLECTION}/${createHash('sha256').update(`${agent}\u0000${tool}`).digest('hex')}`);
  }
}

function readRecords(value: unknown): DecisionRecord[] {
  if (!Array.isArray(value)) return [];
  const out: DecisionRecord[] = [];
  for (const v of value) {
    if (typeof v !== 'string') continue;
    try {
      out.push(JSON.parse(v) as DecisionRecord);
    } catch {
      // a damaged entry is no evidence
    }
  }
  return out;
}
