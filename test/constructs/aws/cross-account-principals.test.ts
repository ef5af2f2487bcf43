import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity, ApprovalGate, CredentialBroker, KillSwitch } from '../../../constructs/aws';
import { GuardrailError } from '../../../lib/errors';
import { AgentTier, CrossAccountAccess, Environment, TAG_KEYS, Tool } from '../../../lib/model';
import { CROSS_ACCOUNT_METADATA_KEY } from '../../../lib/model/tags';
import { inventoryFromConstructTree } from '../../../constructs/aws/inventory-from-construct-tree';
import { Baseline } from '../../../lib/baseline/baseline';
import { crossAccountOptIns } from '../../../lib/report/check-report';
import { buildPermissionMap } from '../../../lib/report/permission-map';
import { renderPermissionMapMermaid } from '../../../lib/report/permission-map-mermaid';
import { TRUST_POLICY } from '../../../lib/rules/aws/trust-policy';
import { IamSimulator } from '../../helpers/iam-simulator';
import { ensureBundles } from './broker-fixture';

const HOME = '444455556666';
const SOC = '999988887777';
const THIRD = '111122223333';
const REGION = 'eu-west-1';
const REASON = 'central SOC account runs incident response';
const PROD = Environment.of({ name: 'prod', aws: { account: HOME, regions: [REGION] } });
const PROD_WITH_SOC = Environment.of({ name: 'prod', aws: { account: HOME, regions: [REGION] }, crossAccount: CrossAccountAccess.allow({ accounts: [SOC], reason: REASON }) });
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const SERVICE = `arn:aws:ecs:${REGION}:${HOME}:service/prod-cluster/checkout`;

let outdir: string;
beforeAll(() => ensureBundles());
beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cross-account-')); });
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

interface Setup {
  readonly environment?: Environment;
  readonly runtime?: string;
  readonly revocation?: iam.IPrincipal;
  readonly approver?: string;
  readonly tools?: Tool[];
  readonly stackAccount?: string;
}

/** One agent with a broker and a gate, in the documented order; each principal can be swapped. */
function build(setup: Setup = {}) {
  const stack = new Stack(new App({ outdir }), 'Prod', { env: { account: setup.stackAccount ?? HOME, region: REGION } });
  const environment = setup.environment ?? PROD;
  const gate = new ApprovalGate(stack, 'Approvals', { approvers: [iam.Role.fromRoleArn(stack, 'Approver', setup.approver ?? role(HOME, 'on-call'))] });
  const broker = new CredentialBroker(stack, 'Broker', { runtime: iam.Role.fromRoleArn(stack, 'Runtime', setup.runtime ?? role(HOME, 'agent-runtime'), { mutable: false }), approvalGate: gate });
  const agent = new AgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment,
    tools: setup.tools ?? [Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices'], resources: [SERVICE] } })],
    broker: broker.role,
    revocationPrincipals: [setup.revocation ?? new iam.ArnPrincipal(role(HOME, 'incident-response'))],
  });
  broker.addAgent(agent);
  return { stack, gate, broker, agent };
}

function errorOf(f: () => unknown): GuardrailError {
  try {
    f();
  } catch (e) {
    if (GuardrailError.isGuardrailError(e)) return e;
    throw e;
  }
  throw new Error('expected a GuardrailError');
}

