/**
 * One conformance suite for the broker on every cloud: the same requests, the same reason codes,
 * through each cloud's real port adapters (on an emulator where one exists, on the SDK's mocking
 * tool or an in-process transport where not). A cloud's test file supplies a `ConformanceHarness`
 * and calls `brokerConformance(harness)`.
 */
import * as fc from 'fast-check';
import { ApproveEndpointConfig, createApproveEndpoint, IApprovalApprover } from '../../lib/broker/approve-endpoint';
import {
  ApprovalRecord, ApprovalStatus, BrokerConfig, BrokerDecision, BrokerPorts, CredentialBrokerCore, DecisionRecord, IDecisionLog,
  LINEAGE_ID_PATTERN, ReasonCode,
} from '../../lib/broker';

/** What a transport or port does wrong. */
export type Fault = 'error' | 'hang' | 'malformed';
export type MintFault = Fault | 'ten-years' | 'expired';

/** One cloud's ports, set up fresh for one test. */
export interface HarnessPorts {
  /** Real adapters for kill switch, approvals and minter; the suite adds clock and log. */
  readonly killSwitch: BrokerPorts['killSwitch'];
  readonly approvals: BrokerPorts['approvals'];
  readonly minter: BrokerPorts['minter'];
  /** Write the kill-switch state as the revocation path would (`undefined`: no state at all; a number: malformed). */
  setKillSwitch(state: string | number | undefined): Promise<void>;
  /** Store an approval record as the cloud's store holds it (fields may be malformed on purpose). */
  putApproval(record: Record<string, unknown>): Promise<void>;
  /** Approve a pending request as a person would, through the cloud's approve path. */
  approve(approvalId: string, approver: string, now: Date): Promise<string>;
  readApproval(approvalId: string): Promise<ApprovalRecord | undefined>;
  /** Break the kill-switch or approvals port (at the transport where the harness can, else at the port). */
  breakPort(port: 'killSwitch' | 'approvals', fault: 'error' | 'hang'): void;
  /** Make the minter's transport fail, hang or answer wrongly. */
  breakMinter(fault: MintFault): void;
  /** The store as the cloud's approve endpoint uses it (GCP, Azure; AWS has its own approve handler). */
  readonly approver?: IApprovalApprover;
  /** Identities the minter was asked for, in order. */
  readonly minted: string[];
  close(): Promise<void>;
}

export interface ConformanceHarness {
  readonly cloud: 'aws' | 'gcp' | 'azure';
  /** The cloud's identity of each tool (AWS role ARN, GCP service account email, Azure client id). */
  readonly identities: { readonly [tool: string]: string };
  /** The declared scopes per tool (GCP, Azure). */
  readonly scopes?: { readonly [tool: string]: string[] };
  /** Resource patterns per tool, as the cloud writes them. */
  readonly resources: { readonly [tool: string]: string };
  /** A concrete resource within `resources['read-logs']`, and one outside it. */
  readonly concreteResource: string;
  readonly outsideResource: string;
  readonly sessionSeconds: number;
  /** An approver identity of this cloud, and the agent runtime's. */
  readonly human: string;
  /** A second approver (of this agent, or of another agent in the cross-agent tests). */
  readonly human2: string;
  readonly runtime: string;
  /** Whether the cloud's approve endpoint runs on the neutral `createApproveEndpoint` (then `ports().approver` is set). */
  readonly approveEndpoint?: boolean;
  /** What the suite leaves to the emulator it runs on (said in the test names). */
  readonly raceProof: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  ports(clock: () => Date): Promise<HarnessPorts>;
}

export const AGENT = 'deploy-operator';
export const APPROVAL_ID = '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10';
// Wednesday 2026-03-25 11:00 in Berlin: inside the deploy window.
const WEDNESDAY_MORNING = new Date('2026-03-25T10:00:00Z');
/** Generous: emulators on a busy 2-core machine answer slowly; a hung port costs this much per case. */
const TIMEOUT_MS = 1000;
const DECISION_RECORD_KEYS = ['agent', 'approvalId', 'approver', 'decision', 'decisionId', 'environment', 'expiresAt', 'invalidFields', 'lineageId', 'reasonCode', 'resource', 'time', 'tool'];

