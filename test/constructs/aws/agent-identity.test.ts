import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity, AgentIdentityProps, ToolRole } from '../../../constructs/aws';
import { Baseline } from '../../../lib/baseline/baseline';
import { GuardrailError } from '../../../lib/errors';
import { AgentTier, ChangeWindow, DECLARATION_METADATA_KEY, Environment, TAG_KEYS, Tool } from '../../../lib/model';

const PROD = Environment.of({ name: 'prod', aws: { account: '333333333333', regions: ['eu-west-1'] } });
const SERVICE = 'arn:aws:ecs:eu-west-1:333333333333:service/prod-cluster/checkout';
const BROKER = 'arn:aws:iam::333333333333:role/agent-guardrails-broker';

let outdir: string;
beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h1-')); });
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

function newStack(env = { account: '333333333333', region: 'eu-west-1' }): Stack {
  return new Stack(new App({ outdir }), 'Agents', { env });
}

function agent(stack: Stack, overrides: Partial<AgentIdentityProps> = {}): AgentIdentity {
  return new AgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment: PROD,
    tools: [
      Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices'], resources: [SERVICE] } }),
      Tool.write('restart-service', { aws: { actions: ['ecs:UpdateService'], resources: [SERVICE] }, window: ChangeWindow.workdays('UTC', '09:00', '17:00') }),
    ],
    broker: iam.Role.fromRoleArn(stack, 'Broker', BROKER, { mutable: false }),
    revocationPrincipals: [new iam.ArnPrincipal('arn:aws:iam::333333333333:role/incident-response')],
    ...overrides,
  });
}

