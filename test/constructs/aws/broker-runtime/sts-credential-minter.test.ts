import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { CredentialBrokerCore, BrokerDecision, ReasonCode } from '../../../../lib/broker';
import { sessionName } from '../../../../constructs/aws/broker-runtime/session-name';
import { narrowingPolicy, StsCredentialMinter } from '../../../../constructs/aws/broker-runtime/sts-credential-minter';
import { config, fakes } from '../../../lib/broker/fakes';
import { decideAsSession } from './session-simulation';

const stsMock = mockClient(STSClient);
const EXPIRATION = new Date('2026-03-25T10:15:00Z');
const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/prod/checkout';
const OTHER_SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/prod/payments';

beforeEach(() => {
  stsMock.reset();
  stsMock.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: EXPIRATION },
    SourceIdentity: 'deploy-operator',
  });
});
afterAll(() => stsMock.restore());

function broker() {
  const f = fakes();
  const core = new CredentialBrokerCore(config(), { ...f, minter: new StsCredentialMinter(new STSClient({ region: 'eu-west-1' })) });
  return { f, core };
}

const TAGS = [
  { Key: 'agent-guardrails:agent', Value: 'deploy-operator' },
  { Key: 'agent-guardrails:tool', Value: 'read-logs' },
  { Key: 'agent-guardrails:environment', Value: 'prod' },
  { Key: 'agent-guardrails:lineage', Value: 'run-42' },
];

describe('StsCredentialMinter: the exact AssumeRole call', () => {
  test('tool role only, 900 s, SourceIdentity = agent, transitive tags, sanitized session name, no policy when not narrowed', async () => {
    const { core } = broker();
    const res = await core.decide({ tool: 'read-logs', lineageId: 'run-42' });
    expect(res).toMatchObject({
      decision: BrokerDecision.GRANTED,
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
      expiresAt: EXPIRATION.toISOString(),
    });
    const calls = stsMock.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::111111111111:role/read-logs',
      RoleSessionName: 'deploy-operator.read-logs.run-42',
      DurationSeconds: 900,
      SourceIdentity: 'deploy-operator',
      Tags: TAGS,
      TransitiveTagKeys: TAGS.map((t) => t.Key),
    });
  });

  test('a narrowed request carries an inline session policy for the declared actions on that resource only', async () => {
    const { core } = broker();
    await core.decide({ tool: 'read-logs', lineageId: 'run-42', resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/app/api' });
    const input = stsMock.commandCalls(AssumeRoleCommand)[0].args[0].input;
    expect(JSON.parse(input.Policy!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['logs:GetLogEvents', 'logs:FilterLogEvents'], Resource: ['arn:aws:logs:eu-west-1:111111111111:log-group:/app/api'] }],
    });
  });

  test('an STS error or an empty answer is a refusal (fail closed)', async () => {
    stsMock.on(AssumeRoleCommand).rejects(new Error('AccessDenied'));
    expect((await broker().core.decide({ tool: 'read-logs', lineageId: 'run-42' })).reasonCode).toBe(ReasonCode.MINT_FAILED);
    stsMock.on(AssumeRoleCommand).resolves({});
    expect((await broker().core.decide({ tool: 'read-logs', lineageId: 'run-42' })).reasonCode).toBe(ReasonCode.MINT_FAILED);
  });

  test('credentials that STS says live ten years, or already expired, are refused (MINT_ANSWER_INVALID)', async () => {
    for (const expiration of [new Date('2036-03-25T10:15:00Z'), new Date('2026-03-25T09:00:00Z')]) {
      stsMock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration } });
      const res = await broker().core.decide({ tool: 'read-logs', lineageId: 'run-42' });
      expect(res).toMatchObject({ decision: BrokerDecision.REFUSED, reasonCode: ReasonCode.MINT_ANSWER_INVALID });
      expect(res.credentials).toBeUndefined();
    }
  });

  test('session names keep to [\\w+=,.@-] and 64 chars', () => {
    expect(sessionName('deploy-operator', 'read-logs', 'run-42')).toBe('deploy-operator.read-logs.run-42');
    const long = sessionName('a'.repeat(40), 'b'.repeat(40), 'c:d'.repeat(40));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(sessionName('x', 'y', 'run:1/2')).toBe('x.y.run-1-2');
  });
});

