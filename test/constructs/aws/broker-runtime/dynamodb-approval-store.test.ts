import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalRecord, ApprovalStatus, CredentialBrokerCore, BrokerDecision, ReasonCode } from '../../../../lib/broker';
import { DynamoDbApprovalStore } from '../../../../constructs/aws/broker-runtime/dynamodb-approval-store';
import { config, FakeClock, FakeKillSwitch, FakeLog, FakeMinter, HUMAN, RUNTIME } from '../../../lib/broker/fakes';
import { LocalDynamoDb } from './local-dynamodb';

const NOW = new Date('2026-03-25T10:00:00Z');
const TOOL_ROLE_SESSION = 'arn:aws:sts::111111111111:assumed-role/rollback-service/deploy-operator.rollback-service.run-42';
const snsMock = mockClient(SNSClient);

let db: LocalDynamoDb;
let store: DynamoDbApprovalStore;
let n = 0;

beforeAll(async () => { db = await LocalDynamoDb.start(); });
afterAll(async () => { await db.stop(); snsMock.restore(); });
beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  store = new DynamoDbApprovalStore(db.client, db.tableName, { client: new SNSClient({ region: 'eu-west-1' }), topicArn: 'arn:aws:sns:eu-west-1:111111111111:approvals' });
});

function pending(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  n += 1;
  return {
    approvalId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, agent: 'deploy-operator', tool: 'rollback-service', lineageId: 'run-42',
    environment: 'prod', status: ApprovalStatus.PENDING, requestedBy: RUNTIME, requestedAt: new Date(NOW.getTime() - 60_000).toISOString(),
    reason: 'roll back 1.4.2', ...overrides,
  };
}

const consumeOf = (r: ApprovalRecord, usedBy: string) => ({
  approvalId: r.approvalId, agent: r.agent, tool: r.tool, lineageId: r.lineageId, approvedBy: HUMAN,
  approvedNotBefore: new Date(NOW.getTime() - 900_000).toISOString(), usedAt: NOW.toISOString(), decisionId: usedBy,
});

