import { ApprovalStatus, CredentialBrokerCore, BrokerDecision, ReasonCode } from '../../../lib/broker';
import { GuardrailError } from '../../../lib/errors';
import { approve, config, fakes, HUMAN, RUNTIME } from './fakes';

// Wednesday 2026-03-25 11:00 in Berlin: inside the deploy window.
const WEDNESDAY_MORNING = new Date('2026-03-25T10:00:00Z');

function setup(overrides = {}) {
  const f = fakes(WEDNESDAY_MORNING);
  return { f, broker: new CredentialBrokerCore(config(overrides), f) };
}

describe('CredentialBrokerCore: grants', () => {
  test('a read tool is granted for the tool identity only, 900 s, stamped with agent/tool/environment/lineage', async () => {
    const { f, broker } = setup();
    const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42' });
    expect(res).toMatchObject({ decision: BrokerDecision.GRANTED, reasonCode: ReasonCode.GRANTED, credentials: { accessKeyId: 'ASIAFAKE' } });
    expect(f.minter.calls).toEqual([expect.objectContaining({
      agent: 'deploy-operator', tool: 'read-logs', environment: 'prod', lineageId: 'run-42',
      identity: 'arn:aws:iam::111111111111:role/read-logs', durationSeconds: 900, resource: undefined,
    })]);
  });

  test('logs exactly one JSON decision record per request, without secrets or free text', async () => {
    const { f, broker } = setup();
    const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42', reason: 'my password is hunter2' });
    expect(f.log.records).toHaveLength(1);
    expect(f.log.records[0]).toEqual({
      decisionId: res.decisionId, time: '2026-03-25T10:00:00.000Z', agent: 'deploy-operator', tool: 'read-logs', environment: 'prod',
      lineageId: 'run-42', decision: 'granted', reasonCode: 'GRANTED', approvalId: null, approver: null, resource: null,
      expiresAt: '2026-03-25T10:15:00.000Z', invalidFields: null,
    });
    const text = JSON.stringify(f.log.records);
    expect(text).not.toMatch(/SECRET-VALUE|TOKEN-VALUE|ASIAFAKE|hunter2/);
  });

  test('a resource within the declared resources is passed to the minter to narrow the credential', async () => {
    const { f, broker } = setup();
    const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/app/api' });
    expect(res.decision).toBe(BrokerDecision.GRANTED);
    expect(f.minter.calls[0].resource).toBe('arn:aws:logs:eu-west-1:111111111111:log-group:/app/api');
    expect(f.log.records[0].resource).toBe('arn:aws:logs:eu-west-1:111111111111:log-group:/app/api');
  });

  test('a destructive tool with a fresh approval by another person is granted once, and the approval is consumed', async () => {
    const { f, broker } = setup();
    const id = approve(f);
    const res = await broker.decide({ tool: 'rollback-service', lineageId: 'run-42', approvalId: id });
    expect(res).toMatchObject({ decision: BrokerDecision.GRANTED, approvalId: id });
    expect(f.approvals.records.get(id)?.status).toBe(ApprovalStatus.USED);
    expect(f.log.records[0]).toMatchObject({ approvalId: id, approver: HUMAN, decision: 'granted' });
    const again = await broker.decide({ tool: 'rollback-service', lineageId: 'run-42', approvalId: id });
    expect(again.reasonCode).toBe(ReasonCode.APPROVAL_ALREADY_USED);
    expect(f.minter.calls).toHaveLength(1);
  });
});