describe('the minted session, fed to the IAM simulator, can do the declared actions on the narrowed resource only', () => {
  const toolPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:UpdateService', 'ecs:DeleteService'], Resource: 'arn:aws:ecs:eu-west-1:111111111111:service/prod/*' }] };
  const boundary = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:*', 'logs:*'], Resource: '*' }] };
  const killSwitch = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };

  async function mintedSession(resource?: string) {
    const { f, core } = broker();
    const id = '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10';
    f.approvals.records.set(id, {
      approvalId: id, agent: 'deploy-operator', tool: 'rollback-service', lineageId: 'run-42', environment: 'prod', status: 'approved' as never,
      requestedBy: 'arn:aws:iam::111111111111:role/agent-runtime', requestedAt: '2026-03-25T09:58:00Z', approvedBy: 'arn:aws:sts::111111111111:assumed-role/oncall/alice', approvedAt: '2026-03-25T09:59:00Z',
    });
    const res = await core.decide({ tool: 'rollback-service', lineageId: 'run-42', approvalId: id, resource });
    expect(res.decision).toBe(BrokerDecision.GRANTED);
    const input = stsMock.commandCalls(AssumeRoleCommand)[0].args[0].input;
    return {
      account: '111111111111', roleName: input.RoleArn!.split('/').pop()!, sessionName: input.RoleSessionName!,
      identityPolicies: [{ name: 'tool', policy: toolPolicy }], boundary, sessionPolicy: input.Policy, sourceIdentity: input.SourceIdentity!, tags: input.Tags!,
    };
  }

  test('narrowed: the declared actions on the requested service only', async () => {
    const s = await mintedSession(SERVICE);
    expect(await decideAsSession(s, 'ecs:UpdateService', SERVICE)).toBe('Allowed');
    expect(await decideAsSession(s, 'ecs:DeleteService', SERVICE)).toBe('Allowed');
    // ATTACK: use the narrowed session on a sibling the tool role could reach.
    expect(await decideAsSession(s, 'ecs:UpdateService', OTHER_SERVICE)).toBe('ImplicitlyDenied');
    // ATTACK: an undeclared action on the same resource.
    expect(await decideAsSession(s, 'ecs:CreateService', SERVICE)).toBe('ImplicitlyDenied');
  });

  test('not narrowed: the tool role\'s declared resources, nothing else', async () => {
    const s = await mintedSession();
    expect(s.sessionPolicy).toBeUndefined();
    expect(await decideAsSession(s, 'ecs:UpdateService', OTHER_SERVICE)).toBe('Allowed');
    expect(await decideAsSession(s, 'ecs:UpdateService', 'arn:aws:ecs:eu-west-1:111111111111:service/staging/checkout')).toBe('ImplicitlyDenied');
  });

  test('nothing once the kill switch policy is attached (also for sessions already issued)', async () => {
    const s = await mintedSession(SERVICE);
    expect(await decideAsSession(s, 'ecs:UpdateService', SERVICE, { attach: [killSwitch] })).toBe('ExplicitlyDenied');
  });

  test('the session policy is an intersection: narrowing to an undeclared action pattern never widens', async () => {
    const widened = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const s = { ...(await mintedSession(SERVICE)), sessionPolicy: widened };
    expect(await decideAsSession(s, 'iam:CreateUser', '*')).toBe('ImplicitlyDenied');
    expect(narrowingPolicy(['a:B'], 'r').length).toBeLessThan(2048);
  });
});