describe('DynamoDbApprovalStore against dynalite (a real DynamoDB implementation on 127.0.0.1)', () => {
  test('openPending stores the request once and announces it on SNS', async () => {
    const r = pending();
    await store.openPending(r);
    expect(await store.get(r.approvalId)).toEqual(r);
    const published = snsMock.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    expect(published[0].args[0].input.TopicArn).toBe('arn:aws:sns:eu-west-1:111111111111:approvals');
    expect(JSON.parse(published[0].args[0].input.Message!)).toMatchObject({ approvalId: r.approvalId, agent: 'deploy-operator', tool: 'rollback-service', reason: 'roll back 1.4.2' });
    await expect(store.openPending(r)).rejects.toThrow(); // never overwrites an existing record
  });

  test('approve: one person approves once; the requester and the agent\'s own identities cannot', async () => {
    const r = pending();
    await store.openPending(r);
    expect(await store.approve(r.approvalId, RUNTIME, NOW, [])).toBe('self-approval');
    expect(await store.approve(r.approvalId, TOOL_ROLE_SESSION, NOW, ['arn:aws:iam::111111111111:role/rollback-service'])).toBe('self-approval');
    expect(await store.approve(r.approvalId, HUMAN, NOW, [])).toBe('approved');
    expect(await store.get(r.approvalId)).toMatchObject({ status: 'approved', approvedBy: HUMAN, approvedAt: NOW.toISOString() });
    expect(await store.approve(r.approvalId, 'arn:aws:sts::111111111111:assumed-role/oncall/bob', NOW, [])).toBe('not-pending');
    expect(await store.approve('00000000-0000-4000-8000-999999999999', HUMAN, NOW, [])).toBe('not-found');
    const old = pending({ requestedAt: new Date(NOW.getTime() - 2 * 3600_000).toISOString() });
    await store.openPending(old);
    expect(await store.approve(old.approvalId, HUMAN, NOW, [])).toBe('too-old');
  });

  test('consume flips approved → used exactly once', async () => {
    const r = pending();
    await store.openPending(r);
    await store.approve(r.approvalId, HUMAN, NOW, []);
    expect(await store.consume(consumeOf(r, 'd-1'))).toBe(true);
    expect(await store.consume(consumeOf(r, 'd-2'))).toBe(false);
    expect(await store.get(r.approvalId)).toMatchObject({ status: 'used', usedBy: 'd-1' });
  });

  test('consume re-checks the conditions atomically: other lineage, other approver, stale approval, still pending', async () => {
    const r = pending();
    await store.openPending(r);
    expect(await store.consume(consumeOf(r, 'd-0'))).toBe(false); // pending
    await store.approve(r.approvalId, HUMAN, NOW, []);
    expect(await store.consume({ ...consumeOf(r, 'd-1'), lineageId: 'run-43' })).toBe(false);
    expect(await store.consume({ ...consumeOf(r, 'd-1'), approvedBy: 'arn:aws:sts::111111111111:assumed-role/oncall/mallory' })).toBe(false);
    expect(await store.consume({ ...consumeOf(r, 'd-1'), approvedNotBefore: new Date(NOW.getTime() + 1000).toISOString() })).toBe(false);
    expect(await store.consume(consumeOf(r, 'd-1'))).toBe(true);
  });

  test('the single-use race: two concurrent uses of one approval → exactly one succeeds', async () => {
    for (let round = 0; round < 10; round++) {
      const r = pending();
      await store.openPending(r);
      await store.approve(r.approvalId, HUMAN, NOW, []);
      const results = await Promise.all([store.consume(consumeOf(r, 'd-a')), store.consume(consumeOf(r, 'd-b'))]);
      expect(results.filter((x) => x)).toHaveLength(1);
    }
  });

  test('end to end through the broker core: request → pending → approve → one credential; a concurrent second use is refused', async () => {
    const minter = new FakeMinter(() => NOW);
    const log = new FakeLog();
    const broker = new CredentialBrokerCore(config(), { killSwitch: new FakeKillSwitch(), approvals: store, minter, clock: new FakeClock(NOW), log });
    const first = await broker.decide({ tool: 'rollback-service', lineageId: 'run-77', reason: 'rollback' });
    expect(first.reasonCode).toBe(ReasonCode.APPROVAL_REQUIRED);
    const approvalId = first.approvalId!;
    expect((await broker.decide({ tool: 'rollback-service', lineageId: 'run-77', approvalId })).reasonCode).toBe(ReasonCode.APPROVAL_PENDING);
    expect(await store.approve(approvalId, HUMAN, NOW, [])).toBe('approved');
    const [a, b] = await Promise.all([
      broker.decide({ tool: 'rollback-service', lineageId: 'run-77', approvalId }),
      broker.decide({ tool: 'rollback-service', lineageId: 'run-77', approvalId }),
    ]);
    expect([a.decision, b.decision].sort()).toEqual([BrokerDecision.GRANTED, BrokerDecision.REFUSED]);
    expect([a, b].find((x) => x.decision === BrokerDecision.REFUSED)?.reasonCode).toBe(ReasonCode.APPROVAL_ALREADY_USED);
    expect(minter.calls).toHaveLength(1);
    expect(log.records.find((x) => x.decision === 'granted')).toMatchObject({ approvalId, approver: HUMAN, lineageId: 'run-77' });
  });

  test('a store that cannot reach DynamoDB makes the broker refuse (fail closed)', async () => {
    const dead = new DynamoDbApprovalStore(new (db.client.constructor as typeof import('@aws-sdk/client-dynamodb').DynamoDBClient)({
      endpoint: 'http://127.0.0.1:1', region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1,
    }), db.tableName);
    const broker = new CredentialBrokerCore(config(), { killSwitch: new FakeKillSwitch(), approvals: dead, minter: new FakeMinter(), clock: new FakeClock(NOW), log: new FakeLog() });
    const res = await broker.decide({ tool: 'rollback-service', lineageId: 'run-1', approvalId: '00000000-0000-4000-8000-000000000001' });
    expect(res.reasonCode).toBe(ReasonCode.APPROVAL_STORE_UNAVAILABLE);
  });
});
