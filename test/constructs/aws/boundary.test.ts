import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity, AgentPermissionsBoundary, KillSwitch } from '../../../constructs/aws';
import { ESCALATION_SERVICES, escalationDenyPatterns } from '../../../constructs/aws/private/guardrail-denies';
import { awsActions, wildcardGlob } from '../../../lib/aws/action-catalog';
import { Baseline } from '../../../lib/baseline/baseline';
import { AgentTier, Environment, TAG_KEYS, Tool } from '../../../lib/model';
import { IamSimulator } from '../../helpers/iam-simulator';

const ACCOUNT = '333333333333';
const REGION = 'eu-west-1';
const PROD = Environment.of({ name: 'prod', aws: { account: ACCOUNT, regions: [REGION] } });
const WIDENED = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

let outdir: string;
beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h1-b-')); });
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

function build(tools: Tool[], baseline?: Baseline): { stack: Stack; agent: AgentIdentity } {
  const stack = new Stack(new App({ outdir }), 'Agents', { env: { account: ACCOUNT, region: REGION } });
  const agent = new AgentIdentity(stack, 'Agent', {
    agentName: 'big-agent',
    tier: AgentTier.OPERATOR,
    environment: PROD,
    tools,
    baseline,
    broker: iam.Role.fromRoleArn(stack, 'Broker', `arn:aws:iam::${ACCOUNT}:role/broker`, { mutable: false }),
    revocationPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/incident-response`)],
  });
  return { stack, agent };
}

function simulatorFor(stack: Stack) {
  const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: ACCOUNT, region: REGION });
  const role = (tool: string) => sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === tool);
  return { sim, role };
}

/** Many tools with long ARNs: the scoped ceiling no longer fits in 6,144 characters. */
function manyTools(count: number, arnsPerTool: number): Tool[] {
  return Array.from({ length: count }, (_, i) => Tool.read(`read-queue-${i}`, {
    aws: {
      actions: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      resources: Array.from({ length: arnsPerTool }, (_x, j) => `arn:aws:sqs:${REGION}:${ACCOUNT}:a-rather-long-queue-name-for-team-${i}-number-${j}`),
    },
  }));
}

describe('AgentPermissionsBoundary: escalation denies cover every IAM, Organizations and Identity Center write', () => {
  test('every non-read action of those services (but iam:PassRole, denied on its own) matches a deny pattern; no read does', () => {
    const patterns = escalationDenyPatterns().map((p) => wildcardGlob(p));
    const uncovered: string[] = [];
    const readsDenied: string[] = [];
    expect(ESCALATION_SERVICES).toEqual(['iam', 'organizations', 'sso', 'identitystore']);
    for (const service of ESCALATION_SERVICES) {
      for (const info of awsActions().actionsOf(service)!.values()) {
        const denied = patterns.some((p) => p.test(info.action));
        const isRead = info.accessLevel === 'List' || info.accessLevel === 'Read';
        if (!isRead && !denied && info.action !== 'iam:PassRole') uncovered.push(info.action);
        if (isRead && denied) readsDenied.push(info.action);
      }
    }
    expect(uncovered).toEqual([]);
    // Reads stay usable: a declared iam:GetRole still works.
    expect(readsDenied).toEqual([]);
  });
});

describe('AgentPermissionsBoundary: ceiling and size', () => {
  test('a small agent gets a ceiling on its declared resources', () => {
    const { agent } = build(manyTools(1, 2));
    expect(agent.boundary.ceilingOnDeclaredResources).toBe(true);
    expect(AgentPermissionsBoundary.isAgentPermissionsBoundary(agent.boundary)).toBe(true);
    expect(agent.boundary.policyName).toBe('agent-guardrails-big-agent-prod-boundary');
  });

  test('a large agent falls back to a "*" ceiling that still fits, and its explicit denies still hold', async () => {
    const { stack, agent } = build(manyTools(6, 12));
    expect(agent.boundary.ceilingOnDeclaredResources).toBe(false);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('lists its declared actions on "\\*"'));
    const t = Template.fromStack(stack);
    const [boundary] = Object.values(t.findResources('AWS::IAM::ManagedPolicy', { Metadata: { [TAG_KEYS.component]: 'boundary' } })) as any[];
    expect(JSON.stringify(boundary.Properties.PolicyDocument).replace(/\s/g, '').length).toBeLessThanOrEqual(6144);

    const { sim, role } = simulatorFor(stack);
    const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:a-rather-long-queue-name-for-team-0-number-0`;
    // GIVEN the ceiling no longer names resources, WHEN a widened role reaches another environment, THEN the explicit denies stop it
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:ReceiveMessage', resource: queue })).toBe('Allowed');
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:ReceiveMessage', resource: queue.replace(REGION, 'us-east-1'), extraPolicies: [WIDENED] })).toBe('ExplicitlyDenied');
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:ReceiveMessage', resource: queue, resourceTags: { [TAG_KEYS.environment]: 'staging' }, extraPolicies: [WIDENED] })).toBe('ExplicitlyDenied');
    // Undeclared actions stay outside the ceiling, and the role policy still names the resources.
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:DeleteQueue', resource: queue, extraPolicies: [WIDENED] })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:ReceiveMessage', resource: queue.replace('team-0', 'team-1') })).toBe('ImplicitlyDenied');
  });

  test('an agent too large even for a "*" ceiling fails the synth with a clear error', () => {
    const tools = Array.from({ length: 40 }, (_, i) => Tool.read(`read-all-${i}`, {
      aws: { actions: [...awsActions().actionsOf('ec2')!.values()].filter((a) => a.accessLevel === 'List' && a.wildcardOnly).slice(0, 40).map((a) => a.action), resources: ['*'] },
    }));
    const { stack } = build(tools);
    expect(() => Template.fromStack(stack)).toThrow(/AgentPermissionsBoundary\(big-agent\)\.policy must fit the 6144-character managed policy quota; got "\d+ characters"/);
  });
});

