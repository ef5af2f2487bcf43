import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { IMonitorMemory } from '../../../lib/activity/activity-monitor';
import type { DecisionRecord } from '../../../lib/broker/ports';
import { sessionName } from '../broker-runtime/session-name';

/** Finished events are remembered this long (EventBridge and Lambda retry within a day). */
const EVENT_TTL_SECONDS = 2 * 86_400;
/** Approvals outlive the longest broker session. */
const APPROVAL_TTL_SECONDS = 2 * 86_400;

/**
 * The monitor's memory in one DynamoDB table (partition key `pk`, TTL attribute `expiresAt`):
 * `event#<id>` claims and finished marks (one conditional put each), and `approval#<session name>`
 * approved broker decisions, keyed by the session name the broker gave the credential, which is
 * what CloudTrail shows (so a lineage cut short in the session name still finds its approval).
 * Only `PutItem` and `GetItem`, on this table.
 */
export class DynamoDbMonitorMemory implements IMonitorMemory {
  constructor(private readonly client: DynamoDBClient, private readonly tableName: string) {}

  public async claim(eventId: string, nowMs: number, staleAfterMs: number): Promise<'claimed' | 'finished' | 'busy'> {
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: this.eventItem(eventId, 'claimed', nowMs),
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :released OR (#state = :claimed AND #at < :stale)',
        ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
        ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':released': { S: 'released' }, ':stale': { N: String(nowMs - staleAfterMs) } },
      }));
      return 'claimed';
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')) throw e;
    }
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: `event#${eventId}` } }, ConsistentRead: true }));
    return out.Item?.state?.S === 'finished' ? 'finished' : 'busy';
  }

  public async finish(eventId: string, nowMs: number): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: this.eventItem(eventId, 'finished', nowMs) }));
  }

  public async release(eventId: string, nowMs: number): Promise<void> {
    await this.client.send(new PutItemCommand({
      TableName: this.tableName,
      Item: this.eventItem(eventId, 'released', nowMs),
      // Never undo a finish.
      ConditionExpression: 'attribute_not_exists(pk) OR #state <> :finished',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':finished': { S: 'finished' } },
    }));
  }

  private eventItem(eventId: string, state: string, nowMs: number) {
    return { pk: { S: `event#${eventId}` }, state: { S: state }, at: { N: String(nowMs) }, expiresAt: { N: String(Math.floor(nowMs / 1000) + EVENT_TTL_SECONDS) } };
  }

  public async rememberApproval(record: DecisionRecord): Promise<void> {
    if (!record.tool || !record.lineageId) return;
    const at = Date.parse(record.time);
    await this.client.send(new PutItemCommand({
      TableName: this.tableName,
      Item: {
        pk: { S: `approval#${sessionName(record.agent, record.tool, record.lineageId)}` },
        record: { S: JSON.stringify(record) },
        expiresAt: { N: String(Math.floor((Number.isNaN(at) ? Date.now() : at) / 1000) + APPROVAL_TTL_SECONDS) },
      },
    }));
  }

  public async recallApprovals(agent: string, tool: string, lineage: string | undefined): Promise<DecisionRecord[]> {
    // CloudTrail carries the lineage in the session name; a session without one has no approval to find.
    if (lineage === undefined) return [];
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: `approval#${agent}.${tool}.${lineage}` } }, ConsistentRead: true }));
    const text = out.Item?.record?.S;
    if (!text) return [];
    try {
      const r = JSON.parse(text) as DecisionRecord;
      return r.agent === agent && r.tool === tool ? [r] : [];
    } catch {
      return [];
    }
  }
}
