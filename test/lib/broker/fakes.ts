import {
  ApprovalConsumeCondition, ApprovalRecord, ApprovalStatus, BrokerConfig, BrokerPorts, DecisionRecord,
  IApprovalStore, ICredentialMinter, IDecisionLog, IKillSwitchState, MintRequest, MintedCredential,
} from '../../../lib/broker';

/** In-memory ports for the broker core; each records what it was asked. */
export class FakeKillSwitch implements IKillSwitchState {
  public engaged = false;
  public fails = false;
  public async isEngaged(): Promise<boolean> {
    if (this.fails) throw new Error('ssm down');
    return this.engaged;
  }
}

export class FakeApprovals implements IApprovalStore {
  public readonly records = new Map<string, ApprovalRecord>();
  public readonly opened: ApprovalRecord[] = [];
  public fails = false;
  public async get(id: string): Promise<ApprovalRecord | undefined> {
    if (this.fails) throw new Error('ddb down');
    return this.records.get(id);
  }
  public async consume(c: ApprovalConsumeCondition): Promise<boolean> {
    if (this.fails) throw new Error('ddb down');
    const r = this.records.get(c.approvalId);
    if (!r || r.status !== ApprovalStatus.APPROVED || r.approvedBy !== c.approvedBy || r.agent !== c.agent || r.tool !== c.tool || r.lineageId !== c.lineageId || (r.approvedAt ?? '') < c.approvedNotBefore) return false;
    this.records.set(c.approvalId, { ...r, status: ApprovalStatus.USED, usedAt: c.usedAt, usedBy: c.decisionId });
    return true;
  }
  public async openPending(record: ApprovalRecord): Promise<void> {
    if (this.fails) throw new Error('ddb down');
    this.opened.push(record);
    this.records.set(record.approvalId, record);
  }
}

/** Answers like STS: a credential that expires `durationSeconds` after the clock's time. */
export class FakeMinter implements ICredentialMinter {
  public readonly calls: MintRequest[] = [];
  public fails = false;
  constructor(private readonly clock: () => Date = () => new Date()) {}
  public async mint(request: MintRequest): Promise<MintedCredential> {
    this.calls.push(request);
    if (this.fails) throw new Error('sts down');
    const expiresAt = new Date(this.clock().getTime() + request.durationSeconds * 1000).toISOString();
    return { expiresAt, credentials: { accessKeyId: 'ASIAFAKE', secretAccessKey: 'SECRET-VALUE', sessionToken: 'TOKEN-VALUE' } };
  }
}

export class FakeLog implements IDecisionLog {
  public readonly records: DecisionRecord[] = [];
  public fails = false;
  public record(r: DecisionRecord): void {
    if (this.fails) throw new Error('log down');
    this.records.push(r);
  }
}

export class FakeClock {
  constructor(public at: Date) {}
  public fails = false;
  public now(): Date {
    if (this.fails) throw new Error('no clock');
    return this.at;
  }
}

export interface Fakes extends BrokerPorts {
  readonly killSwitch: FakeKillSwitch;
  readonly approvals: FakeApprovals;
  readonly minter: FakeMinter;
  readonly clock: FakeClock;
  readonly log: FakeLog;
}

export function fakes(at = new Date('2026-03-25T10:00:00Z')): Fakes {
  const clock = new FakeClock(at);
  return { killSwitch: new FakeKillSwitch(), approvals: new FakeApprovals(), minter: new FakeMinter(() => clock.at), clock, log: new FakeLog() };
}

export const RUNTIME = 'arn:aws:iam::111111111111:role/agent-runtime';
export const HUMAN = 'arn:aws:sts::111111111111:assumed-role/oncall/alice@example.com';

/** deploy-operator: a read tool (always), a write tool (Berlin workdays 09–17), a destructive tool (approval). */
export function config(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  return {
    agent: 'deploy-operator',
    environment: 'prod',
    sessionSeconds: 900,
    approvalMaxAgeSeconds: 900,
    requesterIdentities: [RUNTIME],
    openPendingApprovals: true,
    tools: [
      { name: 'read-logs', identity: 'arn:aws:iam::111111111111:role/read-logs', accessLevel: 'read', requiresApproval: false, resources: ['arn:aws:logs:eu-west-1:111111111111:log-group:/app/*'], actions: ['logs:GetLogEvents', 'logs:FilterLogEvents'] },
      {
        name: 'deploy-service', identity: 'arn:aws:iam::111111111111:role/deploy-service', accessLevel: 'write', requiresApproval: false,
        resources: ['arn:aws:ecs:eu-west-1:111111111111:service/prod/*'], actions: ['ecs:UpdateService'],
        window: { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] },
      },
      { name: 'rollback-service', identity: 'arn:aws:iam::111111111111:role/rollback-service', accessLevel: 'destructive', requiresApproval: true, resources: ['arn:aws:ecs:eu-west-1:111111111111:service/prod/*'], actions: ['ecs:UpdateService', 'ecs:DeleteService'] },
    ],
    ...overrides,
  };
}

/** Store an approved record for rollback-service and return its id. */
export function approve(f: Fakes, overrides: Partial<ApprovalRecord> = {}): string {
  const id = overrides.approvalId ?? '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10';
  f.approvals.records.set(id, {
    approvalId: id, agent: 'deploy-operator', tool: 'rollback-service', lineageId: 'run-42', environment: 'prod',
    status: ApprovalStatus.APPROVED, requestedBy: RUNTIME, requestedAt: new Date(f.clock.at.getTime() - 120_000).toISOString(),
    approvedBy: HUMAN, approvedAt: new Date(f.clock.at.getTime() - 60_000).toISOString(), ...overrides,
  });
  return id;
}