describe('Account boundaries at construction: principals of another account are refused', () => {
  test('a revocation principal of another account (ArnPrincipal) names the field, the rule, the value and the opt-in', () => {
    const e = errorOf(() => build({ revocation: new iam.ArnPrincipal(role(SOC, 'incident-response')) }));
    expect(e.code).toBe('AG_PRINCIPAL_OTHER_ACCOUNT');
    expect(e.message).toContain(`KillSwitch(deploy-operator).revocationPrincipals must name principals of environment prod's account ${HOME}; got "arn:aws:iam::${SOC}:role/incident-response (account ${SOC})".`);
    expect(e.message).toContain(`crossAccount: CrossAccountAccess.allow({ accounts: ['${SOC}'], reason:`);
  });

  test('an account principal of another account is refused as a revocation principal too', () => {
    expect(errorOf(() => build({ revocation: new iam.AccountPrincipal(SOC) })).message)
      .toMatch(new RegExp(`^\\[AG_PRINCIPAL_OTHER_ACCOUNT\\] KillSwitch\\(deploy-operator\\)\\.revocationPrincipals must name principals of environment prod's account ${HOME}; got ".*${SOC}.*"`));
  });

  test('a broker runtime of another account is refused when the broker adds its agent', () => {
    const e = errorOf(() => build({ runtime: role(SOC, 'agent-runtime') }));
    expect(e.code).toBe('AG_PRINCIPAL_OTHER_ACCOUNT');
    expect(e.message).toContain(`CredentialBroker(deploy-operator).runtime must name principals of environment prod's account ${HOME}; got "arn:aws:iam::${SOC}:role/agent-runtime (account ${SOC})".`);
  });

  test('an approver of another account is refused, given at construction or granted later', () => {
    const e = errorOf(() => build({ approver: role(SOC, 'on-call') }));
    expect(e.code).toBe('AG_PRINCIPAL_OTHER_ACCOUNT');
    expect(e.message).toContain(`ApprovalGate.approvers (environment prod) must name principals of environment prod's account ${HOME}; got "arn:aws:iam::${SOC}:role/on-call (account ${SOC})".`);
    const { stack, gate } = build();
    expect(errorOf(() => gate.grantApprove(iam.Role.fromRoleArn(stack, 'Late', role(SOC, 'late-approver')))).code).toBe('AG_PRINCIPAL_OTHER_ACCOUNT');
  });

  test('a gate no broker serves compares its approvers with its stack\'s account at synth', () => {
    const stack = new Stack(new App({ outdir }), 'Gate', { env: { account: HOME, region: REGION } });
    new ApprovalGate(stack, 'Approvals', { approvers: [iam.Role.fromRoleArn(stack, 'Approver', role(SOC, 'on-call'))] });
    expect(() => stack.node.root.node.tryFindChild('Gate') && (stack.node.root as App).synth()).toThrow(/AG_PRINCIPAL_OTHER_ACCOUNT.*ApprovalGate\.approvers must name principals of the stack's account 444455556666/s);
  });

  test('a principal whose account synth cannot read (a parameter) is refused, never assumed to be the own account', () => {
    const stack = new Stack(new App({ outdir }), 'Param', { env: { account: HOME, region: REGION } });
    const arn = new CfnParameter(stack, 'IrRoleArn', { type: 'String' }).valueAsString;
    const e = errorOf(() => new KillSwitch(stack, 'KillSwitch', { agentName: 'deploy-operator', environment: PROD, revocationPrincipals: [new iam.ArnPrincipal(arn)] }));
    expect(e.code).toBe('AG_PRINCIPAL_ACCOUNT_UNRESOLVED');
    expect(e.message).toContain('KillSwitch(deploy-operator).revocationPrincipals must name principals whose account is known at synth');
  });

  test('the stack\'s own account token and roles of the app are accepted', () => {
    const stack = new Stack(new App({ outdir }), 'Own', { env: { account: HOME, region: REGION } });
    const ir = new iam.Role(stack, 'Ir', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => new KillSwitch(stack, 'KillSwitch', {
      agentName: 'deploy-operator', environment: PROD,
      revocationPrincipals: [ir, new iam.ArnPrincipal(`arn:aws:iam::${Aws.ACCOUNT_ID}:role/incident-response`)],
    })).not.toThrow();
  });

  test('an environment whose account is a token cannot vouch for a literal account: refused', () => {
    const stack = new Stack(new App({ outdir }), 'Agnostic');
    const env = Environment.of({ name: 'prod', aws: { account: Aws.ACCOUNT_ID, regions: [REGION] } });
    expect(errorOf(() => new KillSwitch(stack, 'KillSwitch', { agentName: 'deploy-operator', environment: env, revocationPrincipals: [new iam.ArnPrincipal(role(SOC, 'ir'))] })).code)
      .toBe('AG_PRINCIPAL_ACCOUNT_UNRESOLVED');
  });
});

describe('CrossAccountAccess: a typed, stated opt-in', () => {
  test('needs a reason, literal accounts, and never the environment\'s own account', () => {
    expect(errorOf(() => CrossAccountAccess.allow({ accounts: [SOC], reason: '' })).code).toBe('AG_CROSS_ACCOUNT_REASON');
    expect(errorOf(() => CrossAccountAccess.allow({ accounts: ['9999'], reason: REASON })).code).toBe('AG_CROSS_ACCOUNT_ACCOUNT');
    expect(errorOf(() => CrossAccountAccess.allow({ accounts: [Aws.ACCOUNT_ID], reason: REASON })).code).toBe('AG_CROSS_ACCOUNT_ACCOUNT');
    expect(errorOf(() => CrossAccountAccess.allow({ reason: REASON })).code).toBe('AG_CROSS_ACCOUNT_EMPTY');
    expect(errorOf(() => Environment.of({ name: 'prod', aws: { account: HOME, regions: [REGION] }, crossAccount: CrossAccountAccess.allow({ accounts: [HOME], reason: REASON }) })).code)
      .toBe('AG_CROSS_ACCOUNT_OWN');
  });

  test('accepts exactly the listed accounts, and records them with the reason on what they may reach', () => {
    // GIVEN every principal kind in the SOC account, opted in
    const { stack } = build({ environment: PROD_WITH_SOC, runtime: role(SOC, 'agent-runtime'), revocation: new iam.ArnPrincipal(role(SOC, 'incident-response')), approver: role(SOC, 'on-call') });
    const t = Template.fromStack(stack);
    const marked = (type: string) => Object.values(t.findResources(type)).filter((r: any) => r.Metadata?.[CROSS_ACCOUNT_METADATA_KEY]) as any[];
    // THEN the revocation role, the broker role and the function permissions carry the opt-in
    const [revocation] = marked('AWS::IAM::Role').filter((r) => r.Metadata[TAG_KEYS.component] === 'revocation');
    expect(revocation.Metadata[CROSS_ACCOUNT_METADATA_KEY]).toEqual({ accounts: [SOC], reason: REASON });
    expect(marked('AWS::IAM::Role').map((r) => r.Metadata[TAG_KEYS.component]).sort()).toEqual(['broker', 'revocation']);
    const permissions = marked('AWS::Lambda::Permission');
    expect(permissions.map((p) => p.Metadata[TAG_KEYS.component]).sort()).toEqual(['approval-gate', 'approval-gate', 'broker']);
    // and a third account is still refused
    expect(errorOf(() => build({ environment: PROD_WITH_SOC, revocation: new iam.ArnPrincipal(role(THIRD, 'ir')) })).code).toBe('AG_PRINCIPAL_OTHER_ACCOUNT');
  });

  test('the boundary lets the agent reach an opted-in account only where a tool declares a resource there', () => {
    const denyOf = (stack: Stack) => {
      const [boundary] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy', { Metadata: { [TAG_KEYS.component]: 'boundary' } })) as any[];
      return boundary.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'DenyOtherAccountResources').Condition.StringNotEquals['aws:ResourceAccount'];
    };
    // An account trusted only to pull the kill switch is no resource owner for the agent
    expect(denyOf(build({ environment: PROD_WITH_SOC, revocation: new iam.ArnPrincipal(role(SOC, 'ir')) }).stack)).toEqual([HOME]);
    // A tool declaring a resource there: that account, and only it, becomes reachable
    const queue = `arn:aws:sqs:${REGION}:${SOC}:findings`;
    const tools = [Tool.read('read-findings', { aws: { actions: ['sqs:ReceiveMessage'], resources: [queue] } })];
    expect(denyOf(build({ environment: PROD_WITH_SOC, tools }).stack)).toEqual([HOME, SOC]);
    // Without the opt-in, such a tool is refused
    expect(errorOf(() => build({ tools })).code).toBe('AG_TOOL_OTHER_ENVIRONMENT');
  });
});

