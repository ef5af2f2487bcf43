import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { brokerRoleName, DeployOperatorStack, PROD_SERVICE, SupportObserverStack } from '../../../examples/aws/agents';
import { ensureHandlerBundles } from '../../../examples/aws/handler-bundles';
import { TAG_KEYS } from '../../../lib/model/tags';
import { Decision, IamSimulator } from '../../helpers/iam-simulator';

/**
 * The proof of issue 2: the example deploy-operator agent (read, write and destructive tools, prod)
 * synthesized and evaluated with an IAM policy simulator. Every case is one (request, expected
 * decision) pair; the count is printed in the summary test's name.
 */
const ACCOUNT = '333333333333';
const REGION = 'eu-west-1';
const STAGING_ACCOUNT = '222222222222';
const BROKER = `arn:aws:iam::${ACCOUNT}:role/${brokerRoleName('deploy-operator')}`;
const RUNTIME = `arn:aws:iam::${ACCOUNT}:role/deploy-operator-runtime`;
const KILL_SWITCH_PARAMETER = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/deploy-operator/kill-switch`;
const INCIDENT_RESPONSE = `arn:aws:iam::${ACCOUNT}:role/incident-response`;
const DEPLOYMENT = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod-cluster/checkout/abc123`;
const STAGING_SERVICE = `arn:aws:ecs:${REGION}:${STAGING_ACCOUNT}:service/staging-cluster/checkout`;
const OTHER_REGION_SERVICE = `arn:aws:ecs:us-west-2:${ACCOUNT}:service/prod-cluster/checkout`;
const FOREIGN_ACCOUNT = '444455556666';
const TOKEN_ISSUED_BEFORE_ATTACHMENT = '2026-01-01T00:00:00Z';
const WIDENED = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

ensureHandlerBundles();
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h1-sim-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const app = new App({ outdir });
const stack = new DeployOperatorStack(app, 'DeployOperatorProd');
// A second agent in the same account: the revocation role must not reach its roles.
const otherAgentStack = new SupportObserverStack(app, 'SupportObserverStaging');
const template = Template.fromStack(stack).toJSON();
const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });

const roleOf = (tool: string) => sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === tool);
const TOOLS = ['read-service', 'open-ops-item', 'restart-service', 'rollback-deployment'];
const ROLE = Object.fromEntries(TOOLS.map((t) => [t, roleOf(t)]));
const REVOCATION = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.component] === 'revocation');
const KILL_SWITCH = sim.logicalIdOf('AWS::IAM::ManagedPolicy', (p) => p.metadata[TAG_KEYS.component] === 'kill-switch');
const BOUNDARY = sim.logicalIdOf('AWS::IAM::ManagedPolicy', (p) => p.metadata[TAG_KEYS.component] === 'boundary');

/**
 * The declared (action, resource) pairs of each tool, with the same request aimed at staging and at
 * another region (undefined for wildcard-only actions, which name no resource), and whether the
 * resource type supports `aws:ResourceTag`.
 */
interface DeclaredPair {
  readonly action: string;
  readonly resource: string;
  readonly staging?: string;
  readonly otherRegion?: string;
  readonly taggable: boolean;
}
const DECLARED: Record<string, DeclaredPair[]> = {
  'read-service': [{ action: 'ecs:DescribeServices', resource: PROD_SERVICE, staging: STAGING_SERVICE, otherRegion: OTHER_REGION_SERVICE, taggable: true }],
  'open-ops-item': [{ action: 'ssm:CreateOpsItem', resource: '*', taggable: false }],
  'restart-service': [{ action: 'ecs:UpdateService', resource: PROD_SERVICE, staging: STAGING_SERVICE, otherRegion: OTHER_REGION_SERVICE, taggable: true }],
  'rollback-deployment': [{
    action: 'ecs:StopServiceDeployment', resource: PROD_SERVICE, staging: STAGING_SERVICE, otherRegion: OTHER_REGION_SERVICE, taggable: true,
  }, {
    action: 'ecs:StopServiceDeployment', resource: DEPLOYMENT, taggable: true,
    staging: `arn:aws:ecs:${REGION}:${STAGING_ACCOUNT}:service-deployment/staging-cluster/checkout/abc123`,
    otherRegion: `arn:aws:ecs:us-west-2:${ACCOUNT}:service-deployment/prod-cluster/checkout/abc123`,
  }],
};

