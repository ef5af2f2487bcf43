import { createHash } from 'crypto';
import type { TableClient } from '@azure/data-tables';
import type { IMonitorMemory } from '../../../lib/activity/activity-monitor';
import { deniedBurstBucket, IDeniedBurstCounter } from '../../../lib/activity/denied-burst';
import type { DecisionRecord } from '../../../lib/broker/ports';

export type MonitorTable = Pick<TableClient, 'createEntity' | 'getEntity' | 'updateEntity' | 'listEntities'>;

const EVENT_PARTITION = 'event';
const statusOf = (e: unknown) => (e as { statusCode?: number }).statusCode;
/** Row and partition keys may not hold `/ \ # ?` or control characters: log ids are hashed. */
const key = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);

/**
 * The Azure monitor's memory in its own Table Storage table: one entity per event
 * (PartitionKey `event`, RowKey the hashed event id) claimed with a conditional insert
 * (`createEntity`, 409 when it exists) and taken over only through an ETag-conditional update, so
 * two instances never both act on one delivery. Approvals are not remembered here: they are read
 * from the broker's approvals table (see `TableApprovalEvidence`).
 */
export class TableMonitorMemory implements IMonitorMemory {
  constructor(private readonly table: MonitorTable) {}

  public async claim(eventId: string, nowMs: number, staleAfterMs: number): Promise<'claimed' | 'finished' | 'busy'> {
    const rowKey = key(eventId);
    try {
      await this.table.createEntity({ partitionKey: EVENT_PARTITION, rowKey, state: 'claimed', at: nowMs, eventId: eventId.slice(0, 1000) });
      return 'claimed';
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
    }
    const existing = await this.table.getEntity<{ state?: string; at?: number }>(EVENT_PARTITION, rowKey);
    if (existing.state === 'finished') return 'finished';
    const stale = existing.state === 'released' || (existing.state === 'claimed' && Number(existing.at) < nowMs - staleAfterMs);
    if (!stale) return 'busy';
    try {
      await this.table.updateEntity({ partitionKey: EVENT_PARTITION, rowKey, state: 'claimed', at: nowMs }, 'Merge', { etag: existing.etag });
      return 'claimed';
    } catch (e) {
      if (statusOf(e) === 412) return 'busy'; // another instance took it over first
      throw e;
    }
  }

  public async finish(eventId: string, nowMs: number): Promise<void> {
    await this.table.updateEntity({ partitionKey: EVENT_PARTITION, rowKey: key(eventId), state: 'finished', at: nowMs }, 'Merge');
  }

  public async release(eventId: string, nowMs: number): Promise<void> {
    const rowKey = key(eventId);
    const existing = await this.table.getEntity<{ state?: string }>(EVENT_PARTITION, rowKey);
    if (existing.state === 'finished') return; // never undo a finish
    await this.table.updateEntity({ partitionKey: EVENT_PARTITION, rowKey, state: 'released', at: nowMs }, 'Merge', { etag: existing.etag });
  }

  public async rememberApproval(_record: DecisionRecord): Promise<void> {
    // The broker's approvals table is the durable evidence on Azure.
  }

  public async recallApprovals(): Promise<DecisionRecord[]> {
    return [];
  }
}

/**
 * The shared denied-burst counter in the monitor's table: one entity per denial
 * (PartitionKey `burst-<session hash>-<bucket>`, RowKey the hashed event id), inserted
 * conditionally (409: already counted, a redelivery), and the count read back from the bucket and
 * the one before, stopping at the threshold (so a flood costs bounded reads).
 */
export class TableDeniedBurstCounter implements IDeniedBurstCounter {
  constructor(private readonly table: MonitorTable, private readonly policy: { readonly threshold: number; readonly windowSeconds: number }) {}

  public async deny(session: string, eventId: string, atMs: number): Promise<number> {
    const bucket = deniedBurstBucket(atMs, this.policy.windowSeconds * 1000);
    const partition = (b: number) => `burst-${key(session)}-${b}`;
    const current = await this.count(partition(bucket));
    if (current < this.policy.threshold) {
      try {
        await this.table.createEntity({ partitionKey: partition(bucket), rowKey: key(eventId), at: atMs });
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
      }
    }
    return await this.count(partition(bucket)) + await this.count(partition(bucket - 1));
  }

  private async count(partitionKey: string): Promise<number> {
    let n = 0;
    const pages = this.table.listEntities({ queryOptions: { filter: `PartitionKey eq '${partitionKey}'`, select: ['RowKey'] } }).byPage({ maxPageSize: this.policy.threshold });
    for await (const page of pages) {
      n += page.length;
      if (n >= this.policy.threshold) break;
    }
    return n;
  }
}