describe('Attacks (IAM simulator)', () => {
  test('without the opt-in, another account cannot assume the revocation or broker role', async () => {
    const { stack } = build();
    const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: HOME, region: REGION });
    const revocation = sim.logicalIdOf('AWS::IAM::Role', (r) => r.metadata[TAG_KEYS.component] === 'revocation');
    const brokerRole = sim.logicalIdOf('AWS::IAM::Role', (r) => r.metadata[TAG_KEYS.component] === 'broker');
    for (const target of [revocation, brokerRole]) {
      expect(await sim.decideAssume({ role: target, principal: role(SOC, 'incident-response'), action: 'sts:AssumeRole' })).not.toBe('Allowed');
    }
    expect(await sim.decideAssume({ role: revocation, principal: role(HOME, 'incident-response'), action: 'sts:AssumeRole' })).toBe('Allowed');
  });

  test('with the opt-in, the SOC account may pull the switch; a third account still may not', async () => {
    const { stack } = build({ environment: PROD_WITH_SOC, revocation: new iam.ArnPrincipal(role(SOC, 'incident-response')) });
    const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: HOME, region: REGION });
    const revocation = sim.logicalIdOf('AWS::IAM::Role', (r) => r.metadata[TAG_KEYS.component] === 'revocation');
    // The SOC account's own policy must allow the call too (cross-account needs both sides)
    const callerPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
    expect(await sim.decideAssume({ role: revocation, principal: role(SOC, 'incident-response'), action: 'sts:AssumeRole', principalPolicies: [callerPolicy] })).toBe('Allowed');
    expect(await sim.decideAssume({ role: revocation, principal: role(THIRD, 'incident-response'), action: 'sts:AssumeRole', principalPolicies: [callerPolicy] })).not.toBe('Allowed');
  });

  test('the boundary\'s exceptions are exactly the opted-in accounts a tool declares', async () => {
    const queue = (account: string) => `arn:aws:sqs:${REGION}:${account}:findings`;
    const { stack } = build({ environment: PROD_WITH_SOC, tools: [Tool.read('read-findings', { aws: { actions: ['sqs:ReceiveMessage'], resources: [queue(SOC)] } })] });
    const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: HOME, region: REGION });
    const tool = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === 'read-findings');
    // A role widened to everything: only the boundary stands between it and other accounts
    const widened = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const decide = (account: string) => sim.decide({ role: tool, action: 'sqs:ReceiveMessage', resource: queue(account), extraPolicies: [widened] });
    expect(await decide(SOC)).not.toBe('ExplicitlyDenied');
    expect(await decide(THIRD)).toBe('ExplicitlyDenied');
  });
});

