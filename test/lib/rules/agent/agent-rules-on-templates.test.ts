import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentity } from '../../../../constructs/aws';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { Baseline } from '../../../../lib/baseline/baseline';
import { Inventory, mergeInventories } from '../../../../lib/inventory/inventory';
import { AgentTier, Component, Environment, TAG_KEYS, Tool } from '../../../../lib/model';
import { AGENT_RULES } from '../../../../lib/rules/agent';
import { Finding } from '../../../../lib/rules/rule';
import { runRules } from '../../../../lib/rules/run-rules';
import { IamSimulator } from '../../../helpers/iam-simulator';

const PROD = Environment.of({ name: 'prod', aws: { account: '333333333333', regions: ['eu-west-1'] } });
const STAGING = Environment.of({ name: 'staging', aws: { account: '222222222222', regions: ['eu-west-1'] } });
const service = (account: string) => `arn:aws:ecs:eu-west-1:${account}:service/cluster/checkout`;
const queue = (account: string) => `arn:aws:sqs:eu-west-1:${account}:jobs`;

let outdir: string;
beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-rules-')); });
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** An operator agent built with the AWS constructs, with its broker role in the same stack. */
function operatorStack(app: App, id: string, env: Environment): { stack: Stack; agent: AgentIdentity } {
  const account = env.aws!.account;
  const stack = new Stack(app, id, { env: { account, region: 'eu-west-1' } });
  const broker = new iam.Role(stack, 'Broker', { assumedBy: new iam.AccountPrincipal(account) });
  Tags.of(broker).add(TAG_KEYS.component, Component.BROKER);
  const agent = new AgentIdentity(stack, 'Ops', {
    agentName: 'ops', tier: AgentTier.OPERATOR, environment: env,
    tools: [
      Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices'], resources: [service(account)] } }),
      Tool.write('enqueue-job', { aws: { actions: ['sqs:SendMessage'], resources: [queue(account)] } }),
      Tool.destructive('stop-deployment', { aws: { actions: ['ecs:StopServiceDeployment'], resources: [`arn:aws:ecs:eu-west-1:${account}:service-deployment/cluster/checkout/*`] } }),
    ],
    broker,
    revocationPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${account}:role/incident-response`)],
  });
  return { stack, agent };
}

function inventoryOf(...stacks: Stack[]): Inventory {
  return mergeInventories(stacks.map((s) => inventoryFromTemplate(Template.fromStack(s).toJSON(), { stack: s.stackName })));
}

/**
 * The attack on the synthesized template (an edited cdk.out, a hand-written stack): the
 * constructs refuse statements added to a tool role at synth, so the edit happens afterwards.
 */
function addToToolPolicy(template: any, tool: string, statement: Record<string, unknown>): any {
  const role = Object.values(template.Resources as Record<string, any>)
    .find((r) => r.Type === 'AWS::IAM::Role' && (r.Properties.Tags ?? []).some((t: any) => t.Key === TAG_KEYS.tool && t.Value === tool));
  role.Properties.Policies[0].PolicyDocument.Statement.push({ Effect: 'Allow', ...statement });
  return template;
}

function check(inventory: Inventory): Finding[] {
  return runRules(inventory, AGENT_RULES, Baseline.default());
}

const summary = (fs: Finding[]) => fs.map((f) => `${f.ruleId}[${f.detail}] ${f.severity}`);

describe('agent rules on templates synthesized from the AWS constructs', () => {
  test('compliant: an operator agent built with AgentIdentity passes every agent rule with no finding', () => {
    const app = new App({ outdir });
    const { stack } = operatorStack(app, 'Prod', PROD);
    expect(summary(check(inventoryOf(stack)))).toEqual([]);
  });

  test('AGENT-001 (attack): a grant added to a tool role behind the declaration\'s back is drift', () => {
    const app = new App({ outdir });
    const { stack } = operatorStack(app, 'Prod', PROD);
    const template = addToToolPolicy(Template.fromStack(stack).toJSON(), 'enqueue-job', { Action: 'sqs:ReceiveMessage', Resource: queue('333333333333') });
    const findings = check(inventoryFromTemplate(template, { stack: 'Prod' })).filter((f) => f.ruleId === 'AGENT-001');
    expect(summary(findings)).toEqual(['AGENT-001[action:sqs:ReceiveMessage] error']);
    expect(findings[0].message).toContain('tool enqueue-job does not declare');
  });

  test('AGENT-005 (attack): an IAM write on * in a tool role could detach the kill switch; the simulator confirms only the boundary stands in the way', async () => {
    const app = new App({ outdir });
    const { stack } = operatorStack(app, 'Prod', PROD);
    const template = addToToolPolicy(Template.fromStack(stack).toJSON(), 'enqueue-job', { Action: 'iam:DetachRolePolicy', Resource: '*' });
    const findings = check(inventoryFromTemplate(template, { stack: 'Prod' })).filter((f) => f.ruleId === 'AGENT-005');
    expect(summary(findings)).toEqual(['AGENT-005[can-modify:iam:DetachRolePolicy] error']);
    expect(findings[0].hard).toBe(true);

    const sim = IamSimulator.fromTemplate(template, { account: '333333333333', region: 'eu-west-1' });
    const role = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === 'enqueue-job');
    const victim = sim.roleArn(sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === 'read-service'));
    expect(await sim.decide({ role, action: 'iam:DetachRolePolicy', resource: victim, boundary: 'none' })).toBe('Allowed');
    expect(await sim.decide({ role, action: 'iam:DetachRolePolicy', resource: victim })).not.toBe('Allowed');
  });

  test('AGENT-006 (attack): without the sts:SourceIdentity condition the broker could act untraced; the rule reports it and the simulator shows the difference', async () => {
    const app = new App({ outdir });
    const { stack } = operatorStack(app, 'Prod', PROD);
    const template = Template.fromStack(stack).toJSON();
    const sim = IamSimulator.fromTemplate(template, { account: '333333333333', region: 'eu-west-1' });
    const roleId = sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === 'read-service');
    const broker = sim.roleArn(sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.component] === Component.BROKER));
    // GIVEN the constructs' trust: no session without the agent's source identity
    expect(await sim.decideAssume({ role: roleId, principal: broker, action: 'sts:AssumeRole' })).not.toBe('Allowed');
    expect(await sim.decideAssume({ role: roleId, principal: broker, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'ops' } })).toBe('Allowed');

    // WHEN the condition is stripped from the template
    const trust = template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement as { Action: string; Condition?: unknown }[];
    for (const s of trust) if (s.Action === 'sts:AssumeRole') delete s.Condition;
    const stripped = IamSimulator.fromTemplate(template, { account: '333333333333', region: 'eu-west-1' });
    expect(await stripped.decideAssume({ role: roleId, principal: broker, action: 'sts:AssumeRole' })).toBe('Allowed');

    // THEN AGENT-006 reports exactly that role
    const findings = check(inventoryFromTemplate(template, { stack: 'Prod' })).filter((f) => f.ruleId === 'AGENT-006');
    expect(summary(findings)).toEqual(['AGENT-006[no-source-identity] error']);
    expect(findings[0].resource).toBe(roleId);
  });

  test('AGENT-008 (attack): a staging tool role granted a queue in the prod account', () => {
    const app = new App({ outdir });
    const prod = operatorStack(app, 'Prod', PROD);
    const staging = operatorStack(app, 'Staging', STAGING);
    const stagingTemplate = addToToolPolicy(Template.fromStack(staging.stack).toJSON(), 'enqueue-job', { Action: 'sqs:SendMessage', Resource: queue('333333333333') });
    const inventory = mergeInventories([inventoryOf(prod.stack), inventoryFromTemplate(stagingTemplate, { stack: 'Staging' })]);
    const findings = check(inventory).filter((f) => f.ruleId === 'AGENT-008');
    expect(summary(findings)).toEqual(['AGENT-008[placement:prod] error', 'AGENT-008[placement:prod] error']);
    expect(findings[0].message).toMatch(/environment staging.*333333333333/);
  });

  test('AGENT-004: a destructive tool trusted by a role other than the broker is an error; an unknown role ARN a warning', () => {
    const app = new App({ outdir });
    const { stack, agent } = operatorStack(app, 'Prod', PROD);
    const runtime = new iam.Role(stack, 'Runtime', { assumedBy: new iam.AccountPrincipal('333333333333') });
    agent.roleFor('stop-deployment').assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ArnPrincipal(runtime.roleArn)] }));
    agent.roleFor('stop-deployment').assumeRolePolicy!.addStatements(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [new iam.ArnPrincipal('arn:aws:iam::333333333333:role/elsewhere')] }));
    const findings = check(inventoryOf(stack)).filter((f) => f.ruleId === 'AGENT-004');
    expect(summary(findings)).toEqual(['AGENT-004[non-broker:trust] error', 'AGENT-004[unverified-broker] warning']);
  });
});
