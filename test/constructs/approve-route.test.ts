import { request } from 'http';
import type { AddressInfo } from 'net';
import { azureRoutes, AZURE_APPROVE_PATH } from '../../constructs/azure/broker-runtime/broker-server';
import { easyAuthCaller } from '../../constructs/azure/broker-runtime/easy-auth-caller';
import { createGcpApproveHandler } from '../../constructs/gcp/broker-runtime/broker-server';
import { cloudRunCaller } from '../../constructs/gcp/broker-runtime/cloud-run-caller';
import { APPROVALS_COLLECTION } from '../../constructs/gcp/broker-runtime/firestore-layout';
import { createJsonServer } from '../../lib/broker/http-broker-server';
import { FirestoreEmulator } from '../conformance/emulators';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** An ID token as Cloud Run forwards it after its IAM check: header, claims, Google's marker instead of the signature. */
const forwarded = (claims: object, signature = 'SIGNATURE_REMOVED_BY_GOOGLE') => `Bearer ${b64({ alg: 'RS256' })}.${b64(claims)}.${signature}`;
const alice = { iss: 'https://accounts.google.com', email: 'Alice@Example.com', email_verified: true, aud: 'https://ag-approve.run.app' };

describe('the caller, as the cloud\'s authentication verified it (never the body)', () => {
  test('GCP: the email of the token Cloud Run verified, as an IAM member', () => {
    expect(cloudRunCaller({ authorization: forwarded(alice) })).toBe('user:alice@example.com');
    expect(cloudRunCaller({ authorization: forwarded({ ...alice, email: 'tool@p-123456.iam.gserviceaccount.com' }) })).toBe('serviceAccount:tool@p-123456.iam.gserviceaccount.com');
  });

  test.each([
    ['a token with a signature (it did not come through Cloud Run\'s check)', { authorization: forwarded(alice, 'c2lnbmF0dXJl') }],
    ['an unverified email', { authorization: forwarded({ ...alice, email_verified: false }) }],
    ['another issuer', { authorization: forwarded({ ...alice, iss: 'https://evil.example' }) }],
    ['no token', {}],
    ['a repeated header', { authorization: [forwarded(alice), forwarded(alice)] }],
    ['garbage claims', { authorization: 'Bearer a.%%%.SIGNATURE_REMOVED_BY_GOOGLE' }],
    ['an oversized header', { authorization: forwarded({ ...alice, pad: 'x'.repeat(9000) }) }],
    // Cloud Run checks X-Serverless-Authorization when present and passes Authorization through unchecked.
    ['a forged Authorization next to X-Serverless-Authorization', { 'x-serverless-authorization': 'Bearer x', authorization: forwarded(alice) }],
  ])('GCP: no caller for %s', (_name, headers) => {
    expect(cloudRunCaller(headers as never)).toBeUndefined();
  });

  test('GCP: X-Serverless-Authorization wins over Authorization', () => {
    expect(cloudRunCaller({ 'x-serverless-authorization': forwarded(alice), authorization: forwarded({ ...alice, email: 'mallory@example.com' }) })).toBe('user:alice@example.com');
  });

  test('Azure: the object id Entra authentication validated', () => {
    expect(easyAuthCaller({ 'x-ms-client-principal-id': 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE', 'x-ms-client-principal-idp': 'aad' })).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect(easyAuthCaller({ 'x-ms-client-principal-id': 'alice', 'x-ms-client-principal-idp': 'aad' })).toBeUndefined();
    expect(easyAuthCaller({ 'x-ms-client-principal-id': 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 'x-ms-client-principal-idp': 'github' })).toBeUndefined();
    expect(easyAuthCaller({})).toBeUndefined();
  });
});

describe('Azure: one function, two routes, each for its own callers', () => {
  const RUNTIME = '21212121-4343-6565-8787-090909090909';
  const APPROVER = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  const as = (id: string) => ({ 'x-ms-client-principal-id': id, 'x-ms-client-principal-idp': 'aad' });
  const decided: unknown[] = [];
  const approved: Array<string | undefined> = [];
  const routes = azureRoutes(async (e) => { decided.push(e); return { decision: 'granted' }; }, async (caller) => { approved.push(caller); return { statusCode: 200, body: { outcome: 'approved' } }; }, RUNTIME);

  test('the broker route answers the runtime only: an approver (admitted by Entra) never gets a credential', async () => {
    expect((await routes({ path: '/api/broker', headers: as(RUNTIME), body: { tool: 't' } })).statusCode).toBe(200);
    expect((await routes({ path: '/api/broker', headers: as(APPROVER), body: { tool: 't' } })).statusCode).toBe(403);
    expect((await routes({ path: '/api/broker', headers: {}, body: { tool: 't' } })).statusCode).toBe(403);
    expect(decided).toHaveLength(1);
  });

  test('the approve route hands the validated caller to the approve endpoint; without approvers it does not exist', async () => {
    await routes({ path: AZURE_APPROVE_PATH, headers: as(APPROVER), body: { approvalId: 'x', approver: RUNTIME } });
    expect(approved).toEqual([APPROVER]);
    expect((await azureRoutes(async () => ({}), undefined, RUNTIME)({ path: AZURE_APPROVE_PATH, headers: as(APPROVER), body: {} })).statusCode).toBe(404);
    expect((await azureRoutes(async () => ({}), undefined, undefined)({ path: '/api/broker', headers: as(RUNTIME), body: {} })).statusCode).toBe(403);
  });

  test('over HTTP: the path picks the route, the query string does not', async () => {
    const server = createJsonServer(routes).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const post = (path: string, headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      req.end(JSON.stringify({ approvalId: 'x' }));
    });
    try {
      expect(await post(`${AZURE_APPROVE_PATH}?code=1`, as(APPROVER))).toBe(200);
      expect(await post('/api/broker', as(APPROVER))).toBe(403);
    } finally {
      server.close();
    }
  });
});

describe('GCP: the approve function (entry point `approve`) on the Firestore emulator', () => {
  let emulator: FirestoreEmulator;
  beforeAll(async () => { emulator = await FirestoreEmulator.start(); }, 60_000);
  afterAll(() => emulator.stop());
  const now = new Date('2026-03-25T10:00:00Z');
  const env = {
    GCP_PROJECT: 'prod-project', APPROVALS_DATABASE: 'approvals',
    APPROVE_CONFIG: JSON.stringify({ agent: 'deploy-operator', environment: 'prod', approvers: ['user:alice@example.com'], deniedApprovers: ['serviceAccount:runtime@prod-project.iam.gserviceaccount.com'] }),
  };

  test('approves as the verified caller; refuses other callers, other methods and a broken config', async () => {
    const db = emulator.client('approvals');
    const id = '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10';
    await db.doc(`${APPROVALS_COLLECTION}/${id}`).set({
      approvalId: id, agent: 'deploy-operator', tool: 'rollback', lineageId: 'run-1', environment: 'prod', status: 'pending',
      requestedBy: 'serviceAccount:runtime@prod-project.iam.gserviceaccount.com', requestedAt: now.toISOString(),
    });
    const handler = createGcpApproveHandler(env, () => db, () => now);
    expect((await handler({ method: 'GET', headers: { authorization: forwarded(alice) } })).statusCode).toBe(405);
    expect((await handler({ method: 'POST', headers: { authorization: forwarded({ ...alice, email: 'bob@example.com' }) }, body: { approvalId: id } })).statusCode).toBe(403);
    expect((await handler({ method: 'POST', headers: { authorization: forwarded(alice, 'sig') }, body: { approvalId: id } })).statusCode).toBe(401);
    expect(await handler({ method: 'POST', headers: { authorization: forwarded(alice) }, body: { approvalId: id } })).toMatchObject({ statusCode: 200, body: { approver: 'user:alice@example.com' } });
    expect((await db.doc(`${APPROVALS_COLLECTION}/${id}`).get()).data()).toMatchObject({ status: 'approved', approvedBy: 'user:alice@example.com' });
    const broken = createGcpApproveHandler({ ...env, APPROVE_CONFIG: '{"agent":"x"}' }, () => db);
    expect((await broken({ method: 'POST', headers: { authorization: forwarded(alice) }, body: { approvalId: id } })).statusCode).toBe(503);
  });
});
