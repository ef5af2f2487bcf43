import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStatus, BrokerDecision, CredentialBrokerCore, ReasonCode, BrokerConfig } from '../../../lib/broker';
import { StsCredentialMinter } from '../../../constructs/aws/broker-runtime/sts-credential-minter';
import { IamSimulator } from '../../helpers/iam-simulator';
import { fakes } from '../../lib/broker/fakes';
import { decideAsSession } from './broker-runtime/session-simulation';
import { ACCOUNT, brokerFixture, BrokerFixture, OTHER_SERVICE, REGION, RUNTIME_ARN, SERVICE, withDeployedValues } from './broker-fixture';

/**
 * End to end on the synthesized stack: the broker's own configuration (from the template) decides,
 * STS (mocked) receives the exact AssumeRole call, and the resulting session — tool role policy,
 * the agent's boundary, the session policy, tags and source identity — goes to the IAM simulator.
 */
const stsMock = mockClient(STSClient);
let fx: BrokerFixture;
let sim: IamSimulator;
let config: BrokerConfig;
// Wednesday 2026-03-25 11:00 in Dublin: inside the tools' window.
const IN_WINDOW = new Date('2026-03-25T11:00:00Z');

beforeAll(() => {
  fx = brokerFixture();
  const json = withDeployedValues(Template.fromStack(fx.stack).toJSON());
  sim = IamSimulator.fromTemplate(json, { account: ACCOUNT, region: REGION });
  const fn = Object.values(json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment.Variables.BROKER_CONFIG);
  config = CredentialBrokerCore.parseConfig(sim.resolve(fn.Properties.Environment.Variables.BROKER_CONFIG));
});
afterAll(() => { fx.cleanup(); stsMock.restore(); });
beforeEach(() => {
  stsMock.reset();
  stsMock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(IN_WINDOW.getTime() + 900_000) } });
});

async function mint(tool: string, request: Record<string, unknown>) {
  const f = fakes(IN_WINDOW);
  const id = '7d1f9a8e-0b5c-4e2a-9c3d-1a2b3c4d5e6f';
  f.approvals.records.set(id, {
    approvalId: id, agent: 'deploy-operator', tool, lineageId: 'run-42', environment: 'prod', status: ApprovalStatus.APPROVED,
    requestedBy: RUNTIME_ARN, requestedAt: '2026-03-25T10:58:00Z', approvedBy: `arn:aws:sts::${ACCOUNT}:assumed-role/oncall/alice`, approvedAt: '2026-03-25T10:59:00Z',
  });
  const core = new CredentialBrokerCore(config, { ...f, minter: new StsCredentialMinter(new STSClient({ region: REGION })) });
  const res = await core.decide({ tool, lineageId: 'run-42', approvalId: id, ...request });
  return { res, f };
}

function sessionOf(tool: string) {
  const input = stsMock.commandCalls(AssumeRoleCommand)[0].args[0].input;
  const roleId = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:tool'] === tool);
  expect(input.RoleArn).toBe(sim.roleArn(roleId));
  return {
    input,
    session: {
      account: ACCOUNT, roleName: input.RoleArn!.split('/').pop()!, sessionName: input.RoleSessionName!,
      identityPolicies: sim.identityPoliciesOf(roleId), boundary: sim.boundaryOf(roleId),
      sessionPolicy: input.Policy, sourceIdentity: input.SourceIdentity!, tags: input.Tags!,
    },
  };
}