/** The code of the GuardrailError `fn` throws. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (GuardrailError.isGuardrailError(e)) return e.code;
    throw e;
  }
  throw new Error('expected a GuardrailError, nothing was thrown');
}

describe('AgentIdentity: shape of the synthesized roles', () => {
  test('one role per tool, tagged with exactly the agent-guardrails keys, boundary attached, 1 h sessions', () => {
    const stack = newStack();
    const a = agent(stack);
    const t = Template.fromStack(stack);
    t.resourcePropertiesCountIs('AWS::IAM::Role', { Tags: Match.arrayWith([{ Key: TAG_KEYS.component, Value: 'tool-identity' }]) }, 2);
    const roles = t.findResources('AWS::IAM::Role', { Properties: { Tags: Match.arrayWith([{ Key: TAG_KEYS.tool, Value: 'restart-service' }]) } });
    const [role] = Object.values(roles) as any[];
    expect(Object.keys(roles)).toHaveLength(1);
    expect(role.Properties.Tags).toEqual([
      { Key: TAG_KEYS.agent, Value: 'deploy-operator' },
      { Key: TAG_KEYS.component, Value: 'tool-identity' },
      { Key: TAG_KEYS.environment, Value: 'prod' },
      { Key: TAG_KEYS.tier, Value: 'operator' },
      { Key: TAG_KEYS.tool, Value: 'restart-service' },
    ]);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
    expect(role.Properties.PermissionsBoundary).toEqual({ Ref: stack.getLogicalId(a.boundary.policy.node.defaultChild as iam.CfnManagedPolicy) });
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'Tool',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'DeclaredPermissions', Effect: 'Allow', Action: 'ecs:UpdateService', Resource: SERVICE }] },
    }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('trust: only the broker, SourceIdentity required, TagSession only for the expected keys and values', () => {
    const stack = newStack();
    agent(stack);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Tags: Match.arrayWith([{ Key: TAG_KEYS.tool, Value: 'read-service' }]) } });
    const trust = (Object.values(roles)[0] as any).Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: BROKER }, Condition: { StringEquals: { 'sts:SourceIdentity': 'deploy-operator' } } },
      { Sid: 'BrokerSetsSourceIdentity', Effect: 'Allow', Action: 'sts:SetSourceIdentity', Principal: { AWS: BROKER }, Condition: { StringEquals: { 'sts:SourceIdentity': 'deploy-operator' } } },
      {
        Sid: 'BrokerTagsSession', Effect: 'Allow', Action: 'sts:TagSession', Principal: { AWS: BROKER },
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG_KEYS.agent, TAG_KEYS.tool, TAG_KEYS.environment, 'agent-guardrails:lineage'] },
          'StringEquals': { [`aws:RequestTag/${TAG_KEYS.agent}`]: 'deploy-operator', [`aws:RequestTag/${TAG_KEYS.tool}`]: 'read-service', [`aws:RequestTag/${TAG_KEYS.environment}`]: 'prod' },
        },
      },
    ]);
  });

  test('the declaration metadata lets checks compare grants with declarations from the template alone', () => {
    const stack = newStack();
    agent(stack);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Tags: Match.arrayWith([{ Key: TAG_KEYS.tool, Value: 'restart-service' }]) } });
    expect((Object.values(roles)[0] as any).Metadata[DECLARATION_METADATA_KEY]).toEqual({
      agent: 'deploy-operator', tool: 'restart-service', tier: 'operator', environment: 'prod', accessLevel: 'write',
      actions: ['ecs:UpdateService'], resources: [SERVICE], dataSources: [], requiresApproval: false, hasWindow: true,
      // What the activity evaluator reads: the window itself and where the environment lives.
      window: { timeZone: 'UTC', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] },
      placement: { aws: { account: '333333333333' } },
    });
  });

  test('guardrail resources carry component and agent metadata; the revocation role also as tags', () => {
    const stack = newStack();
    agent(stack);
    const t = Template.fromStack(stack);
    for (const component of ['boundary', 'kill-switch']) {
      expect(Object.keys(t.findResources('AWS::IAM::ManagedPolicy', { Metadata: { [TAG_KEYS.component]: component, [TAG_KEYS.agent]: 'deploy-operator' } }))).toHaveLength(1);
    }
    t.hasResource('AWS::IAM::Role', {
      Metadata: { [TAG_KEYS.component]: 'revocation', [TAG_KEYS.agent]: 'deploy-operator' },
      Properties: { Tags: Match.arrayWith([{ Key: TAG_KEYS.agent, Value: 'deploy-operator' }, { Key: TAG_KEYS.component, Value: 'revocation' }]) },
    });
  });

  test('exposes roles by tool name, the boundary, the kill switch and a Symbol.for type guard', () => {
    const stack = newStack();
    const a = agent(stack);
    expect(Object.keys(a.toolRoles)).toEqual(['read-service', 'restart-service']);
    expect(a.roleFor('restart-service')).toBe(a.toolRoles['restart-service']);
    expect(ToolRole.isToolRole(a.roleFor('read-service'))).toBe(true);
    expect(codeOf(() => a.roleFor('nope'))).toBe('AG_AGENT_NO_SUCH_TOOL');
    expect(codeOf(() => a.roleFor('constructor'))).toBe('AG_AGENT_NO_SUCH_TOOL');
    expect(AgentIdentity.isAgentIdentity(a)).toBe(true);
    expect(AgentIdentity.isAgentIdentity({})).toBe(false);
    expect(a.boundary.policy).toBeInstanceOf(iam.ManagedPolicy);
    expect(a.killSwitch.denyAllPolicy).toBeInstanceOf(iam.ManagedPolicy);
    expect(a.killSwitch.revocationRole).toBeInstanceOf(iam.Role);
    expect([a.agentName, a.tier, a.environment.name, a.tools.length]).toEqual(['deploy-operator', 'operator', 'prod', 2]);
  });

  test('a stack-wide tag removal cannot strip the agent-guardrails tags', () => {
    const stack = newStack();
    agent(stack);
    const { Tags } = require('aws-cdk-lib/core');
    Tags.of(stack).remove(TAG_KEYS.agent);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::IAM::Role', { Tags: Match.arrayWith([{ Key: TAG_KEYS.agent, Value: 'deploy-operator' }]) }, 3);
  });
});

describe('AgentIdentity: construct-time refusal', () => {
  const tool = (aws: { actions: string[]; resources: string[] }) => [Tool.write('restart-service', { aws })];
  const cases: [string, string, Partial<AgentIdentityProps>][] = [
    ['AG_TOOL_WILDCARD_ACTION', '"*" action', { tools: tool({ actions: ['*'], resources: [SERVICE] }) }],
    ['AG_TOOL_WILDCARD_ACTION', 'service wildcard', { tools: tool({ actions: ['ecs:*'], resources: [SERVICE] }) }],
    ['AG_TOOL_WILDCARD_ACTION', 'prefix wildcard', { tools: tool({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::b/*'] }) }],
    ['AG_TOOL_WILDCARD_ACTION', '? wildcard', { tools: tool({ actions: ['iam:?ut*'], resources: ['*'] }) }],
    ['AG_TOOL_UNKNOWN_ACTION', 'unknown action', { tools: tool({ actions: ['ecs:RestartEverything'], resources: [SERVICE] }) }],
    ['AG_TOOL_WILDCARD_RESOURCE', 'Resource * for a resource-level action', { tools: tool({ actions: ['ecs:UpdateService'], resources: ['*'] }) }],
    ['AG_TOOL_DENIED_BY_BOUNDARY', 'an IAM write the boundary denies', { tools: tool({ actions: ['iam:PutRolePolicy'], resources: ['arn:aws:iam::333333333333:role/app'] }) }],
    ['AG_TOOL_DENIED_BY_BOUNDARY', 'audit tampering the boundary denies', { tools: tool({ actions: ['cloudtrail:StopLogging'], resources: ['arn:aws:cloudtrail:eu-west-1:333333333333:trail/t'] }) }],
    ['AG_TOOL_NO_ACTIONS', 'no actions', { tools: tool({ actions: [], resources: [SERVICE] }) }],
    ['AG_TOOL_NO_RESOURCES', 'no resources', { tools: tool({ actions: ['ecs:UpdateService'], resources: [] }) }],
    ['AG_TOOL_NO_AWS', 'a tool without AWS permissions', { tools: [Tool.read('read-bucket', { gcp: { roles: ['roles/viewer'], resource: 'projects/p' } })] }],
    ['AG_TOOL_READ_WRITES', 'a read tool holding a write', { tools: [Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [SERVICE] } })] }],
    ['AG_TOOL_READ_WRITES', 'a read tool holding tagging', { tools: [Tool.read('read-service', { aws: { actions: ['ecs:TagResource'], resources: [SERVICE] } })] }],
    ['AG_TIER_CEILING', 'an observer with a write tool', { tier: AgentTier.OBSERVER }],
    ['AG_TIER_ADVISOR_WRITE', 'an advisor writing beyond proposals', { tier: AgentTier.ADVISOR }],
    ['AG_TOOL_DUPLICATE', 'duplicate tool names', { tools: [...tool({ actions: ['ecs:UpdateService'], resources: [SERVICE] }), ...tool({ actions: ['ecs:UpdateService'], resources: [SERVICE] })] }],
    ['AG_AGENT_NO_TOOLS', 'no tools', { tools: [] }],
    ['AG_TOOL_OTHER_ENVIRONMENT', 'a staging account ARN', { tools: tool({ actions: ['ecs:UpdateService'], resources: ['arn:aws:ecs:eu-west-1:222222222222:service/staging/checkout'] }) }],
    ['AG_TOOL_OTHER_ENVIRONMENT', 'another region', { tools: tool({ actions: ['ecs:UpdateService'], resources: ['arn:aws:ecs:us-east-1:333333333333:service/prod-cluster/checkout'] }) }],
    ['AG_TOOL_OTHER_ENVIRONMENT', 'a wildcard account', { tools: tool({ actions: ['ecs:UpdateService'], resources: ['arn:aws:ecs:eu-west-1:*:service/prod-cluster/checkout'] }) }],
    ['AG_TOOL_BAD_ARN', 'not an ARN', { tools: tool({ actions: ['ecs:UpdateService'], resources: ['checkout'] }) }],
    ['AG_TOOL_APPROVAL_REQUIRED', 'a destructive tool without approval', { tools: [Tool.destructive('rollback', { aws: { actions: ['ecs:StopServiceDeployment'], resources: [SERVICE] }, requiresApproval: false })] }],
    ['AG_SESSION_TOO_LONG', 'a session longer than the baseline', { maxSessionDuration: Duration.hours(2) }],
    ['AG_SESSION_TOO_SHORT', 'a session below IAM\'s 1 h minimum', { maxSessionDuration: Duration.minutes(30) }],
    ['AG_SESSION_BASELINE_BELOW_IAM', 'a baseline whose maximum session IAM cannot honour', {
      baseline: Baseline.fromObject({ id: 'short', version: '1.0.0', extends: 'agent-guardrails', session: { maxSessionSeconds: 1800 } }),
    }],
    ['AG_AGENT_NAME', 'a bad agent name', { agentName: 'Deploy Operator' }],
    ['AG_ENV_NO_AWS', 'an environment without AWS', { environment: Environment.of({ name: 'prod' }) }],
    ['AG_KILL_SWITCH_NO_PRINCIPALS', 'no revocation principal', { revocationPrincipals: [] }],
    ['AG_KILL_SWITCH_ANY_PRINCIPAL', 'anyone may revoke', { revocationPrincipals: [new iam.AnyPrincipal()] }],
  ];
  test.each(cases)('%s: refuses %s', (code, _what, overrides) => {
    expect(codeOf(() => agent(newStack(), overrides))).toBe(code);
  });

  test('messages read "<field> <rule>; got <value>. <fix>"', () => {
    expect(() => agent(newStack(), { tools: tool({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::b/*'] }) }))
      .toThrow('[AG_TOOL_WILDCARD_ACTION] Agent(deploy-operator).tools[restart-service].aws.actions must not hold wildcards; got "s3:Get*". Name each action exactly');
  });

  test('every violation is reported at once', () => {
    expect(() => agent(newStack(), { tools: tool({ actions: ['ecs:*', 'ecs:Nope'], resources: ['*'] }) })).toThrow(/AG_TOOL_WILDCARD_ACTION[\s\S]*AG_TOOL_UNKNOWN_ACTION/);
  });

  test('accepts Resource "*" for wildcard-only actions, proposal writes for an advisor, and the baseline-max session', () => {
    const stack = newStack();
    expect(() => agent(stack, {
      tier: AgentTier.ADVISOR,
      tools: [
        Tool.read('read-cases', { aws: { actions: ['support:DescribeCases'], resources: ['*'] } }),
        Tool.write('open-ops-item', { aws: { actions: ['ssm:CreateOpsItem'], resources: ['*'] } }),
        Tool.write('put-metrics', { aws: { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] } }),
      ],
      maxSessionDuration: Duration.hours(1),
    })).toThrow(/AG_TIER_ADVISOR_WRITE[^\n]*put-metrics/);
    expect(() => agent(newStack(), {
      tier: AgentTier.ADVISOR,
      tools: [
        Tool.read('read-cases', { aws: { actions: ['support:DescribeCases'], resources: ['*'] } }),
        Tool.write('open-ops-item', { aws: { actions: ['ssm:CreateOpsItem'], resources: ['*'] } }),
      ],
    })).not.toThrow();
  });

  test('a tighter baseline applies: forbidden actions are refused', () => {
    const baseline = Baseline.fromObject({ id: 'team', version: '1.0.0', extends: 'agent-guardrails', forbidden: { aws: { actions: ['ecs:UpdateService'] } } });
    expect(codeOf(() => agent(newStack(), { baseline }))).toBe('AG_TOOL_FORBIDDEN_ACTION');
  });
});

describe('AgentIdentity: tokens are skipped at construction and checked at synth', () => {
  test('a token action that resolves to a wildcard fails the synth', () => {
    const stack = newStack();
    const action = Lazy.string({ produce: () => 'ecs:*' });
    agent(stack, { tools: [Tool.write('restart-service', { aws: { actions: [action], resources: [SERVICE] } })] });
    expect(() => Template.fromStack(stack)).toThrow(/must not hold wildcards; got "ecs:\*"/);
  });

  test('a token resource that resolves to another account fails the synth', () => {
    const stack = newStack();
    const resource = Lazy.string({ produce: () => 'arn:aws:ecs:eu-west-1:222222222222:service/staging/checkout' });
    agent(stack, { tools: [Tool.write('restart-service', { aws: { actions: ['ecs:UpdateService'], resources: [resource] } })] });
    expect(() => Template.fromStack(stack)).toThrow(/must name resources of environment prod/);
  });

  test('a resource of the same stack (an intrinsic) is accepted', () => {
    const stack = newStack();
    const target = new iam.Role(stack, 'Target', { assumedBy: new iam.AccountRootPrincipal() });
    agent(stack, { tools: [Tool.write('pass-role', { aws: { actions: ['iam:PassRole'], resources: [target.roleArn] } })] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a stack deployed to another account than the environment fails the synth', () => {
    const stack = newStack({ account: '222222222222', region: 'eu-west-1' });
    agent(stack);
    expect(() => Template.fromStack(stack)).toThrow(/must deploy to environment prod's account 333333333333/);
  });

  test('grants added to a tool role after construction fail the synth (no silent widening)', () => {
    const stack = newStack();
    const a = agent(stack);
    a.roleFor('read-service').addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::prod-data/*'] }));
    expect(() => Template.fromStack(stack)).toThrow(/ToolRole\(deploy-operator\/read-service\) must hold exactly the tool's declared permissions; got "a statement added to the role \(actions s3:GetObject\)"/);
  });

  test('an attached managed policy fails the synth too', () => {
    const stack = newStack();
    const a = agent(stack);
    a.roleFor('restart-service').addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess'));
    expect(() => Template.fromStack(stack)).toThrow(/must hold exactly the tool's declared permissions; got "an attached managed policy/);
  });

  test('an environment-agnostic stack is fine', () => {
    const stack = new Stack(new App({ outdir }), 'Agnostic');
    agent(stack);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
