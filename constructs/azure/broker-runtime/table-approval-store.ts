import type { TableClient } from '@azure/data-tables';
import type { ApprovalScope, ApproveOutcome, IApprovalApprover } from '../../../lib/broker/approve-endpoint';
import type { ApprovalConsumeCondition, ApprovalRecord, IApprovalStore } from '../../../lib/broker/ports';
import { sameIdentity } from '../../../lib/broker/resource-match';

/** Pending requests a person may approve for this long (as on AWS and GCP). */
export const AZURE_PENDING_MAX_AGE_SECONDS = 3600;
const STRING_FIELDS = ['approvalId', 'agent', 'tool', 'lineageId', 'environment', 'status', 'requestedBy', 'requestedAt', 'reason', 'approvedBy', 'approvedAt', 'usedAt', 'usedBy'] as const;

/** Outcome of an approve call (as on every cloud). */
export type AzureApproveOutcome = ApproveOutcome;

type Table = Pick<TableClient, 'getEntity' | 'createEntity' | 'updateEntity'>;

/**
 * Approvals in Azure Table Storage (PartitionKey = agent, RowKey = approval id). Every state change
 * is an ETag-conditional write: read the entity, check, write with `If-Match: <etag>`. Table Storage
 * refuses the write when anyone changed the entity since (412), so of two racing uses exactly one
 * wins.
 */
export class TableApprovalStore implements IApprovalStore, IApprovalApprover {
  constructor(private readonly table: Table, private readonly agent: string) {}

  public async get(approvalId: string, signal?: AbortSignal): Promise<ApprovalRecord | undefined> {
    const entity = await this.read(approvalId, signal);
    return entity ? fromEntity(entity) : undefined;
  }

  public async consume(c: ApprovalConsumeCondition, signal?: AbortSignal): Promise<boolean> {
    const entity = await this.read(c.approvalId, signal);
    const r = entity ? fromEntity(entity) : undefined;
    if (!entity || !r || r.status !== 'approved' || r.agent !== c.agent || r.tool !== c.tool || r.lineageId !== c.lineageId
      || r.approvedBy !== c.approvedBy || (r.approvedAt ?? '') < c.approvedNotBefore) {
      return false;
    }
    return this.write(c.approvalId, entity.etag, { status: 'used', usedAt: c.usedAt, usedBy: c.decisionId }, signal);
  }

  public async openPending(record: ApprovalRecord, signal?: AbortSignal): Promise<void> {
    const entity: Record<string, string> = { partitionKey: this.agent, rowKey: record.approvalId };
    for (const key of STRING_FIELDS) {
      const v = record[key];
      if (typeof v === 'string') entity[key] = v;
    }
    await this.table.createEntity(entity as never, { abortSignal: signal });
  }

  /**
   * Approve a pending request as `approver` (the caller's Entra identity as the approve endpoint
   * verified it): one ETag-conditional write, so of two racing approvals one wins. With `scope`, a
   * record of another agent or environment is not found.
   */
  public async approve(approvalId: string, approver: string, now: Date, deniedApprovers: readonly string[], scope?: ApprovalScope): Promise<AzureApproveOutcome> {
    const entity = await this.read(approvalId);
    const record = entity ? fromEntity(entity) : undefined;
    if (!entity || !record || (scope && (record.agent !== scope.agent || record.environment !== scope.environment))) return 'not-found';
    if (record.status !== 'pending') return 'not-pending';
    if ([record.requestedBy, ...deniedApprovers].some((id) => sameIdentity(id, approver))) return 'self-approval';
    if (record.requestedAt < new Date(now.getTime() - AZURE_PENDING_MAX_AGE_SECONDS * 1000).toISOString()) return 'too-old';
    return (await this.write(approvalId, entity.etag, { status: 'approved', approvedBy: approver, approvedAt: now.toISOString() })) ? 'approved' : 'not-pending';
  }

  private async read(approvalId: string, signal?: AbortSignal): Promise<(Record<string, unknown> & { etag: string }) | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(this.agent, approvalId, { abortSignal: signal }) as Record<string, unknown> & { etag: string };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  }

  /** Merge `changes` only if the entity still has `etag`; false when someone else wrote first (412). */
  private async write(approvalId: string, etag: string, changes: Record<string, string>, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: this.agent, rowKey: approvalId, ...changes }, 'Merge', { etag, abortSignal: signal });
      return true;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 412) return false;
      throw e;
    }
  }
}

/** Only the approval fields are read back; their types are left for the core to check. */
function fromEntity(entity: Record<string, unknown>): ApprovalRecord {
  const out: Record<string, unknown> = {};
  for (const key of STRING_FIELDS) {
    if (entity[key] !== undefined) out[key] = entity[key];
  }
  return out as unknown as ApprovalRecord;
}
