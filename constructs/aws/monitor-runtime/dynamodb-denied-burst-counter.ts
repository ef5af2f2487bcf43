import { createHash } from 'crypto';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { deniedBurstBucket, IDeniedBurstCounter } from '../../../lib/activity/denied-burst';

/**
 * The denied-burst counter every instance of the monitor shares, in its DynamoDB table: one item
 * `burst#<session hash>#<bucket>` per session and time bucket, a conditional counter `n` with the
 * ids it counted (`ids`): `UpdateItem ADD` only when the id is new and the count is under the
 * threshold, so a redelivered event is not counted twice and a flood stops at the threshold.
 * The answer adds the bucket before (see `IDeniedBurstCounter` for the window). Items expire
 * (TTL `expiresAt`) two windows after their bucket. Only `UpdateItem` and `GetItem`, on this table.
 */
export class DynamoDbDeniedBurstCounter implements IDeniedBurstCounter {
  private readonly windowMs: number;

  constructor(private readonly client: DynamoDBClient, private readonly tableName: string, private readonly policy: { readonly threshold: number; readonly windowSeconds: number }) {
    this.windowMs = policy.windowSeconds * 1000;
  }

  public async deny(session: string, eventId: string, atMs: number): Promise<number> {
    const bucket = deniedBurstBucket(atMs, this.windowMs);
    const key = this.key(session, bucket);
    let current: number;
    try {
      const out = await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'ADD #n :one, #ids :id SET #exp = :exp',
        ConditionExpression: 'attribute_not_exists(pk) OR (NOT contains(#ids, :idValue) AND #n < :cap)',
        ExpressionAttributeNames: { '#n': 'n', '#ids': 'ids', '#exp': 'expiresAt' },
        ExpressionAttributeValues: {
          ':one': { N: '1' }, ':id': { SS: [eventId] }, ':idValue': { S: eventId }, ':cap': { N: String(this.policy.threshold) },
          ':exp': { N: String(Math.floor(((bucket + 3) * this.windowMs) / 1000)) },
        },
        ReturnValues: 'UPDATED_NEW',
      }));
      current = Number(out.Attributes?.n?.N ?? 1);
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')) throw e;
      current = await this.count(session, bucket); // counted before (a redelivery), or the bucket is full
    }
    return current + await this.count(session, bucket - 1);
  }

  private async count(session: string, bucket: number): Promise<number> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(session, bucket), ConsistentRead: true }));
    return Number(out.Item?.n?.N ?? 0);
  }

  private key(session: string, bucket: number) {
    return { pk: { S: `burst#${createHash('sha256').update(session).digest('hex').slice(0, 32)}#${bucket}` } };
  }
}