type Expected = Decision | 'Denied';
interface Case {
  readonly name: string;
  readonly expected: Expected;
  readonly run: () => Promise<Decision>;
}
const cases: Case[] = [];
const as = (tool: string, action: string, resource: string, expected: Expected, extra: Partial<Parameters<typeof sim.decide>[0]> = {}, why = '') =>
  cases.push({ name: `${why}${tool} ${action} ${resource}`, expected, run: () => sim.decide({ role: ROLE[tool], action, resource, ...extra }) });

// 1. Each declared (action, resource) is allowed for its own tool role, and for no other.
for (const owner of TOOLS) {
  for (const { action, resource } of DECLARED[owner]) {
    for (const tool of TOOLS) as(tool, action, resource, tool === owner ? 'Allowed' : 'ImplicitlyDenied', {}, 'declared: ');
  }
}

// 2. Undeclared actions, a declared action on a staging resource or in another region: denied.
for (const tool of TOOLS) {
  as(tool, 'ecs:DeleteService', PROD_SERVICE, 'ImplicitlyDenied', {}, 'undeclared: ');
  as(tool, 'ecs:UpdateService', `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/payments`, 'ImplicitlyDenied', {}, 'undeclared resource: ');
  as(tool, 's3:GetObject', 'arn:aws:s3:::prod-customer-data/export.csv', 'ImplicitlyDenied', {}, 'undeclared: ');
  for (const d of DECLARED[tool]) {
    if (d.staging) as(tool, d.action, d.staging, 'Denied', {}, 'staging resource: ');
    if (d.otherRegion) as(tool, d.action, d.otherRegion, 'Denied', {}, 'other region: ');
    // Even the declared resource, tagged for another environment or reached through another region: explicit boundary deny.
    if (d.taggable) {
      as(tool, d.action, d.resource, 'ExplicitlyDenied', { resourceTags: { [TAG_KEYS.environment]: 'staging' } }, 'tagged staging: ');
      as(tool, d.action, d.resource, 'Allowed', { resourceTags: { [TAG_KEYS.environment]: 'prod' } }, 'tagged prod: ');
    }
    as(tool, d.action, d.resource, 'ExplicitlyDenied', { context: { 'aws:RequestedRegion': 'us-west-2' } }, 'requested region us-west-2: ');
  }
}

// Creating something tagged for another environment is denied; tagged for this one it is not.
const requestTag = (env: string) => ({ context: { [`aws:RequestTag/${TAG_KEYS.environment}`]: env, 'aws:TagKeys': [TAG_KEYS.environment] } });
as('open-ops-item', 'ssm:CreateOpsItem', '*', 'ExplicitlyDenied', requestTag('staging'), 'request tag staging: ');
as('open-ops-item', 'ssm:CreateOpsItem', '*', 'Allowed', requestTag('prod'), 'request tag prod: ');

