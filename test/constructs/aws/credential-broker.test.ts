import { Match, Template } from 'aws-cdk-lib/assertions';
import { CredentialBrokerCore } from '../../../lib/broker';
import { handlerBundleDir } from '../../../constructs/aws/broker-runtime/handler-bundle';
import { Tool } from '../../../lib/model';
import { IamSimulator } from '../../helpers/iam-simulator';
import { ACCOUNT, brokerFixture, BrokerFixture, DEPLOYMENTS, REGION, RUNTIME_ARN, SERVICE, withDeployedValues } from './broker-fixture';

let fx: BrokerFixture;
let template: Template;
let sim: IamSimulator;
let brokerRoleId: string;

beforeAll(() => {
  fx = brokerFixture();
  template = Template.fromStack(fx.stack);
  sim = IamSimulator.fromTemplate(withDeployedValues(template.toJSON()), { account: ACCOUNT, region: REGION });
  brokerRoleId = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:component'] === 'broker');
});
afterAll(() => fx.cleanup());

const toolRoleId = (tool: string) => sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:tool'] === tool);
const FLAG_ARN = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/deploy-operator/kill-switch`;

describe('CredentialBroker: the function', () => {
  test('runs the prebuilt handler on Node.js 22 with a decision log that has a retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Environment: { Variables: { KILL_SWITCH_PARAMETER: { Ref: Match.stringLikeRegexp('BrokerKillSwitchFlag') }, BROKER_CONFIG: Match.anyValue(), APPROVALS_TABLE: Match.anyValue(), APPROVALS_TOPIC_ARN: Match.anyValue() } },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/agent-guardrails/deploy-operator/kill-switch', Value: 'disengaged', Type: 'String' });
  });

  test('may be invoked by the agent runtime principal only', () => {
    const fnId = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => r.Properties.Environment.Variables.BROKER_CONFIG)![0];
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties.FunctionName).includes(fnId));
    expect(permissions.map((p) => [p.Properties.Action, p.Properties.Principal])).toEqual([['lambda:InvokeFunction', RUNTIME_ARN]]);
    expect(template.findResources('AWS::Lambda::Url', { Properties: { TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] } } })).toEqual({});
  });

  test('the configuration in the environment is a valid BrokerConfig naming each tool role, its window and approval', () => {
    const fnId = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => r.Properties.Environment.Variables.BROKER_CONFIG)![0];
    const raw = template.toJSON().Resources[fnId].Properties.Environment.Variables.BROKER_CONFIG;
    const text = sim.resolve(withDeployedValues({ Resources: { X: { Type: 'X', Properties: { v: raw } } } }).Resources.X.Properties.v);
    const config = CredentialBrokerCore.parseConfig(text);
    expect(config).toMatchObject({ agent: 'deploy-operator', environment: 'prod', sessionSeconds: 900, approvalMaxAgeSeconds: 900, openPendingApprovals: true });
    expect(config.requesterIdentities).toContain(RUNTIME_ARN);
    expect(config.tools.map((t) => [t.name, t.identity, t.requiresApproval])).toEqual([
      ['read-service', sim.roleArn(toolRoleId('read-service')), false],
      ['restart-service', sim.roleArn(toolRoleId('restart-service')), true],
      ['rollback-deployment', sim.roleArn(toolRoleId('rollback-deployment')), true],
    ]);
    expect(config.tools[2]).toMatchObject({ resources: [DEPLOYMENTS], actions: ['ecs:StopServiceDeployment'], window: { timeZone: 'Europe/Dublin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] } });
  });
});

describe('CredentialBroker: the broker role may only mint this agent\'s tool sessions (IAM simulator)', () => {
  test('sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity on each tool role', async () => {
    for (const tool of ['read-service', 'restart-service', 'rollback-deployment']) {
      for (const action of ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']) {
        expect(await sim.decide({ role: brokerRoleId, action, resource: sim.roleArn(toolRoleId(tool)) })).toBe('Allowed');
      }
    }
  });

  test('ATTACK: assuming any other role, or acting directly on the tools\' resources, is denied', async () => {
    expect(await sim.decide({ role: brokerRoleId, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin` })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: brokerRoleId, action: 'sts:AssumeRole', resource: sim.roleArn(sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:component'] === 'revocation')) })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: brokerRoleId, action: 'ecs:UpdateService', resource: SERVICE })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: brokerRoleId, action: 'iam:PassRole', resource: sim.roleArn(toolRoleId('read-service')) })).toBe('ImplicitlyDenied');
  });

  test('reads the kill-switch flag but cannot change it; uses approvals without deleting or scanning them', async () => {
    expect(await sim.decide({ role: brokerRoleId, action: 'ssm:GetParameter', resource: FLAG_ARN })).toBe('Allowed');
    expect(await sim.decide({ role: brokerRoleId, action: 'ssm:PutParameter', resource: FLAG_ARN })).toBe('ImplicitlyDenied');
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${Object.keys(template.findResources('AWS::DynamoDB::Table'))[0]}`;
    for (const a of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) expect(await sim.decide({ role: brokerRoleId, action: a, resource: table })).toBe('Allowed');
    for (const a of ['dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:DeleteTable']) expect(await sim.decide({ role: brokerRoleId, action: a, resource: table })).toBe('ImplicitlyDenied');
  });

  test('the tool roles trust the broker role only with SourceIdentity = agent and the agent-guardrails session tags', async () => {
    const brokerArn = sim.roleArn(brokerRoleId);
    const role = toolRoleId('rollback-deployment');
    expect(await sim.decideAssume({ role, principal: brokerArn, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'deploy-operator' } })).toBe('Allowed');
    expect(await sim.decideAssume({ role, principal: brokerArn, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'other-agent' } })).not.toBe('Allowed');
    const tags = {
      'aws:TagKeys': ['agent-guardrails:agent', 'agent-guardrails:tool', 'agent-guardrails:environment', 'agent-guardrails:lineage'],
      'aws:RequestTag/agent-guardrails:agent': 'deploy-operator', 'aws:RequestTag/agent-guardrails:tool': 'rollback-deployment',
      'aws:RequestTag/agent-guardrails:environment': 'prod', 'aws:RequestTag/agent-guardrails:lineage': 'run-42',
    };
    expect(await sim.decideAssume({ role, principal: brokerArn, action: 'sts:TagSession', context: tags })).toBe('Allowed');
    expect(await sim.decideAssume({ role, principal: `arn:aws:iam::${ACCOUNT}:role/agent-runtime`, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'deploy-operator' } })).not.toBe('Allowed');
  });

  test('the revocation role may engage this agent\'s kill-switch flag, and no other parameter', async () => {
    const revocation = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags['agent-guardrails:component'] === 'revocation');
    expect(await sim.decide({ role: revocation, action: 'ssm:PutParameter', resource: FLAG_ARN })).toBe('Allowed');
    expect(await sim.decide({ role: revocation, action: 'ssm:PutParameter', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/other-agent/kill-switch` })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: revocation, action: 'ssm:DeleteParameter', resource: FLAG_ARN })).toBe('ImplicitlyDenied');
  });
});

