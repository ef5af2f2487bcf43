import * as fc from 'fast-check';
import { createApproveHandler } from '../../../../constructs/aws/broker-runtime/approve-handler';
import { DynamoDbApprovalStore } from '../../../../constructs/aws/broker-runtime/dynamodb-approval-store';
import { ApprovalStatus } from '../../../../lib/broker';
import { HUMAN, RUNTIME } from '../../../lib/broker/fakes';
import { LocalDynamoDb } from './local-dynamodb';

const NOW = new Date('2026-03-25T10:00:00Z');
const ID = '11111111-2222-4333-8444-555555555555';
let db: LocalDynamoDb;
let store: DynamoDbApprovalStore;
let writes: jest.SpyInstance;

beforeAll(async () => {
  db = await LocalDynamoDb.start();
  store = new DynamoDbApprovalStore(db.client, db.tableName);
  await store.openPending({
    approvalId: ID, agent: 'deploy-operator', tool: 'rollback-service', lineageId: 'run-42', environment: 'prod',
    status: ApprovalStatus.PENDING, requestedBy: RUNTIME, requestedAt: '2026-03-25T09:59:00Z',
  });
});
afterAll(async () => { await db.stop(); });
beforeEach(() => { writes = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
afterEach(() => writes.mockRestore());

const handler = createApproveHandler(() => store, () => ['arn:aws:iam::111111111111:role/rollback-service'], () => NOW);
const call = (userArn: string | undefined, body: unknown, method = 'POST') => handler({
  body: typeof body === 'string' ? body : JSON.stringify(body),
  requestContext: { http: { method }, authorizer: userArn ? { iam: { userArn } } : undefined },
});

describe('approve endpoint: the approver is the caller\'s verified IAM identity', () => {
  test('unsigned calls, bad bodies and other methods approve nothing', async () => {
    expect((await call(undefined, { approvalId: ID })).statusCode).toBe(401);
    expect((await call('not-an-arn', { approvalId: ID })).statusCode).toBe(401);
    expect((await call(HUMAN, 'not json')).statusCode).toBe(400);
    expect((await call(HUMAN, { approvalId: 'x' })).statusCode).toBe(400);
    expect((await call(HUMAN, { approvalId: ID }, 'GET')).statusCode).toBe(405);
    expect((await store.get(ID))?.status).toBe('pending');
  });

  test('ATTACK: the agent runtime or a session of its tool role approving its own request is refused', async () => {
    expect((await call(RUNTIME, { approvalId: ID })).statusCode).toBe(403);
    expect((await call('arn:aws:sts::111111111111:assumed-role/rollback-service/deploy-operator.rollback-service.run-42', { approvalId: ID })).statusCode).toBe(403);
    expect((await store.get(ID))?.status).toBe('pending');
  });

  test('ATTACK: a body naming another approver is ignored; the signed caller is recorded, once', async () => {
    const res = await call(HUMAN, { approvalId: ID, approvedBy: 'arn:aws:iam::111111111111:user/ceo' });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ approvalId: ID, outcome: 'approved', approver: HUMAN });
    expect(await store.get(ID)).toMatchObject({ status: 'approved', approvedBy: HUMAN, approvedAt: NOW.toISOString() });
    expect((await call('arn:aws:sts::111111111111:assumed-role/oncall/bob', { approvalId: ID })).statusCode).toBe(409);
    expect(writes.mock.calls.map((c) => String(c[0])).some((l) => l.includes('"outcome":"approved"'))).toBe(true);
  });

  test('an unknown id is 404; a broken denied-approvers list refuses (fail closed)', async () => {
    expect((await call(HUMAN, { approvalId: '99999999-2222-4333-8444-555555555555' })).statusCode).toBe(404);
    const broken = createApproveHandler(() => store, () => JSON.parse('{oops') as string[], () => NOW);
    expect((await broken({ body: JSON.stringify({ approvalId: ID }), requestContext: { authorizer: { iam: { userArn: HUMAN } } } })).statusCode).toBe(503);
  });
});

describe('approve endpoint: adversarial input never approves', () => {
  test('random bodies, identities and methods leave the pending request pending unless a valid signed caller names it', async () => {
    const id = '22222222-2222-4333-8444-555555555555';
    await store.openPending({
      approvalId: id, agent: 'deploy-operator', tool: 'rollback-service', lineageId: 'run-9', environment: 'prod',
      status: ApprovalStatus.PENDING, requestedBy: RUNTIME, requestedAt: '2026-03-25T09:59:00Z',
    });
    const arbitraryArn = fc.oneof(fc.constant(undefined), fc.constant(RUNTIME), fc.string({ maxLength: 80 }),
      fc.constant('arn:aws:sts::111111111111:assumed-role/rollback-service/x'), fc.constant(`${RUNTIME}\n`));
    const body = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json(), fc.constant(JSON.stringify({ approvalId: `${id} ` })),
      fc.constant(JSON.stringify({ approvalId: [id] })), fc.constant('x'.repeat(5000)));
    await fc.assert(fc.asyncProperty(arbitraryArn, body, fc.constantFrom('POST', 'GET', undefined), async (arn, b, method) => {
      const res = await handler({ body: b, requestContext: { http: method ? { method } : undefined, authorizer: arn === undefined ? undefined : { iam: { userArn: arn } } } });
      expect(res.statusCode).not.toBe(200);
    }), { numRuns: 300 });
    expect((await store.get(id))?.status).toBe('pending');
  });
});