class CollectingLog implements IDecisionLog {
  public readonly records: DecisionRecord[] = [];
  public fault?: 'error' | 'hang';
  public record(r: DecisionRecord): Promise<void> | void {
    if (this.fault === 'error') throw new Error('log down');
    if (this.fault === 'hang') return new Promise(() => undefined);
    this.records.push(JSON.parse(JSON.stringify(r)));
  }
}

export function conformanceConfig(h: ConformanceHarness): BrokerConfig {
  const tool = (name: string, accessLevel: string, requiresApproval: boolean, actions: string[]) => ({
    name, identity: h.identities[name], accessLevel, requiresApproval, resources: [h.resources[name]], actions,
    ...(h.scopes ? { scopes: h.scopes[name] } : {}),
  });
  return {
    agent: AGENT, environment: 'prod', sessionSeconds: h.sessionSeconds, approvalMaxAgeSeconds: 900,
    requesterIdentities: [h.runtime], openPendingApprovals: true, portTimeoutMs: TIMEOUT_MS,
    tools: [
      tool('read-logs', 'read', false, ['read']),
      { ...tool('deploy-service', 'write', false, ['write']), window: { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] } },
      tool('rollback-service', 'destructive', true, ['write', 'delete']),
    ],
  };
}

export function brokerConformance(h: ConformanceHarness): void {
  describe(`broker conformance on ${h.cloud}`, () => {
    beforeAll(() => h.start(), 60_000);
    afterAll(() => h.stop(), 60_000);

    let now: Date;
    let p: HarnessPorts;
    let log: CollectingLog;
    let broker: CredentialBrokerCore;
    beforeEach(async () => {
      now = WEDNESDAY_MORNING;
      p = await h.ports(() => now);
      await p.setKillSwitch('disengaged');
      log = new CollectingLog();
      broker = new CredentialBrokerCore(conformanceConfig(h), { killSwitch: p.killSwitch, approvals: p.approvals, minter: p.minter, clock: { now: () => now }, log });
    });
    afterEach(() => p.close());

    const approved = (overrides: Record<string, unknown> = {}) => p.putApproval({
      approvalId: APPROVAL_ID, agent: AGENT, tool: 'rollback-service', lineageId: 'run-42', environment: 'prod', status: 'approved',
      requestedBy: h.runtime, requestedAt: new Date(now.getTime() - 120_000).toISOString(),
      approvedBy: h.human, approvedAt: new Date(now.getTime() - 60_000).toISOString(), ...overrides,
    });
    const useApproval = { tool: 'rollback-service', lineageId: 'run-42', approvalId: APPROVAL_ID };
    const code = async (request: unknown) => (await broker.decide(request)).reasonCode;

    describe('request schema and the decision record', () => {
      test('a valid request is granted for the tool identity only, with a credential that ends within the session', async () => {
        const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42' });
        expect(res).toMatchObject({ decision: BrokerDecision.GRANTED, reasonCode: ReasonCode.GRANTED });
        expect(p.minted).toEqual([h.identities['read-logs']]);
        const expiry = Date.parse(res.expiresAt!);
        expect(expiry).toBeGreaterThan(now.getTime());
        expect(expiry).toBeLessThanOrEqual(now.getTime() + h.sessionSeconds * 1000 + 30_000);
      });

      test('the decision record has one shape on every cloud, and never the credential', async () => {
        const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-42', reason: 'incident 7: my password is hunter2' });
        expect(log.records).toHaveLength(1);
        expect(Object.keys(log.records[0]).sort()).toEqual(DECISION_RECORD_KEYS);
        expect(log.records[0]).toMatchObject({ agent: AGENT, tool: 'read-logs', environment: 'prod', lineageId: 'run-42', decision: 'granted', reasonCode: 'GRANTED', expiresAt: res.expiresAt });
        const text = JSON.stringify(log.records);
        for (const secret of Object.values(res.credentials!)) if (secret.length > 3) expect(text).not.toContain(secret);
        expect(text).not.toContain('hunter2');
      });

      test('invalid, oversized and unknown-tool requests are refused before any port', async () => {
        expect(await code({ tool: 'read-logs', lineageId: 'run 42; DROP' })).toBe(ReasonCode.INVALID_REQUEST);
        expect(await code({ tool: 'read-logs', lineageId: 'run-42', role: 'admin' })).toBe(ReasonCode.INVALID_REQUEST);
        expect(await code({ tool: 'read-logs', lineageId: 'run-42', reason: 'x'.repeat(20_000) })).toBe(ReasonCode.REQUEST_TOO_LARGE);
        expect(await code({ tool: 'delete-account', lineageId: 'run-42' })).toBe(ReasonCode.UNKNOWN_TOOL);
        expect(await code({ tool: 'read-logs', lineageId: 'run-42', resource: h.outsideResource })).toBe(ReasonCode.RESOURCE_NOT_DECLARED);
        expect(await code({ tool: 'read-logs', lineageId: 'run-42', resource: h.concreteResource })).toBe(ReasonCode.GRANTED);
        expect(p.minted).toEqual([h.identities['read-logs']]);
      });
    });

    describe('the kill switch, read on every request, fails closed', () => {
      test('engaged, or any value but "disengaged", refuses; engaging takes effect on the next request', async () => {
        expect(await code({ tool: 'read-logs', lineageId: 'run-1' })).toBe(ReasonCode.GRANTED);
        await p.setKillSwitch('engaged');
        expect(await code({ tool: 'read-logs', lineageId: 'run-2' })).toBe(ReasonCode.KILL_SWITCH_ENGAGED);
        await p.setKillSwitch('DISENGAGED');
        expect(await code({ tool: 'read-logs', lineageId: 'run-3' })).toBe(ReasonCode.KILL_SWITCH_ENGAGED);
      });

      test.each([
        ['missing', undefined], ['malformed (a number)', 42],
      ])('a %s kill-switch state is unreadable', async (_name, state) => {
        await p.setKillSwitch(state as never);
        expect(await code({ tool: 'read-logs', lineageId: 'run-1' })).toBe(ReasonCode.KILL_SWITCH_UNREADABLE);
        expect(p.minted).toHaveLength(0);
      });

      test('a kill-switch port that errors or hangs refuses (UNREADABLE / TIMEOUT)', async () => {
        p.breakPort('killSwitch', 'error');
        expect(await code({ tool: 'read-logs', lineageId: 'run-1' })).toBe(ReasonCode.KILL_SWITCH_UNREADABLE);
        p.breakPort('killSwitch', 'hang');
        expect(await code({ tool: 'read-logs', lineageId: 'run-1' })).toBe(ReasonCode.KILL_SWITCH_TIMEOUT);
        expect(p.minted).toHaveLength(0);
      });
    });

    describe('change windows, DST-correct', () => {
      test.each([
        ['2026-03-27T08:00:00Z', ReasonCode.GRANTED], // Friday 09:00 CET
        ['2026-03-27T07:59:00Z', ReasonCode.WINDOW_CLOSED],
        ['2026-03-30T07:30:00Z', ReasonCode.GRANTED], // Monday 09:30 CEST, after spring forward
        ['2026-03-30T06:59:00Z', ReasonCode.WINDOW_CLOSED], // Monday 08:59 CEST
        ['2026-03-28T10:00:00Z', ReasonCode.WINDOW_CLOSED], // Saturday
      ])('deploy-service at %s → %s', async (iso, expected) => {
        now = new Date(iso);
        expect(await code({ tool: 'deploy-service', lineageId: 'run-1' })).toBe(expected);
      });
    });

    describe('approvals: human, fresh, single use', () => {
      test('request → pending → a person approves → one credential; the approval is then used', async () => {
        const first = await broker.decide({ tool: 'rollback-service', lineageId: 'run-77', reason: 'roll back 1.4.2' });
        expect(first.reasonCode).toBe(ReasonCode.APPROVAL_REQUIRED);
        const id = first.approvalId!;
        expect(await code({ tool: 'rollback-service', lineageId: 'run-77', approvalId: id })).toBe(ReasonCode.APPROVAL_PENDING);
        expect(await p.approve(id, h.runtime, now)).toBe('self-approval');
        expect(await p.approve(id, h.human, now)).toBe('approved');
        const granted = await broker.decide({ tool: 'rollback-service', lineageId: 'run-77', approvalId: id });
        expect(granted).toMatchObject({ decision: BrokerDecision.GRANTED, approvalId: id });
        expect(log.records.at(-1)).toMatchObject({ approvalId: id, approver: h.human });
        expect((await p.readApproval(id))?.status).toBe(ApprovalStatus.USED);
        expect(await code({ tool: 'rollback-service', lineageId: 'run-77', approvalId: id })).toBe(ReasonCode.APPROVAL_ALREADY_USED);
        expect(p.minted).toEqual([h.identities['rollback-service']]);
      });

      test(`two concurrent uses of one approval: exactly one wins (${h.raceProof})`, async () => {
        for (let round = 0; round < 5; round++) {
          const id = `0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b${String(round).padStart(2, '0')}`;
          await approved({ approvalId: id });
          const results = await Promise.all([1, 2, 3].map(() => broker.decide({ ...useApproval, approvalId: id })));
          expect(results.map((r) => r.reasonCode).sort()).toEqual([ReasonCode.APPROVAL_ALREADY_USED, ReasonCode.APPROVAL_ALREADY_USED, ReasonCode.GRANTED]);
        }
        expect(p.minted).toHaveLength(5);
      });

      test.each([
        ['self-approved', { approvedBy: 'RUNTIME' }, ReasonCode.APPROVAL_SELF_APPROVED],
        ['stale', { approvedAt: '2026-03-25T09:44:00.000Z' }, ReasonCode.APPROVAL_EXPIRED],
        ['for another lineage', { lineageId: 'run-43' }, ReasonCode.APPROVAL_MISMATCH],
        ['still pending', { status: 'pending', approvedBy: undefined, approvedAt: undefined }, ReasonCode.APPROVAL_PENDING],
        ['malformed (status is a number)', { status: 7 }, ReasonCode.APPROVAL_STORE_UNAVAILABLE],
        ['malformed (approvedAt is a number)', { approvedAt: 1774432740000 }, ReasonCode.APPROVAL_STORE_UNAVAILABLE],
      ])('an approval that is %s is refused and never minted', async (_name, overrides, expected) => {
        const o: Record<string, unknown> = { ...overrides };
        if (o.approvedBy === 'RUNTIME') o.approvedBy = h.runtime;
        for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
        await approved(o);
        if ('approvedBy' in overrides && overrides.approvedBy === undefined) {
          // a pending record: store it without approver fields
          await p.putApproval({ approvalId: APPROVAL_ID, agent: AGENT, tool: 'rollback-service', lineageId: 'run-42', environment: 'prod', status: 'pending', requestedBy: h.runtime, requestedAt: now.toISOString() });
        }
        expect(await code(useApproval)).toBe(expected);
        expect(p.minted).toHaveLength(0);
      });

      test('an approvals port that errors or hangs refuses (UNAVAILABLE / TIMEOUT), never mints', async () => {
        await approved();
        p.breakPort('approvals', 'error');
        expect(await code(useApproval)).toBe(ReasonCode.APPROVAL_STORE_UNAVAILABLE);
        expect(await code({ tool: 'rollback-service', lineageId: 'run-42' })).toBe(ReasonCode.APPROVAL_STORE_UNAVAILABLE);
        p.breakPort('approvals', 'hang');
        expect(await code(useApproval)).toBe(ReasonCode.APPROVAL_STORE_TIMEOUT);
        expect(p.minted).toHaveLength(0);
      });
    });

    (h.approveEndpoint ? describe : describe.skip)('the approve endpoint: declared approvers only, identity from the cloud\'s authentication, one approval per call', () => {
      const lines: string[] = [];
      const endpoint = (config: Partial<ApproveEndpointConfig> = {}) => createApproveEndpoint(
        { agent: AGENT, environment: 'prod', approvers: [h.human, h.human2], deniedApprovers: [h.runtime], ...config }, p.approver!, { now: () => now, write: (l) => lines.push(l), timeoutMs: TIMEOUT_MS },
      );
      const pending = async (lineageId = 'run-88') => (await broker.decide({ tool: 'rollback-service', lineageId, reason: 'roll back' })).approvalId!;

      test('only a declared approver approves; the body cannot name the approver; the credential\'s record names the approver', async () => {
        const id = await pending();
        const approve = endpoint();
        expect((await approve(undefined, { approvalId: id })).statusCode).toBe(401);
        expect((await approve(h.runtime, { approvalId: id })).body.outcome).toBe('not-an-approver');
        expect((await approve('user:mallory@example.com', { approvalId: id })).statusCode).toBe(403);
        expect((await approve(h.human, { approvalId: '../../x' })).statusCode).toBe(400);
        const ok = await approve(h.human, JSON.stringify({ approvalId: id, approver: h.human2 }));
        expect(ok).toMatchObject({ statusCode: 200, body: { outcome: 'approved', approver: h.human } });
        expect((await p.readApproval(id))).toMatchObject({ status: ApprovalStatus.APPROVED, approvedBy: h.human });
        expect((await approve(h.human2, { approvalId: id })).body.outcome).toBe('not-pending');
        expect(await code({ tool: 'rollback-service', lineageId: 'run-88', approvalId: id })).toBe(ReasonCode.GRANTED);
        expect(log.records.at(-1)).toMatchObject({ approver: h.human });
        expect(await code({ tool: 'rollback-service', lineageId: 'run-88', approvalId: id })).toBe(ReasonCode.APPROVAL_ALREADY_USED);
        expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(['not-an-approver', 'not-an-approver', 'approved', 'not-pending']);
      });

      test('the requester can never approve, even when listed as an approver by mistake', async () => {
        const id = await pending();
        expect((await endpoint({ approvers: [h.runtime] })(h.runtime, { approvalId: id })).body.outcome).toBe('self-approval');
        // Without the endpoint's own deny list, the store still refuses the request's requester.
        expect((await endpoint({ approvers: [h.runtime], deniedApprovers: [] })(h.runtime, { approvalId: id })).body.outcome).toBe('self-approval');
        expect((await p.readApproval(id))?.status).toBe(ApprovalStatus.PENDING);
      });

      test.each([['another agent', { agent: 'other-agent' }], ['another environment', { environment: 'staging' }]])('an approver of %s cannot approve this agent\'s request', async (_name, scope) => {
        const id = await pending();
        const reply = await endpoint({ ...scope, approvers: [h.human2] })(h.human2, { approvalId: id });
        expect(reply).toMatchObject({ statusCode: 404, body: { outcome: 'not-found' } });
        expect((await p.readApproval(id))?.status).toBe(ApprovalStatus.PENDING);
        expect(await code({ tool: 'rollback-service', lineageId: 'run-88', approvalId: id })).toBe(ReasonCode.APPROVAL_PENDING);
      });

      test(`two approvers approve one request at once: exactly one approval is recorded, and it is used once (${h.raceProof})`, async () => {
        const approve = endpoint();
        for (let round = 0; round < 4; round++) {
          const lineageId = `run-9${round}`;
          const id = await pending(lineageId);
          const replies = await Promise.all([approve(h.human, { approvalId: id }), approve(h.human2, { approvalId: id })]);
          expect(replies.map((r) => r.body.outcome).sort()).toEqual(['approved', 'not-pending']);
          const winner = replies.find((r) => r.body.outcome === 'approved')!.body.approver;
          expect((await p.readApproval(id))?.approvedBy).toBe(winner);
          const uses = await Promise.all([1, 2].map(() => broker.decide({ tool: 'rollback-service', lineageId, approvalId: id })));
          expect(uses.map((u) => u.reasonCode).sort()).toEqual([ReasonCode.APPROVAL_ALREADY_USED, ReasonCode.GRANTED]);
        }
        expect(p.minted).toHaveLength(4);
      });

      test('an approvals store that errors or hangs approves nothing (503)', async () => {
        const id = await pending();
        const approve = createApproveEndpoint({ agent: AGENT, environment: 'prod', approvers: [h.human], deniedApprovers: [] },
          { approve: () => new Promise(() => undefined) }, { now: () => now, write: () => undefined, timeoutMs: 50 });
        expect((await approve(h.human, { approvalId: id })).statusCode).toBe(503);
        const failing = createApproveEndpoint({ agent: AGENT, environment: 'prod', approvers: [h.human], deniedApprovers: [] },
          { approve: async () => { throw new Error('down'); } }, { now: () => now, write: () => undefined });
        expect((await failing(h.human, { approvalId: id })).statusCode).toBe(503);
        expect((await p.readApproval(id))?.status).toBe(ApprovalStatus.PENDING);
      });
    });

    describe('the minter fails closed', () => {
      test.each([
        ['error', ReasonCode.MINT_FAILED],
        ['hang', ReasonCode.MINT_TIMEOUT],
        ['malformed', ReasonCode.MINT_FAILED],
        ['ten-years', ReasonCode.MINT_ANSWER_INVALID],
        ['expired', ReasonCode.MINT_ANSWER_INVALID],
      ] as const)('a minter transport that answers %s → %s, no credential', async (fault, expected) => {
        p.breakMinter(fault);
        const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-1' });
        expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: expected });
        expect(res.credentials).toBeUndefined();
        expect(log.records[0]).toMatchObject({ decision: 'refused', expiresAt: null });
      });
    });

    describe('the decision log fails closed', () => {
      test.each([['error', ReasonCode.DECISION_LOG_FAILED], ['hang', ReasonCode.DECISION_LOG_TIMEOUT]] as const)('a log that answers %s → %s, no credential', async (fault, expected) => {
        log.fault = fault;
        const res = await broker.decide({ tool: 'read-logs', lineageId: 'run-1' });
        expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: expected });
        expect(res.credentials).toBeUndefined();
      });
    });

    test('fuzz: 3,000 hostile requests never reach the minter with anything but a declared tool and a safe lineage; refusals never echo input', async () => {
      const tools = Object.keys(h.identities);
      const safe = new RegExp(LINEAGE_ID_PATTERN);
      const nasty = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom('run-1\n', 'run\u2028x', 'run-1,agent=root', '*', '../../etc/passwd', 'constructor', '__proto__', 'Ｒun-1', '\ud800', 'x'.repeat(200)),
      );
      const anyValue = fc.oneof(nasty, fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
      const request = fc.record({
        tool: fc.oneof(fc.constantFrom(...tools), anyValue),
        lineageId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,12}$/), anyValue),
        reason: fc.option(anyValue, { nil: undefined }),
        approvalId: fc.option(anyValue, { nil: undefined }),
        resource: fc.option(fc.oneof(fc.constant(h.concreteResource), anyValue), { nil: undefined }),
        extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyValue, { maxKeys: 2 }), { nil: undefined }),
      }, { requiredKeys: [] }).map(({ extra, ...fields }) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
        return extra ? Object.assign(out, extra) : out;
      });
      let runs = 0;
      await fc.assert(fc.asyncProperty(fc.oneof(request, anyValue), async (raw) => {
        runs += 1;
        const before = p.minted.length;
        const res = await broker.decide(raw);
        const minted = p.minted.slice(before);
        const rec = log.records.at(-1)!;
        if (minted.length > 0) {
          expect(res.decision).toBe(BrokerDecision.GRANTED);
          expect(minted).toEqual([h.identities[(raw as { tool: string }).tool]]);
          expect((raw as { lineageId: string }).lineageId).toMatch(safe);
        } else {
          expect(res.decision).toBe(BrokerDecision.REFUSED);
          expect(res.credentials).toBeUndefined();
          // Never echo: the message is fixed text, and the record holds only validated tokens.
          for (const v of Object.values(typeof raw === 'object' && raw !== null ? raw : {})) {
            if (typeof v === 'string' && v.length >= 4 && !tools.includes(v) && !safe.test(v)) expect(res.message).not.toContain(v);
          }
          if (rec.lineageId !== null) expect(rec.lineageId).toMatch(safe);
          if (rec.tool !== null) expect(rec.tool).toMatch(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/);
        }
      }), { numRuns: 3000 });
      expect(runs).toBeGreaterThanOrEqual(3000);
    }, 240_000);
  });
}
