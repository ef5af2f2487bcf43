import { ApprovalStatus, BrokerDecision, CredentialBrokerCore, MintRequest, ReasonCode } from '../../../lib/broker';
import { callPort } from '../../../lib/broker/port-call';
import { approve, config, Fakes, fakes, HUMAN } from './fakes';

// Wednesday 2026-03-25 11:00 in Berlin: inside the deploy window.
const WEDNESDAY_MORNING = new Date('2026-03-25T10:00:00Z');
/** Short, so the tests wait little; the behaviour is the same at the default 2 s. */
const TIMEOUT_MS = 25;
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const USE_APPROVAL = { tool: 'rollback-service', lineageId: 'run-42', approvalId: '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10' };

function setup(mutate: (f: Fakes) => void = () => undefined) {
  const f = fakes(WEDNESDAY_MORNING);
  mutate(f);
  return { f, broker: new CredentialBrokerCore(config({ portTimeoutMs: TIMEOUT_MS }), f) };
}

describe('callPort: a bounded call that never throws', () => {
  test('answers, failures (thrown or rejected) and silence are told apart; the signal is aborted on timeout', async () => {
    expect(await callPort(async () => 7, 50)).toEqual({ kind: 'answered', value: 7 });
    expect(await callPort(() => { throw new Error('sync'); }, 50)).toEqual({ kind: 'failed' });
    expect(await callPort(async () => { throw new Error('async'); }, 50)).toEqual({ kind: 'failed' });
    let seen: AbortSignal | undefined;
    expect(await callPort((signal) => { seen = signal; return never(); }, 10)).toEqual({ kind: 'timed-out' });
    expect(seen?.aborted).toBe(true);
  });

  test('a port that rejects after the deadline leaves no unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const late = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30));
      expect(await callPort(() => late, 5)).toEqual({ kind: 'timed-out' });
      await new Promise((r) => setTimeout(r, 60));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('every port call is bounded: a port that never answers is a refusal with its own reason code', () => {
  test('KILL_SWITCH_TIMEOUT: the kill-switch read hangs', async () => {
    const { f, broker } = setup((x) => { x.killSwitch.isEngaged = never; });
    const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42' });
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.KILL_SWITCH_TIMEOUT });
    expect(f.minter.calls).toHaveLength(0);
    expect(f.log.records[0]).toMatchObject({ decision: 'refused', reasonCode: 'KILL_SWITCH_TIMEOUT' });
  });

  test('APPROVAL_STORE_TIMEOUT: opening a pending request, or reading the approval, hangs', async () => {
    const open = setup((x) => { x.approvals.openPending = never; });
    expect((await open.broker.decide({ tool: 'rollback-service', lineageId: 'run-42' })).reasonCode).toBe(ReasonCode.APPROVAL_STORE_TIMEOUT);
    const read = setup((x) => { approve(x); x.approvals.get = never; });
    expect((await read.broker.decide(USE_APPROVAL)).reasonCode).toBe(ReasonCode.APPROVAL_STORE_TIMEOUT);
    expect(read.f.minter.calls).toHaveLength(0);
  });

  test('APPROVAL_CONSUME_TIMEOUT: a hung consume never mints, and says the approval may be used up (not silently)', async () => {
    // The store writes "used" after the broker stopped waiting: the approval is burnt, and the refusal says so.
    const { f, broker } = setup((x) => {
      approve(x);
      const consume = x.approvals.consume.bind(x.approvals);
      x.approvals.consume = (c) => new Promise((resolve) => setTimeout(() => resolve(consume(c)), TIMEOUT_MS * 4));
    });
    const res = await broker.decide(USE_APPROVAL);
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.APPROVAL_CONSUME_TIMEOUT, approvalId: USE_APPROVAL.approvalId });
    expect(res.message).toMatch(/may have been used up/);
    expect(f.minter.calls).toHaveLength(0);
    // The decision record names the approval and its approver: an auditor sees which approval this request touched.
    expect(f.log.records[0]).toMatchObject({ reasonCode: 'APPROVAL_CONSUME_TIMEOUT', approvalId: USE_APPROVAL.approvalId, approver: HUMAN, expiresAt: null });
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 6));
    expect(f.approvals.records.get(USE_APPROVAL.approvalId)?.status).toBe(ApprovalStatus.USED);
    f.approvals.consume = FakesConsume(f);
    expect((await broker.decide(USE_APPROVAL)).reasonCode).toBe(ReasonCode.APPROVAL_ALREADY_USED);
    expect(f.minter.calls).toHaveLength(0);
  });

  test('MINT_TIMEOUT: a hung mint after the consume refuses, says the approval is used up, and a late credential is discarded', async () => {
    let late: ((v: unknown) => void) | undefined;
    const { f, broker } = setup((x) => {
      approve(x);
      x.minter.mint = (req: MintRequest) => new Promise((resolve) => { late = resolve as (v: unknown) => void; void req; });
    });
    const res = await broker.decide(USE_APPROVAL);
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.MINT_TIMEOUT, approvalId: USE_APPROVAL.approvalId });
    expect(res.message).toMatch(/used up the approval/);
    expect(res.credentials).toBeUndefined();
    expect(f.log.records[0]).toMatchObject({ reasonCode: 'MINT_TIMEOUT', approvalId: USE_APPROVAL.approvalId, approver: HUMAN, expiresAt: null });
    late?.({ expiresAt: '2026-03-25T10:15:00Z', credentials: { token: 'LATE-SECRET' } });
    expect(JSON.stringify(f.log.records)).not.toContain('LATE-SECRET');
  });

  test('DECISION_LOG_TIMEOUT: no credential without its record, even when the log hangs', async () => {
    const { f, broker } = setup((x) => { x.log.record = never; });
    const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42' });
    expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.DECISION_LOG_TIMEOUT });
    expect(res.credentials).toBeUndefined();
    expect(f.minter.calls).toHaveLength(1); // minted, never handed out: it expires unused
  });

  test('the timeout is part of the config (1 ms to 30 s)', () => {
    expect(() => new CredentialBrokerCore(config({ portTimeoutMs: 0 }), fakes())).toThrow(/AG_BROKER_CONFIG/);
    expect(() => new CredentialBrokerCore(config({ portTimeoutMs: 60_000 }), fakes())).toThrow(/AG_BROKER_CONFIG/);
  });
});