describe('a broker-minted session on the synthesized deploy-operator stack', () => {
  test('AssumeRole gets exactly: the tool role, 900 s, SourceIdentity, transitive tags, session name, narrowing policy', async () => {
    const { res } = await mint('restart-service', { resource: SERVICE });
    expect(res.decision).toBe(BrokerDecision.GRANTED);
    const { input } = sessionOf('restart-service');
    expect(input).toEqual({
      RoleArn: expect.stringContaining(':role/'),
      RoleSessionName: 'deploy-operator.restart-service.run-42',
      DurationSeconds: 900,
      SourceIdentity: 'deploy-operator',
      Tags: [
        { Key: 'agent-guardrails:agent', Value: 'deploy-operator' }, { Key: 'agent-guardrails:tool', Value: 'restart-service' },
        { Key: 'agent-guardrails:environment', Value: 'prod' }, { Key: 'agent-guardrails:lineage', Value: 'run-42' },
      ],
      TransitiveTagKeys: ['agent-guardrails:agent', 'agent-guardrails:tool', 'agent-guardrails:environment', 'agent-guardrails:lineage'],
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:UpdateService'], Resource: [SERVICE] }] }),
    });
    // The tool role's trust accepts exactly this call from the broker role.
    const brokerArn = sim.roleArn(sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:component'] === 'broker'));
    const role = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:tool'] === 'restart-service');
    expect(await sim.decideAssume({ role, principal: brokerArn, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': input.SourceIdentity! } })).toBe('Allowed');
    const tagContext: Record<string, string | string[]> = { 'aws:TagKeys': input.Tags!.map((t) => t.Key!) };
    for (const t of input.Tags!) tagContext[`aws:RequestTag/${t.Key}`] = t.Value!;
    expect(await sim.decideAssume({ role, principal: brokerArn, action: 'sts:TagSession', context: tagContext })).toBe('Allowed');
  });

  test('the narrowed session can do the declared action on the narrowed resource only', async () => {
    await mint('restart-service', { resource: SERVICE });
    const { session } = sessionOf('restart-service');
    expect(await decideAsSession(session, 'ecs:UpdateService', SERVICE)).toBe('Allowed');
    // ATTACK: the tool role reaches every prod-cluster service, the narrowed session does not.
    expect(await decideAsSession({ ...session, sessionPolicy: undefined }, 'ecs:UpdateService', OTHER_SERVICE)).toBe('Allowed');
    expect(await decideAsSession(session, 'ecs:UpdateService', OTHER_SERVICE)).toBe('ImplicitlyDenied');
    // ATTACK: undeclared actions.
    expect(await decideAsSession(session, 'ecs:DeleteService', SERVICE)).not.toBe('Allowed');
    expect(await decideAsSession(session, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/x`)).not.toBe('Allowed');
  });

  test('nothing once the kill switch deny-all policy is attached, including this already-issued session', async () => {
    await mint('restart-service', { resource: SERVICE });
    const { session } = sessionOf('restart-service');
    const killSwitch = sim.resolve(Template.fromStack(fx.stack).toJSON().Resources[fx.stack.getLogicalId(fx.agent.killSwitch.denyAllPolicy.node.defaultChild as never)].Properties.PolicyDocument);
    expect(await decideAsSession(session, 'ecs:UpdateService', SERVICE, { attach: [killSwitch] })).toBe('ExplicitlyDenied');
  });

  test('ATTACK: even widened to * on *, a minted session cannot touch the broker\'s audit, flag or approvals', async () => {
    await mint('restart-service', {});
    const { session } = sessionOf('restart-service');
    const widened = { ...session, identityPolicies: [...session.identityPolicies, { name: 'widened', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }] };
    const json = withDeployedValues(Template.fromStack(fx.stack).toJSON());
    const idOf = (type: string) => Object.keys(json.Resources).filter((k) => json.Resources[k].Type === type);
    const brokerLog = idOf('AWS::Logs::LogGroup').find((k) => k.startsWith('BrokerDecisionLog'))!;
    const logArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${brokerLog}`;
    const flagArn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/deploy-operator/kill-switch`;
    expect(await decideAsSession(widened, 'logs:DeleteLogGroup', logArn)).toBe('ExplicitlyDenied');
    expect(await decideAsSession(widened, 'logs:PutRetentionPolicy', logArn)).toBe('ExplicitlyDenied');
    expect(await decideAsSession(widened, 'ssm:PutParameter', flagArn)).toBe('ExplicitlyDenied');
    expect(await decideAsSession(widened, 'ssm:DeleteParameter', flagArn)).toBe('ExplicitlyDenied');
    // Forging an approval: the boundary's ceiling holds only the agent's declared actions.
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${idOf('AWS::DynamoDB::Table')[0]}`;
    for (const a of ['dynamodb:UpdateItem', 'dynamodb:PutItem']) expect(await decideAsSession(widened, a, table)).not.toBe('Allowed');
    const approveFn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${idOf('AWS::Lambda::Function').find((k) => k.startsWith('ApprovalsApproveFunction'))}`;
    expect(await decideAsSession(widened, 'lambda:InvokeFunctionUrl', approveFn)).not.toBe('Allowed');
  });

  test('a resource outside the declaration never reaches STS', async () => {
    const { res } = await mint('restart-service', { resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/staging-cluster/checkout` });
    expect(res.reasonCode).toBe(ReasonCode.RESOURCE_NOT_DECLARED);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});