describe('CredentialBrokerCore: every refusal path refuses, logs and never mints', () => {
  async function refused(mutate: (s: ReturnType<typeof setup>) => void | string, request: Record<string, unknown>, code: ReasonCode, overrides = {}) {
    const s = setup(overrides);
    mutate(s);
    const res = await s.broker.decide(request);
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: code });
    expect(res.credentials).toBeUndefined();
    expect(s.f.minter.calls).toHaveLength(0);
    expect(s.f.log.records).toHaveLength(1);
    expect(s.f.log.records[0]).toMatchObject({ decision: 'refused', reasonCode: code, decisionId: res.decisionId });
    return s;
  }
  const ok = () => undefined;

  test('INVALID_REQUEST: unknown field, missing lineage, bad lineage, control characters, not an object', async () => {
    await refused(ok, { tool: 'read-logs', lineageId: 'run-42', role: 'arn:aws:iam::1:role/admin' }, ReasonCode.INVALID_REQUEST);
    await refused(ok, { tool: 'read-logs' }, ReasonCode.INVALID_REQUEST);
    await refused(ok, { tool: 'read-logs', lineageId: 'run 42; DROP' }, ReasonCode.INVALID_REQUEST);
    await refused(ok, { tool: 'read-logs', lineageId: 'run-42', reason: 'line\nbreak' }, ReasonCode.INVALID_REQUEST);
    await refused(ok, { tool: 'read-logs', lineageId: 'run-42', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:*' }, ReasonCode.INVALID_REQUEST);
    for (const raw of [null, 'read-logs', 42, ['read-logs', 'run-42']]) {
      const s = setup();
      expect((await s.broker.decide(raw)).reasonCode).toBe(ReasonCode.INVALID_REQUEST);
      expect(s.f.minter.calls).toHaveLength(0);
    }
  });

  test('INVALID_REQUEST logs field names, never the bad values', async () => {
    const s = await refused(ok, { tool: 'read-logs', lineageId: 'x'.repeat(200), approvalId: 'secret-token-value!!' }, ReasonCode.INVALID_REQUEST);
    expect(s.f.log.records[0]).toMatchObject({ tool: 'read-logs', lineageId: null, approvalId: null, invalidFields: ['/lineageId', '/approvalId'] });
    expect(JSON.stringify(s.f.log.records[0])).not.toContain('secret-token-value');
  });

  test('REQUEST_TOO_LARGE: a huge payload is refused before schema validation', async () => {
    await refused(ok, { tool: 'read-logs', lineageId: 'run-42', reason: 'a'.repeat(100_000) }, ReasonCode.REQUEST_TOO_LARGE);
  });

  test('UNKNOWN_TOOL: a tool the agent does not have, including prototype names', async () => {
    await refused(ok, { tool: 'delete-account', lineageId: 'run-42' }, ReasonCode.UNKNOWN_TOOL);
    await refused(ok, { tool: 'constructor', lineageId: 'run-42' }, ReasonCode.UNKNOWN_TOOL);
  });

  test('RESOURCE_NOT_DECLARED: a resource outside the declared patterns (and the approval is not burnt)', async () => {
    await refused(ok, { tool: 'read-logs', lineageId: 'run-42', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/security/audit' }, ReasonCode.RESOURCE_NOT_DECLARED);
    let id = '';
    const s = await refused((x) => { id = approve(x.f); }, { tool: 'rollback-service', lineageId: 'run-42', approvalId: '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10', resource: 'arn:aws:ecs:eu-west-1:222222222222:service/prod/api' }, ReasonCode.RESOURCE_NOT_DECLARED);
    expect(s.f.approvals.records.get(id)?.status).toBe(ApprovalStatus.APPROVED);
  });

  test('KILL_SWITCH_ENGAGED and KILL_SWITCH_UNREADABLE (fail closed)', async () => {
    await refused((s) => { s.f.killSwitch.engaged = true; }, { tool: 'read-logs', lineageId: 'run-42' }, ReasonCode.KILL_SWITCH_ENGAGED);
    await refused((s) => { s.f.killSwitch.fails = true; }, { tool: 'read-logs', lineageId: 'run-42' }, ReasonCode.KILL_SWITCH_UNREADABLE);
    // A port that answers anything but a yes/no is unreadable.
    await refused((s) => { (s.f.killSwitch as unknown as { isEngaged: () => Promise<unknown> }).isEngaged = async () => undefined; }, { tool: 'read-logs', lineageId: 'run-42' }, ReasonCode.KILL_SWITCH_UNREADABLE);
    await refused((s) => { (s.f.killSwitch as unknown as { isEngaged: () => Promise<unknown> }).isEngaged = async () => 'false'; }, { tool: 'read-logs', lineageId: 'run-42' }, ReasonCode.KILL_SWITCH_UNREADABLE);
  });

  test('WINDOW_CLOSED outside the window, WINDOW_EXPIRED past its expiry', async () => {
    await refused((s) => { s.f.clock.at = new Date('2026-03-25T20:00:00Z'); }, { tool: 'deploy-service', lineageId: 'run-42' }, ReasonCode.WINDOW_CLOSED);
    const expiring = config();
    const tools = expiring.tools.map((t) => (t.window ? { ...t, window: { ...t.window, expiresAt: '2026-03-01T00:00:00Z' } } : t));
    await refused(ok, { tool: 'deploy-service', lineageId: 'run-42' }, ReasonCode.WINDOW_EXPIRED, { tools });
  });

  test('APPROVAL_REQUIRED: no approval id opens a pending request and returns its id', async () => {
    const s = await refused(ok, { tool: 'rollback-service', lineageId: 'run-42', reason: 'roll back bad deploy' }, ReasonCode.APPROVAL_REQUIRED);
    expect(s.f.approvals.opened).toEqual([expect.objectContaining({ agent: 'deploy-operator', tool: 'rollback-service', lineageId: 'run-42', status: 'pending', requestedBy: RUNTIME, reason: 'roll back bad deploy' })]);
    expect(s.f.log.records[0].approvalId).toBe(s.f.approvals.opened[0].approvalId);
  });

  test('APPROVAL_REQUIRED without opening a request when openPendingApprovals is false', async () => {
    const s = await refused(ok, { tool: 'rollback-service', lineageId: 'run-42' }, ReasonCode.APPROVAL_REQUIRED, { openPendingApprovals: false });
    expect(s.f.approvals.opened).toHaveLength(0);
  });

  const withApproval = (overrides: Record<string, unknown>) => (s: ReturnType<typeof setup>) => { approve(s.f, overrides); };
  const useApproval = { tool: 'rollback-service', lineageId: 'run-42', approvalId: '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10' };

  test('APPROVAL_NOT_FOUND', async () => {
    await refused(ok, useApproval, ReasonCode.APPROVAL_NOT_FOUND);
  });

  test('APPROVAL_MISMATCH: another lineage, tool, agent or environment', async () => {
    await refused(withApproval({ lineageId: 'run-43' }), useApproval, ReasonCode.APPROVAL_MISMATCH);
    await refused(withApproval({ tool: 'deploy-service' }), useApproval, ReasonCode.APPROVAL_MISMATCH);
    await refused(withApproval({ agent: 'other-agent' }), useApproval, ReasonCode.APPROVAL_MISMATCH);
    await refused(withApproval({ environment: 'dev' }), useApproval, ReasonCode.APPROVAL_MISMATCH);
  });

  test('APPROVAL_PENDING: not approved yet', async () => {
    await refused(withApproval({ status: ApprovalStatus.PENDING, approvedBy: undefined, approvedAt: undefined }), useApproval, ReasonCode.APPROVAL_PENDING);
  });

  test('APPROVAL_SELF_APPROVED: approved by the requester, or by a session of the agent runtime role', async () => {
    await refused(withApproval({ approvedBy: RUNTIME }), useApproval, ReasonCode.APPROVAL_SELF_APPROVED);
    await refused(withApproval({ approvedBy: 'arn:aws:sts::111111111111:assumed-role/AGENT-RUNTIME/i-0abc' }), useApproval, ReasonCode.APPROVAL_SELF_APPROVED);
    await refused(withApproval({ requestedBy: HUMAN }), useApproval, ReasonCode.APPROVAL_SELF_APPROVED);
  });

  test('APPROVAL_EXPIRED: older than 15 minutes, or stamped in the future', async () => {
    await refused(withApproval({ approvedAt: new Date(WEDNESDAY_MORNING.getTime() - 901_000).toISOString() }), useApproval, ReasonCode.APPROVAL_EXPIRED);
    await refused(withApproval({ approvedAt: new Date(WEDNESDAY_MORNING.getTime() + 3_600_000).toISOString() }), useApproval, ReasonCode.APPROVAL_EXPIRED);
    await refused(withApproval({ approvedAt: 'not a date' }), useApproval, ReasonCode.APPROVAL_EXPIRED);
  });

  test('APPROVAL_ALREADY_USED: used, or the atomic consume lost a race', async () => {
    await refused(withApproval({ status: ApprovalStatus.USED }), useApproval, ReasonCode.APPROVAL_ALREADY_USED);
    await refused((s) => { approve(s.f); s.f.approvals.consume = async () => false; }, useApproval, ReasonCode.APPROVAL_ALREADY_USED);
  });

  test('APPROVAL_STORE_UNAVAILABLE (fail closed) on get, consume and openPending', async () => {
    await refused((s) => { s.f.approvals.fails = true; }, useApproval, ReasonCode.APPROVAL_STORE_UNAVAILABLE);
    await refused((s) => { approve(s.f); s.f.approvals.consume = async () => { throw new Error('throttled'); }; }, useApproval, ReasonCode.APPROVAL_STORE_UNAVAILABLE);
    await refused((s) => { s.f.approvals.fails = true; }, { tool: 'rollback-service', lineageId: 'run-42' }, ReasonCode.APPROVAL_STORE_UNAVAILABLE);
  });

  test('CLOCK_UNAVAILABLE (fail closed)', async () => {
    await refused((s) => { s.f.clock.fails = true; }, { tool: 'read-logs', lineageId: 'run-42' }, ReasonCode.CLOCK_UNAVAILABLE);
    await refused((s) => { s.f.clock.at = new Date(NaN); }, { tool: 'read-logs', lineageId: 'run-42' }, ReasonCode.CLOCK_UNAVAILABLE);
  });

  test('MINT_FAILED when the minter throws; MINT_ANSWER_INVALID when it returns nothing usable', async () => {
    const s = setup();
    s.f.minter.fails = true;
    const res = await s.broker.decide({ tool: 'read-logs', lineageId: 'run-42' });
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.MINT_FAILED });
    expect(s.f.log.records[0]).toMatchObject({ decision: 'refused', reasonCode: 'MINT_FAILED', expiresAt: null });
    const t = setup();
    t.f.minter.mint = async () => undefined as never;
    expect((await t.broker.decide({ tool: 'read-logs', lineageId: 'run-42' })).reasonCode).toBe(ReasonCode.MINT_ANSWER_INVALID);
  });

  test('DECISION_LOG_FAILED: no audit record, no credential', async () => {
    const s = setup();
    s.f.log.fails = true;
    const res = await s.broker.decide({ tool: 'read-logs', lineageId: 'run-42' });
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.DECISION_LOG_FAILED });
    expect(res.credentials).toBeUndefined();
  });
});

describe('CredentialBrokerCore: configuration', () => {
  test('an invalid config throws AG_BROKER_CONFIG', () => {
    const f = fakes();
    expect(() => new CredentialBrokerCore({ ...config(), tools: [] }, f)).toThrow(/AG_BROKER_CONFIG/);
    expect(() => new CredentialBrokerCore('{not json', f)).toThrow(/AG_BROKER_CONFIG/);
    const dup = config();
    expect(() => new CredentialBrokerCore({ ...dup, tools: [dup.tools[0], dup.tools[0]] }, f)).toThrow(/duplicate tool/);
    try {
      new CredentialBrokerCore({ ...config(), sessionSeconds: 60 }, f);
    } catch (e) {
      expect(GuardrailError.isGuardrailError(e)).toBe(true);
    }
  });

  test('a config given as JSON text is accepted; the type guard works', () => {
    const core = new CredentialBrokerCore(JSON.stringify(config()), fakes());
    expect(CredentialBrokerCore.isCredentialBrokerCore(core)).toBe(true);
    expect(CredentialBrokerCore.isCredentialBrokerCore({})).toBe(false);
  });
});
