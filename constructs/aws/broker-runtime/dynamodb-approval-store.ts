import {
  AttributeValue, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { ApprovalConsumeCondition, ApprovalRecord, IApprovalStore } from '../../../lib/broker/ports';
import { sameIdentity } from '../../../lib/broker/resource-match';

/** Pending requests a person may approve for this long; DynamoDB TTL removes records a day later. */
export const PENDING_MAX_AGE_SECONDS = 3600;
const TTL_SECONDS = 86_400;

const STRING_FIELDS = ['approvalId', 'agent', 'tool', 'lineageId', 'environment', 'status', 'requestedBy', 'requestedAt', 'reason', 'approvedBy', 'approvedAt', 'usedAt', 'usedBy'] as const;

/** Outcome of an approve call. */
export type ApproveOutcome = 'approved' | 'not-found' | 'not-pending' | 'self-approval' | 'too-old';

/** Announces pending requests (SNS). */
export interface PendingAnnouncer {
  readonly client: SNSClient;
  readonly topicArn: string;
}

/**
 * Approvals in one DynamoDB table (partition key `approvalId`). Every state change is one
 * conditional write, so a pending request is approved at most once and an approval is used at most
 * once, even when two requests race for it.
 */
export class DynamoDbApprovalStore implements IApprovalStore {
  constructor(private readonly client: DynamoDBClient, private readonly tableName: string, private readonly announcer?: PendingAnnouncer) {}

  public async get(approvalId: string, signal?: AbortSignal): Promise<ApprovalRecord | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { approvalId: { S: approvalId } }, ConsistentRead: true }), { abortSignal: signal });
    return out.Item ? fromItem(out.Item) : undefined;
  }

  public async consume(c: ApprovalConsumeCondition, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { approvalId: { S: c.approvalId } },
        UpdateExpression: 'SET #status = :used, #usedAt = :usedAt, #usedBy = :usedBy',
        ConditionExpression: '#status = :approved AND #agent = :agent AND #tool = :tool AND #lineageId = :lineageId AND #approvedBy = :approvedBy AND #approvedAt >= :notBefore',
        // Every name goes through a placeholder: several (status, agent, …) are DynamoDB reserved words.
        ExpressionAttributeNames: names('status', 'usedAt', 'usedBy', 'agent', 'tool', 'lineageId', 'approvedBy', 'approvedAt'),
        ExpressionAttributeValues: {
          ':used': { S: 'used' }, ':approved': { S: 'approved' }, ':usedAt': { S: c.usedAt }, ':usedBy': { S: c.decisionId },
          ':agent': { S: c.agent }, ':tool': { S: c.tool }, ':lineageId': { S: c.lineageId }, ':approvedBy': { S: c.approvedBy },
          ':notBefore': { S: c.approvedNotBefore },
        },
      }), { abortSignal: signal });
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  public async openPending(record: ApprovalRecord, signal?: AbortSignal): Promise<void> {
    const item = toItem(record);
    item.expiresAt = { N: String(Math.floor(Date.parse(record.requestedAt) / 1000) + TTL_SECONDS) };
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(#approvalId)', ExpressionAttributeNames: names('approvalId') }), { abortSignal: signal });
    if (this.announcer) {
      await this.announcer.client.send(new PublishCommand({
        TopicArn: this.announcer.topicArn,
        Subject: `Approval needed: ${record.agent} / ${record.tool} (${record.environment})`.slice(0, 100),
        Message: JSON.stringify({
          type: 'agent-guardrails.approval-request',
          approvalId: record.approvalId, agent: record.agent, tool: record.tool, environment: record.environment,
          lineageId: record.lineageId, reason: record.reason ?? null, requestedBy: record.requestedBy, requestedAt: record.requestedAt,
          approveWith: { approvalId: record.approvalId },
        }, null, 2),
      }), { abortSignal: signal });
    }
  }

  /**
   * Approve a pending request as `approver` (one call = one approval). Refuses the requester and
   * any `deniedApprovers` (the agent's own identities), and requests older than `PENDING_MAX_AGE_SECONDS`.
   */
  public async approve(approvalId: string, approver: string, now: Date, deniedApprovers: readonly string[]): Promise<ApproveOutcome> {
    const record = await this.get(approvalId);
    if (!record) return 'not-found';
    if (record.status !== 'pending') return 'not-pending';
    if ([record.requestedBy, ...deniedApprovers].some((id) => sameIdentity(id, approver))) return 'self-approval';
    const notBefore = new Date(now.getTime() - PENDING_MAX_AGE_SECONDS * 1000).toISOString();
    if (record.requestedAt < notBefore) return 'too-old';
    try {
      await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { approvalId: { S: approvalId } },
        UpdateExpression: 'SET #status = :approved, #approvedBy = :approver, #approvedAt = :now',
        ConditionExpression: '#status = :pending AND #requestedBy = :requestedBy AND #requestedAt >= :notBefore',
        ExpressionAttributeNames: names('status', 'approvedBy', 'approvedAt', 'requestedBy', 'requestedAt'),
        ExpressionAttributeValues: {
          ':approved': { S: 'approved' }, ':pending': { S: 'pending' }, ':approver': { S: approver }, ':now': { S: now.toISOString() },
          ':requestedBy': { S: record.requestedBy }, ':notBefore': { S: notBefore },
        },
      }));
      return 'approved';
    } catch (e) {
      if (isConditionFailure(e)) return 'not-pending';
      throw e;
    }
  }
}

function names(...attributes: string[]): Record<string, string> {
  return Object.fromEntries(attributes.map((a) => [`#${a}`, a]));
}

function isConditionFailure(e: unknown): boolean {
  return e instanceof ConditionalCheckFailedException || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'ConditionalCheckFailedException');
}

function toItem(record: ApprovalRecord): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {};
  for (const key of STRING_FIELDS) {
    const v = record[key];
    if (typeof v === 'string') item[key] = { S: v };
  }
  return item;
}

/** A field of another type than S is passed on as is: the core refuses a malformed record (store fault) instead of reading it as absent. */
function fromItem(item: Record<string, AttributeValue>): ApprovalRecord {
  const out: Record<string, unknown> = {};
  for (const key of STRING_FIELDS) {
    const v = item[key];
    if (v !== undefined) out[key] = v.S ?? v;
  }
  return out as unknown as ApprovalRecord;
}