describe('AgentPermissionsBoundary: PassRole and AssumeRole only into declared roles', () => {
  const target = `arn:aws:iam::${ACCOUNT}:role/ecs-task-role`;
  const other = `arn:aws:iam::${ACCOUNT}:role/admin`;

  test('a declared PassRole target is passable; any other role is not, even for a widened role', async () => {
    const { stack } = build([
      Tool.write('deploy-task', { aws: { actions: ['iam:PassRole', 'ecs:RunTask'], resources: [target, `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/app:1`] } }),
    ]);
    const { sim, role } = simulatorFor(stack);
    expect(await sim.decide({ role: role('deploy-task'), action: 'iam:PassRole', resource: target })).toBe('Allowed');
    expect(await sim.decide({ role: role('deploy-task'), action: 'iam:PassRole', resource: other, extraPolicies: [WIDENED] })).toBe('ExplicitlyDenied');
  });

  test('a declared AssumeRole target is assumable; any other role is not', async () => {
    const { stack } = build([Tool.write('read-other-account', { aws: { actions: ['sts:AssumeRole'], resources: [`arn:aws:iam::${ACCOUNT}:role/reader`] } })]);
    const { sim, role } = simulatorFor(stack);
    expect(await sim.decide({ role: role('read-other-account'), action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/reader` })).toBe('Allowed');
    expect(await sim.decide({ role: role('read-other-account'), action: 'sts:AssumeRole', resource: other, extraPolicies: [WIDENED] })).toBe('ExplicitlyDenied');
  });
});

describe('AgentPermissionsBoundary: global services and baseline denies', () => {
  test('a declared IAM read works from the global endpoint (us-east-1); regional services do not', async () => {
    const service = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/c/s`;
    const { stack } = build([Tool.read('read-roles', { aws: { actions: ['iam:GetRole', 'ecs:DescribeServices'], resources: [`arn:aws:iam::${ACCOUNT}:role/app`, service] } })]);
    const { sim, role } = simulatorFor(stack);
    expect(await sim.decide({ role: role('read-roles'), action: 'iam:GetRole', resource: `arn:aws:iam::${ACCOUNT}:role/app`, context: { 'aws:RequestedRegion': 'us-east-1' } })).toBe('Allowed');
    expect(await sim.decide({ role: role('read-roles'), action: 'ecs:DescribeServices', resource: service, context: { 'aws:RequestedRegion': 'us-east-1' } })).toBe('ExplicitlyDenied');
    expect(await sim.decide({ role: role('read-roles'), action: 'ecs:DescribeServices', resource: service })).toBe('Allowed');
  });

  test('actions the baseline forbids are denied by the boundary even to a widened role', async () => {
    const baseline = Baseline.fromObject({ id: 'team', version: '1.0.0', extends: 'agent-guardrails', forbidden: { aws: { actions: ['s3:DeleteBucket'] } } });
    const { stack } = build([Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices'], resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/c/s`] } })], baseline);
    const { sim, role } = simulatorFor(stack);
    expect(await sim.decide({ role: role('read-service'), action: 's3:DeleteBucket', resource: 'arn:aws:s3:::prod-data', extraPolicies: [WIDENED], boundary: sim.boundaryOf(role('read-service')) })).toBe('ExplicitlyDenied');
  });

  test('the boundary is usable on its own (e.g. by another construct)', () => {
    const stack = new Stack(new App({ outdir }), 'Alone', { env: { account: ACCOUNT, region: REGION } });
    const ks = new KillSwitch(stack, 'KillSwitch', { agentName: 'a1', environment: PROD, revocationPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/ir`)] });
    const b = new AgentPermissionsBoundary(stack, 'Boundary', { agentName: 'a1', environment: PROD, tools: manyTools(1, 1), killSwitchPolicy: ks.denyAllPolicy });
    ks.coverRole(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal(), permissionsBoundary: b.policy }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'agent-guardrails-a1-prod-boundary', Path: '/agent-guardrails/' });
  });
});

describe('AgentPermissionsBoundary: resources of other accounts (aws:ResourceAccount)', () => {
  const OTHER_ACCOUNT = '444455556666';
  const AWS_SERVICE_ACCOUNT = '999988887777';
  const bucket = 'arn:aws:s3:::checkout-artifacts-prod';

  test('a declared bucket whose name another account took over is denied, also to a widened role; the own account\'s is allowed', async () => {
    // GIVEN a tool that writes release notes to a bucket (S3 ARNs name no account)
    const { stack } = build([Tool.write('write-notes', { aws: { actions: ['s3:PutObject'], resources: [`${bucket}/notes/*`] } })]);
    const { sim, role } = simulatorFor(stack);
    // THEN the declared job works in the environment's account
    expect(await sim.decide({ role: role('write-notes'), action: 's3:PutObject', resource: `${bucket}/notes/r1.md`, resourceAccount: ACCOUNT })).toBe('Allowed');
    // and the same ARN owned by another account (the bucket was deleted and re-created elsewhere) is an explicit deny
    expect(await sim.decide({ role: role('write-notes'), action: 's3:PutObject', resource: `${bucket}/notes/r1.md`, resourceAccount: OTHER_ACCOUNT })).toBe('ExplicitlyDenied');
    // and a role widened to * on * cannot read another account's bucket
    expect(await sim.decide({ role: role('write-notes'), action: 's3:GetObject', resource: 'arn:aws:s3:::other-team-data/export.csv', resourceAccount: OTHER_ACCOUNT, extraPolicies: [WIDENED] })).toBe('ExplicitlyDenied');
  });

  test('with a "*" ceiling, a declared action on another account\'s resource is an explicit deny', async () => {
    const { stack, agent } = build(manyTools(6, 12));
    expect(agent.boundary.ceilingOnDeclaredResources).toBe(false);
    const { sim, role } = simulatorFor(stack);
    const queue = (account: string) => `arn:aws:sqs:${REGION}:${account}:a-rather-long-queue-name-for-team-0-number-0`;
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:ReceiveMessage', resource: queue(ACCOUNT) })).toBe('Allowed');
    expect(await sim.decide({ role: role('read-queue-0'), action: 'sqs:ReceiveMessage', resource: queue(OTHER_ACCOUNT), extraPolicies: [WIDENED] })).toBe('ExplicitlyDenied');
  });

  test('AWS-owned resources stay outside the wall: AWS managed policies, Image Builder components, Amazon AMIs', async () => {
    // GIVEN the wall alone (the boundary's DenyOtherAccountResources under an allow-all ceiling) and a widened role
    const { stack } = build(manyTools(1, 1));
    const { sim, role } = simulatorFor(stack);
    const wall = sim.boundaryOf(role('read-queue-0')).Statement.find((s: any) => s.Sid === 'DenyOtherAccountResources');
    const wallOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, wall] };
    const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
      sim.decide({ role: role('read-queue-0'), action, resource, resourceAccount: AWS_SERVICE_ACCOUNT, context, boundary: wallOnly, extraPolicies: [WIDENED] });
    // THEN the wall does not fire on what AWS documents as service-owned (the simulator still wants the
    // owner's resource policy for any cross-account call, hence "not explicitly denied" rather than "allowed")
    expect(await decide('iam:GetPolicyVersion', 'arn:aws:iam::aws:policy/ReadOnlyAccess')).not.toBe('ExplicitlyDenied');
    expect(await decide('imagebuilder:GetComponent', `arn:aws:imagebuilder:${REGION}:aws:component/update-linux/1.0.0/1`)).not.toBe('ExplicitlyDenied');
    expect(await decide('ec2:DescribeImageAttribute', `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, { 'ec2:Owner': 'amazon' })).not.toBe('ExplicitlyDenied');
    // and the same kinds of resources owned by another account do not
    expect(await decide('ec2:DescribeImageAttribute', `arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, { 'ec2:Owner': OTHER_ACCOUNT })).toBe('ExplicitlyDenied');
    expect(await decide('imagebuilder:GetComponent', `arn:aws:imagebuilder:${REGION}:${OTHER_ACCOUNT}:component/backdoor/1.0.0/1`)).toBe('ExplicitlyDenied');
    expect(await decide('sqs:ReceiveMessage', `arn:aws:sqs:${REGION}:${OTHER_ACCOUNT}:q`)).toBe('ExplicitlyDenied');
    // Public SSM parameters and documents (ARNs without an account) are exempt too; the simulator cannot
    // parse those ARNs, so this one is checked on the policy text.
    expect(wall.NotResource).toEqual(expect.arrayContaining(['arn:aws:ssm:*::parameter/*', 'arn:aws:ssm:*::document/*']));
  });

  test('the deny names the environment\'s account and is conditioned on the key being present', () => {
    const { stack } = build(manyTools(1, 1));
    const t = Template.fromStack(stack);
    const [boundary] = Object.values(t.findResources('AWS::IAM::ManagedPolicy', { Metadata: { [TAG_KEYS.component]: 'boundary' } })) as any[];
    const deny = boundary.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DenyOtherAccountResources');
    expect(deny.Condition.StringNotEquals).toEqual({ 'aws:ResourceAccount': [ACCOUNT] });
    expect(deny.Condition.Null).toEqual({ 'aws:ResourceAccount': 'false' });
  });
});
