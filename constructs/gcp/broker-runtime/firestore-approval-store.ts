import type { DocumentData, Firestore } from '@google-cloud/firestore';
import type { ApprovalScope, ApproveOutcome, IApprovalApprover } from '../../../lib/broker/approve-endpoint';
import type { ApprovalConsumeCondition, ApprovalRecord, IApprovalStore } from '../../../lib/broker/ports';
import { sameIdentity } from '../../../lib/broker/resource-match';
import { APPROVAL_GRANTS_COLLECTION, APPROVAL_USES_COLLECTION, APPROVALS_COLLECTION } from './firestore-layout';

/** Pending requests a person may approve for this long (as on AWS). */
export const GCP_PENDING_MAX_AGE_SECONDS = 3600;
/** gRPC ALREADY_EXISTS: the `create` of the use document lost the race. */
const ALREADY_EXISTS = 6;

const STRING_FIELDS = ['approvalId', 'agent', 'tool', 'lineageId', 'environment', 'status', 'requestedBy', 'requestedAt', 'reason', 'approvedBy', 'approvedAt', 'usedAt', 'usedBy'] as const;

/** Outcome of an approve call (as on every cloud). */
export type GcpApproveOutcome = ApproveOutcome;

/** Announces a new pending approval to the approvers (Pub/Sub on GCP). */
export interface IPendingAnnouncer {
  announce(record: ApprovalRecord, signal?: AbortSignal): Promise<void>;
}

/**
 * Approvals in Firestore. Consuming is a transaction that re-reads the record, checks every
 * condition, creates `approvalUses/<id>` and marks the record used. The `create` is what makes it
 * single-use: Firestore refuses a second create of the same document (ALREADY_EXISTS) whatever the
 * two transactions read, so two racing requests can never both win.
 */
export class FirestoreApprovalStore implements IApprovalStore, IApprovalApprover {
  constructor(private readonly db: Pick<Firestore, 'doc' | 'runTransaction'>, private readonly announcer?: IPendingAnnouncer) {}

  public async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const snap = await this.db.doc(`${APPROVALS_COLLECTION}/${approvalId}`).get();
    return snap.exists ? fromDoc(snap.data() ?? {}) : undefined;
  }

  public async consume(c: ApprovalConsumeCondition): Promise<boolean> {
    const ref = this.db.doc(`${APPROVALS_COLLECTION}/${c.approvalId}`);
    const use = this.db.doc(`${APPROVAL_USES_COLLECTION}/${c.approvalId}`);
    try {
      return await this.db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        const r = snap.exists ? fromDoc(snap.data() ?? {}) : undefined;
        if (!r || r.status !== 'approved' || r.agent !== c.agent || r.tool !== c.tool || r.lineageId !== c.lineageId
          || r.approvedBy !== c.approvedBy || (r.approvedAt ?? '') < c.approvedNotBefore) {
          return false;
        }
        // The create first: when it fails, the commit fails as a whole and the record stays as it was.
        tx.create(use, { approvalId: c.approvalId, usedAt: c.usedAt, usedBy: c.decisionId });
        tx.update(ref, { status: 'used', usedAt: c.usedAt, usedBy: c.decisionId });
        return true;
      });
    } catch (e) {
      if ((e as { code?: unknown }).code === ALREADY_EXISTS) return false;
      throw e;
    }
  }

  public async openPending(record: ApprovalRecord, signal?: AbortSignal): Promise<void> {
    await this.db.doc(`${APPROVALS_COLLECTION}/${record.approvalId}`).create(toDoc(record));
    await this.announcer?.announce(record, signal);
  }

  /**
   * Approve a pending request as `approver` (the caller's identity as the approve endpoint verified
   * it). Refuses the requester and `deniedApprovers` (the agent's own identities), and requests older
   * than `GCP_PENDING_MAX_AGE_SECONDS`; a transaction, so one request is approved at most once. With
   * `scope`, a record of another agent or environment is not found (an approver of one agent never
   * approves another's request).
   */
  public async approve(approvalId: string, approver: string, now: Date, deniedApprovers: readonly string[], scope?: ApprovalScope): Promise<GcpApproveOutcome> {
    const ref = this.db.doc(`${APPROVALS_COLLECTION}/${approvalId}`);
    const grant = this.db.doc(`${APPROVAL_GRANTS_COLLECTION}/${approvalId}`);
    try {
      return await this.db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        const record = snap.exists ? fromDoc(snap.data() ?? {}) : undefined;
        if (!record || (scope && (record.agent !== scope.agent || record.environment !== scope.environment))) return 'not-found';
        if (record.status !== 'pending') return 'not-pending';
        if ([record.requestedBy, ...deniedApprovers].some((id) => sameIdentity(id, approver))) return 'self-approval';
        if (record.requestedAt < new Date(now.getTime() - GCP_PENDING_MAX_AGE_SECONDS * 1000).toISOString()) return 'too-old';
        // As in consume: the create makes it one approval per request, whatever two racing transactions read.
        tx.create(grant, { approvalId, approvedBy: approver, approvedAt: now.toISOString() });
        tx.update(ref, { status: 'approved', approvedBy: approver, approvedAt: now.toISOString() });
        return 'approved';
      });
    } catch (e) {
      if ((e as { code?: unknown }).code === ALREADY_EXISTS) return 'not-pending';
      throw e;
    }
  }
}

function toDoc(record: ApprovalRecord): DocumentData {
  const doc: DocumentData = {};
  for (const key of STRING_FIELDS) {
    const v = record[key];
    if (typeof v === 'string') doc[key] = v;
  }
  return doc;
}

/** Only string fields are read back; anything else in the document is ignored (the core checks the shape). */
function fromDoc(doc: DocumentData): ApprovalRecord {
  const out: Record<string, unknown> = {};
  for (const key of STRING_FIELDS) {
    if (doc[key] !== undefined) out[key] = doc[key];
  }
  return out as unknown as ApprovalRecord;
}