describe('the time is read again before minting', () => {
  /** A clock that moves `stepMs` forward on every reading after the first. */
  function advancing(f: Fakes, start: Date, stepMs: number) {
    let readings = 0;
    f.clock.now = () => new Date(start.getTime() + stepMs * readings++);
  }

  test('a request at 15:59:59 whose kill-switch read takes until 16:10 is refused (window closes at 17:00 Berlin = 16:00 UTC)', async () => {
    const { f, broker } = setup((x) => {
      let slow = false;
      x.clock.now = () => (slow ? new Date('2026-03-25T16:10:00Z') : new Date('2026-03-25T15:59:59Z'));
      x.killSwitch.isEngaged = async () => { slow = true; return false; };
    });
    const res = await broker.decide({ tool: 'deploy-service', lineageId: 'run-42' });
    expect(res.reasonCode).toBe(ReasonCode.WINDOW_CLOSED);
    expect(f.minter.calls).toHaveLength(0);
    expect(f.log.records[0].time).toBe('2026-03-25T15:59:59.000Z'); // the record keeps the arrival time
  });

  test('the window closes between the checks and the mint: refused before minting', async () => {
    // Readings: arrival 15:59:58, after kill switch 15:59:59, before mint 16:00:00 (closed).
    const { f, broker } = setup((x) => advancing(x, new Date('2026-03-25T15:59:58Z'), 1000));
    const res = await broker.decide({ tool: 'deploy-service', lineageId: 'run-42' });
    expect(res.reasonCode).toBe(ReasonCode.WINDOW_CLOSED);
    expect(f.minter.calls).toHaveLength(0);
  });

  test('an approval that ages out while the store is slow is refused before minting, and the refusal says it is used up', async () => {
    const { f, broker } = setup((x) => {
      approve(x, { approvedAt: new Date(WEDNESDAY_MORNING.getTime() - 899_000).toISOString() });
      let readings = 0;
      // Fresh at arrival and at the consume; 2 s later, just before the mint, it is 901 s old.
      x.clock.now = () => new Date(WEDNESDAY_MORNING.getTime() + (readings++ >= 3 ? 2000 : 0));
    });
    const res = await broker.decide(USE_APPROVAL);
    expect(res.reasonCode).toBe(ReasonCode.APPROVAL_EXPIRED);
    expect(res.message).toMatch(/used up the approval/);
    expect(f.minter.calls).toHaveLength(0);
    expect(f.approvals.records.get(USE_APPROVAL.approvalId)?.status).toBe(ApprovalStatus.USED);
  });

  test('the clock failing just before the mint refuses (CLOCK_UNAVAILABLE)', async () => {
    const { f, broker } = setup((x) => {
      let readings = 0;
      x.clock.now = () => { if (readings++ >= 2) throw new Error('clock gone'); return WEDNESDAY_MORNING; };
    });
    expect((await broker.decide({ tool: 'read-logs', lineageId: 'run-42' })).reasonCode).toBe(ReasonCode.CLOCK_UNAVAILABLE);
    expect(f.minter.calls).toHaveLength(0);
  });
});