describe('CredentialBroker: the agent-guardrails checks', () => {
  test('report nothing on an agent wired through the broker and the approval gate', () => {
    const { AgentGuardrailsChecks } = jest.requireActual('../../../constructs/aws/agent-guardrails-checks');
    const report = new AgentGuardrailsChecks().validateScope(fx.app);
    expect(report.violations.map((v: { ruleName: string; description: string }) => `${v.ruleName}: ${v.description}`)).toEqual([]);
  });
});

describe('CredentialBroker: refuses what it cannot serve safely', () => {
  test('synth fails when no agent was added', () => {
    const f = brokerFixture({ addAgent: false });
    try {
      expect(() => f.app.synth()).toThrow(/CredentialBroker must serve an agent/);
    } finally { f.cleanup(); }
  });

  test('an approval-gated tool without an approval gate fails synth', () => {
    const f = brokerFixture({ gate: false });
    try {
      expect(() => f.app.synth()).toThrow(/approvalGate is required for approval-gated tools/);
    } finally { f.cleanup(); }
  });

  test('one agent per broker', () => {
    expect(() => fx.broker.addAgent(fx.agent)).toThrow(/AG_BROKER_ONE_AGENT/);
  });

  test('a configuration too large for the Lambda environment fails synth', () => {
    const many = Array.from({ length: 12 }, (_, i) => Tool.read(`read-service-${i}`, {
      aws: { actions: ['ecs:DescribeServices'], resources: Array.from({ length: 4 }, (__, j) => `${SERVICE}-${i}-${j}-with-a-rather-long-name`) },
    }));
    const f = brokerFixture({ tools: many, gate: false });
    try {
      expect(() => f.app.synth()).toThrow(/must fit Lambda's 4096-byte environment/);
    } finally { f.cleanup(); }
  });

  test('a missing handler bundle is a clear error, never a bundling step', () => {
    expect(() => handlerBundleDir('broker', ['/nonexistent/agent-guardrails'])).toThrow(/AG_BROKER_BUNDLE_MISSING.*build-broker-handler/s);
  });

  test('the type guard works', () => {
    const { CredentialBroker } = jest.requireActual('../../../constructs/aws/credential-broker');
    expect(CredentialBroker.isCredentialBroker(fx.broker)).toBe(true);
    expect(CredentialBroker.isCredentialBroker({})).toBe(false);
  });
});