// 3. A role widened to `*` on `*` (an added statement) is still stopped by the boundary.
const escalationAndTamper = (tool: string) => {
  const self = sim.roleArn(ROLE[tool]);
  const killSwitch = sim.policyArn(KILL_SWITCH);
  const boundary = sim.policyArn(BOUNDARY);
  return [
    ['iam:PutRolePolicy', self],
    ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/any-role`],
    ['iam:CreatePolicyVersion', boundary],
    ['iam:CreatePolicyVersion', killSwitch],
    ['iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/any-policy`],
    ['iam:SetDefaultPolicyVersion', boundary],
    ['iam:DeletePolicy', killSwitch],
    ['iam:AttachRolePolicy', self],
    ['iam:DetachRolePolicy', self],
    ['iam:DeleteRolePermissionsBoundary', self],
    ['iam:PutRolePermissionsBoundary', self],
    ['iam:UpdateAssumeRolePolicy', self],
    ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/new-admin`],
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/backdoor`],
    ['iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/admin`],
    ['iam:TagRole', self],
    ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/admin`],
    ['iam:PassRole', self],
    ['iam:PassRole', '*'],
    ['sts:AssumeRole', sim.roleArn(REVOCATION)],
    ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/admin`],
    ['organizations:LeaveOrganization', '*'],
    ['sso:AttachManagedPolicyToPermissionSet', 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef'],
    ['identitystore:CreateUser', `arn:aws:identitystore::${ACCOUNT}:identitystore/d-1234567890`],
    ['cloudtrail:StopLogging', `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-trail`],
    ['cloudtrail:DeleteTrail', `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-trail`],
    ['cloudtrail:PutEventSelectors', `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-trail`],
    ['logs:DeleteLogGroup', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail`],
    ['logs:PutRetentionPolicy', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail`],
    ['ssm:PutParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/deploy-operator/kill-switch`],
    ['ssm:DeleteParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/deploy-operator/kill-switch`],
  ] as const;
};
for (const tool of TOOLS) {
  for (const [action, resource] of escalationAndTamper(tool)) as(tool, action, resource, 'ExplicitlyDenied', { extraPolicies: [WIDENED] }, 'widened, escalation/tamper: ');
  // Another account's bucket, and the declared action on a resource another account owns: the aws:ResourceAccount wall.
  as(tool, 's3:GetObject', 'arn:aws:s3:::other-account-exports/export.csv', 'ExplicitlyDenied', { extraPolicies: [WIDENED], resourceAccount: FOREIGN_ACCOUNT }, 'widened, other account: ');
  for (const d of DECLARED[tool]) {
    if (d.resource !== '*') as(tool, d.action, d.resource, 'ExplicitlyDenied', { extraPolicies: [WIDENED], resourceAccount: FOREIGN_ACCOUNT }, 'widened, other account: ');
  }
  // Beyond the ceiling (undeclared) stays denied for a widened role too.
  as(tool, 's3:GetObject', 'arn:aws:s3:::prod-customer-data/export.csv', 'ImplicitlyDenied', { extraPolicies: [WIDENED] }, 'widened, undeclared: ');
}

// 4. Kill switch attached: every declared action denied, also for a session issued before.
for (const tool of TOOLS) {
  for (const { action, resource } of DECLARED[tool]) {
    as(tool, action, resource, 'ExplicitlyDenied', { attachManagedPolicies: [KILL_SWITCH] }, 'kill switch: ');
    as(tool, action, resource, 'ExplicitlyDenied', { attachManagedPolicies: [KILL_SWITCH], context: { 'aws:TokenIssueTime': TOKEN_ISSUED_BEFORE_ATTACHMENT } }, 'kill switch, old session: ');
    as(tool, action, resource, 'Allowed', { context: { 'aws:TokenIssueTime': TOKEN_ISSUED_BEFORE_ATTACHMENT } }, 'no kill switch, old session: ');
  }
}

// 5. The revocation role attaches the deny-all to this agent's roles, and does nothing else.
const revocation = (action: string, resource: string, expected: Expected, context: Record<string, string> = {}, why = '') =>
  cases.push({ name: `revocation: ${why}${action} ${resource}`, expected, run: () => sim.decide({ role: REVOCATION, action, resource, context }) });
const killSwitchArn = sim.policyArn(KILL_SWITCH);
const otherTemplate = IamSimulator.fromTemplate(Template.fromStack(otherAgentStack).toJSON(), { account: ACCOUNT, region: REGION });
const otherAgentRole = otherTemplate.roleArn(otherTemplate.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === 'read-logs'));
for (const tool of TOOLS) {
  const role = sim.roleArn(ROLE[tool]);
  revocation('iam:AttachRolePolicy', role, 'Allowed', { 'iam:PolicyARN': killSwitchArn }, 'attach kill switch: ');
  revocation('iam:AttachRolePolicy', role, 'ImplicitlyDenied', { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' }, 'attach other policy: ');
  revocation('iam:AttachRolePolicy', role, 'ImplicitlyDenied', { 'iam:PolicyARN': sim.policyArn(BOUNDARY) }, 'attach boundary: ');
  revocation('iam:DetachRolePolicy', role, 'ImplicitlyDenied', { 'iam:PolicyARN': killSwitchArn }, 'detach: ');
  revocation('iam:PutRolePolicy', role, 'ImplicitlyDenied', {}, 'inline policy: ');
  revocation('iam:DeleteRolePermissionsBoundary', role, 'ImplicitlyDenied', {}, 'drop boundary: ');
}
revocation('iam:AttachRolePolicy', sim.roleArn(REVOCATION), 'ImplicitlyDenied', { 'iam:PolicyARN': killSwitchArn }, 'attach to itself: ');
revocation('iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/payments-service`, 'ImplicitlyDenied', { 'iam:PolicyARN': killSwitchArn }, 'attach to other role: ');
revocation('iam:AttachRolePolicy', otherAgentRole, 'ImplicitlyDenied', { 'iam:PolicyARN': killSwitchArn }, 'attach to another agent: ');
revocation('iam:CreatePolicyVersion', killSwitchArn, 'ImplicitlyDenied', {}, 'edit kill switch: ');
// The broker adds one grant: engage this agent's broker kill-switch flag, and no other parameter.
revocation('ssm:PutParameter', KILL_SWITCH_PARAMETER, 'Allowed', {}, 'engage broker flag: ');
revocation('ssm:PutParameter', KILL_SWITCH_PARAMETER.replace('deploy-operator', 'support-observer'), 'ImplicitlyDenied', {}, 'other agent flag: ');
revocation('ssm:DeleteParameter', KILL_SWITCH_PARAMETER, 'ImplicitlyDenied', {}, 'delete flag: ');
revocation('ecs:UpdateService', PROD_SERVICE, 'ImplicitlyDenied', {}, 'anything else: ');
revocation('sts:AssumeRole', sim.roleArn(ROLE['restart-service']), 'ImplicitlyDenied', {}, 'anything else: ');

// 6. Trust: only the broker, only with SourceIdentity = agent, only the expected session tags.
const assume = (tool: string, principal: string, action: string, expected: Expected, context: Record<string, string | string[]>, why: string) =>
  cases.push({ name: `trust: ${why}${tool} ${action} by ${principal}`, expected, run: () => sim.decideAssume({ role: ROLE[tool], principal, action, context }) });
for (const tool of TOOLS) {
  const tags = { [`aws:RequestTag/${TAG_KEYS.agent}`]: 'deploy-operator', [`aws:RequestTag/${TAG_KEYS.tool}`]: tool, [`aws:RequestTag/${TAG_KEYS.environment}`]: 'prod' };
  const keys = [TAG_KEYS.agent, TAG_KEYS.tool, TAG_KEYS.environment, 'agent-guardrails:lineage'];
  assume(tool, BROKER, 'sts:AssumeRole', 'Allowed', { 'sts:SourceIdentity': 'deploy-operator' }, 'broker with source identity: ');
  assume(tool, BROKER, 'sts:SetSourceIdentity', 'Allowed', { 'sts:SourceIdentity': 'deploy-operator' }, 'broker sets source identity: ');
  assume(tool, BROKER, 'sts:AssumeRole', 'Denied', {}, 'broker without source identity: ');
  assume(tool, BROKER, 'sts:AssumeRole', 'Denied', { 'sts:SourceIdentity': 'support-observer' }, 'broker as another agent: ');
  assume(tool, BROKER, 'sts:SetSourceIdentity', 'Denied', { 'sts:SourceIdentity': 'support-observer' }, 'broker sets another source identity: ');
  assume(tool, INCIDENT_RESPONSE, 'sts:AssumeRole', 'Denied', { 'sts:SourceIdentity': 'deploy-operator' }, 'other principal: ');
  assume(tool, RUNTIME, 'sts:AssumeRole', 'Denied', { 'sts:SourceIdentity': 'deploy-operator' }, 'agent runtime directly: ');
  assume(tool, sim.roleArn(REVOCATION), 'sts:AssumeRole', 'Denied', { 'sts:SourceIdentity': 'deploy-operator' }, 'revocation role: ');
  assume(tool, `arn:aws:iam::${STAGING_ACCOUNT}:role/${brokerRoleName('deploy-operator')}`, 'sts:AssumeRole', 'Denied', { 'sts:SourceIdentity': 'deploy-operator' }, 'same-named broker in staging: ');
  assume(tool, `arn:aws:iam::${ACCOUNT}:role/${brokerRoleName('support-observer')}`, 'sts:AssumeRole', 'Denied', { 'sts:SourceIdentity': 'deploy-operator' }, 'another agent\'s broker: ');
  assume(tool, BROKER, 'sts:TagSession', 'Allowed', { ...tags, 'aws:TagKeys': keys }, 'expected tags: ');
  assume(tool, BROKER, 'sts:TagSession', 'Denied', { ...tags, 'aws:RequestTag/team': 'x', 'aws:TagKeys': [...keys, 'team'] }, 'extra tag key: ');
  assume(tool, BROKER, 'sts:TagSession', 'Denied', { ...tags, [`aws:RequestTag/${TAG_KEYS.tool}`]: 'rollback-anything', 'aws:TagKeys': keys }, 'wrong tool tag: ');
  assume(tool, BROKER, 'sts:TagSession', 'Denied', { ...tags, [`aws:RequestTag/${TAG_KEYS.environment}`]: 'staging', 'aws:TagKeys': keys }, 'wrong environment tag: ');
}
cases.push({
  name: 'trust: incident response assumes the revocation role', expected: 'Allowed',
  run: () => sim.decideAssume({ role: REVOCATION, principal: INCIDENT_RESPONSE, action: 'sts:AssumeRole' }),
});
cases.push({
  name: 'trust: the broker cannot assume the revocation role', expected: 'Denied',
  run: () => sim.decideAssume({ role: REVOCATION, principal: BROKER, action: 'sts:AssumeRole' }),
});

const matches = (actual: Decision, expected: Expected) => (expected === 'Denied' ? actual !== 'Allowed' : actual === expected);

describe(`AgentIdentity (deploy-operator, prod) evaluated by the IAM simulator: ${cases.length} (request, expected decision) pairs`, () => {
  const results: boolean[] = [];
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`IAM simulator matrix: ${cases.length} (request, expected decision) pairs evaluated, ${results.filter(Boolean).length} as expected`);
  });

  test.each(cases.map((c) => [c.name, c.expected, c] as const))('%s → %s', async (_name, expected, c) => {
    const actual = await c.run();
    results.push(matches(actual, expected));
    if (expected === 'Denied') expect(actual).not.toBe('Allowed');
    else expect(actual).toBe(expected);
  });

  test('the matrix covers every part of the issue', () => {
    for (const prefix of ['declared: ', 'undeclared: ', 'staging resource: ', 'other region: ', 'widened, escalation/tamper: ', 'widened, other account: ', 'kill switch, old session: ', 'revocation: attach kill switch: ', 'revocation: detach: ', 'trust: ']) {
      expect(cases.some((c) => c.name.startsWith(prefix))).toBe(true);
    }
    expect(cases.length).toBeGreaterThanOrEqual(250);
  });
});