describe('the minter\'s answer is checked, not only its shape', () => {
  async function answer(value: unknown): Promise<ReasonCode> {
    const { broker } = setup((x) => { x.minter.mint = async () => value as never; });
    return (await broker.decide({ tool: 'read-logs', lineageId: 'run-42' })).reasonCode;
  }
  const creds = { accessKeyId: 'ASIAFAKE', secretAccessKey: 'S', sessionToken: 'T' };

  test('an expiry within the session (and the cloud\'s clock a little ahead) is granted', async () => {
    expect(await answer({ expiresAt: '2026-03-25T10:15:00Z', credentials: creds })).toBe(ReasonCode.GRANTED);
    expect(await answer({ expiresAt: '2026-03-25T10:15:20.123456789Z', credentials: creds })).toBe(ReasonCode.GRANTED);
    expect(await answer({ expiresAt: '2026-03-25T11:05:00+01:00', credentials: creds })).toBe(ReasonCode.GRANTED);
  });

  test.each([
    ['ten years out', { expiresAt: '2036-03-25T10:15:00Z', credentials: creds }],
    ['longer than the session', { expiresAt: '2026-03-25T11:00:00Z', credentials: creds }],
    ['garbage', { expiresAt: 'garbage', credentials: creds }],
    ['a date without time', { expiresAt: '2026-03-25', credentials: creds }],
    ['an impossible date', { expiresAt: '2026-02-31T10:10:00Z', credentials: creds }],
    ['already past', { expiresAt: '2026-03-25T09:59:00Z', credentials: creds }],
    ['exactly now', { expiresAt: '2026-03-25T10:00:00Z', credentials: creds }],
    ['a number', { expiresAt: 1774433700000, credentials: creds }],
    ['no credential values', { expiresAt: '2026-03-25T10:15:00Z', credentials: {} }],
    ['a non-string credential value', { expiresAt: '2026-03-25T10:15:00Z', credentials: { token: 42 } }],
    ['an empty credential value', { expiresAt: '2026-03-25T10:15:00Z', credentials: { token: '' } }],
    ['an array of credentials', { expiresAt: '2026-03-25T10:15:00Z', credentials: ['a'] }],
    ['null', null],
  ])('MINT_ANSWER_INVALID: %s', async (_name, value) => {
    expect(await answer(value)).toBe(ReasonCode.MINT_ANSWER_INVALID);
  });
});

/** The fake store's own consume (restored after a test replaced it). */
function FakesConsume(f: Fakes) {
  return Object.getPrototypeOf(f.approvals).consume.bind(f.approvals) as Fakes['approvals']['consume'];
}