describe('The checks read the opt-in the constructs record', () => {
  test('an opted-in set-up passes AWS-009 and lists every opt-in; an escape hatch adding another account is caught', () => {
    const { stack, agent } = build({ environment: PROD_WITH_SOC, runtime: role(SOC, 'agent-runtime'), revocation: new iam.ArnPrincipal(role(SOC, 'incident-response')), approver: role(SOC, 'on-call') });
    const inventory = () => inventoryFromConstructTree(stack);
    const otherAccount = () => TRUST_POLICY.evaluate(inventory(), { baseline: Baseline.default() }).filter((f) => f.detail === 'other-account');
    expect(otherAccount()).toEqual([]);
    expect(crossAccountOptIns(inventory()).map((c) => [c.component, c.accounts, c.reason])).toEqual(expect.arrayContaining([
      ['revocation', [SOC], REASON], ['broker', [SOC], REASON], ['approval-gate', [SOC], REASON],
    ]));
    // WHEN someone widens the kill switch's trust to a third account behind the construct's back
    (agent.killSwitch.revocationRole.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument.Statement.1',
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: role(THIRD, 'attacker') } });
    // THEN AWS-009 names it: the opt-in covers the SOC account only
    expect(otherAccount().map((f) => f.message)).toEqual([expect.stringContaining(`lets principals of account ${THIRD} assume it, outside the agent's account ${HOME}`)]);
  });
});

test('the permission map shows the opt-in on the agent (JSON and Mermaid)', () => {
  const { stack } = build({ environment: PROD_WITH_SOC, revocation: new iam.ArnPrincipal(role(SOC, 'incident-response')) });
  const map = buildPermissionMap(inventoryFromConstructTree(stack), []);
  expect(map.agents.map((a) => [a.name, a.crossAccount])).toEqual([['deploy-operator', [`${SOC} (${REASON})`]]]);
  expect(renderPermissionMapMermaid(map)).toContain(`_cross>"cross-account opt-in<br/>${SOC} (${REASON})"]`);
});
