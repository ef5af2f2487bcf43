import { Testing } from 'cdktf';
import { AgentIdentity as AzureAgentIdentity } from '../../constructs/azure';
import { AzureAgentsStack } from '../../examples/tf/agents';
import { Tool } from '../../lib/model';
import { AzureDecision, AzureRbacEvaluator } from '../helpers/azure-rbac-evaluator';

/**
 * The declared-job matrix of the Azure example (examples/tf/agents.ts): for every tool, the calls its
 * declaration says it must make are allowed, and their neighbours are not. A call is an operation
 * (the role action Azure checks for it) on the resource id it acts on: the declared scope for an
 * operation on the scope's own resource type, or a child of it for an operation on a child type
 * (`Microsoft.App/containerApps/revisions/restart/action` acts on `<app>/revisions/<name>`, as the
 * Container Apps "Revisions - Restart Revision" REST operation does). Evaluated on the synthesized
 * stack by test/helpers/azure-rbac-evaluator.ts (assignment scope containment, role actions with
 * wildcards and notActions).
 *
 * Azure has no deny layer the constructs could add for a widened identity (deny assignments cannot be
 * created directly); a widened tool is the checks' to catch (AGENT-001, AZ rules), not this matrix's.
 */
const stack = new AzureAgentsStack(Testing.app(), 'agents-azure');
const json = JSON.parse(Testing.synth(stack, true));
const agents: AzureAgentIdentity[] = [stack.supportObserver, stack.deployOperator];
/** The matrix asks only about tool identities; the example's other identities (broker, monitor) are not its subject. */
const toolPrincipals = new Set(agents.flatMap((a) => a.tools.map((t) => principalOf(a, t))));
const evaluator = AzureRbacEvaluator.fromTerraform(json, [], toolPrincipals);

function principalOf(agent: AzureAgentIdentity, tool: Tool): string {
  const identity = agent.identityFor(tool.name);
  return `${identity.terraformResourceType}.${identity.friendlyUniqueId}`;
}

interface Call { readonly action: string; readonly resource: string; readonly dataAction: boolean }

/** `Microsoft.App/containerApps/revisions/restart/action` → `Microsoft.App/containerApps/revisions`. */
function resourceTypeOf(action: string): string {
  const parts = action.split('/');
  return (parts[parts.length - 1] === 'action' ? parts.slice(0, -2) : parts.slice(0, -1)).join('/');
}

/** `/subscriptions/…/providers/Microsoft.App/containerApps/checkout` → `Microsoft.App/containerApps`. */
function scopeTypeOf(scope: string): string {
  const m = /\/providers\/([^/]+)\/(.+)$/i.exec(scope);
  if (!m) return 'resourceGroup';
  const rest = m[2].split('/');
  return [m[1], ...rest.filter((_s, i) => i % 2 === 0)].join('/');
}

/** The resource id an operation acts on, under the declared scope. */
function resourceFor(action: string, scope: string): string {
  const type = resourceTypeOf(action);
  const scopeType = scopeTypeOf(scope);
  if (type.toLowerCase() === scopeType.toLowerCase() || !type.toLowerCase().startsWith(`${scopeType.toLowerCase()}/`)) return scope;
  const children = type.slice(scopeType.length + 1).split('/');
  return `${scope}${children.map((c) => `/${c}/sample-${c.toLowerCase()}`).join('')}`;
}

function declaredCalls(tool: Tool): Call[] {
  const az = tool.azure!;
  return [
    ...(az.actions ?? []).map((action) => ({ action, resource: resourceFor(action, az.scope), dataAction: false })),
    ...(az.dataActions ?? []).map((action) => ({ action, resource: resourceFor(action, az.scope), dataAction: true })),
  ];
}

type Expected = AzureDecision;
interface Case { readonly name: string; readonly expected: Expected; readonly decide: () => AzureDecision }
const cases: Case[] = [];
for (const agent of agents) {
  for (const tool of agent.tools) {
    const principal = principalOf(agent, tool);
    const scope = tool.azure!.scope;
    const add = (name: string, expected: Expected, call: Call) => cases.push({
      name: `${agent.agentName}/${tool.name}: ${name} ${call.action} on ${call.resource}`, expected,
      decide: () => evaluator.decide({ principal, action: call.action, resource: call.resource, dataAction: call.dataAction }),
    });
    for (const call of declaredCalls(tool)) {
      add('job', 'Allowed', call);
      const sibling = scope.replace(/[^/]+$/, 'payments');
      add('neighbour resource:', 'NotGranted', { ...call, resource: call.resource.replace(scope, sibling) });
      const otherEnvironment = scope.replace(/rg-checkout-(prod|staging)/, (_m, env: string) => `rg-checkout-${env === 'prod' ? 'staging' : 'prod'}`);
      add('other environment:', 'NotGranted', { ...call, resource: call.resource.replace(scope, otherEnvironment) });
    }
    const rg = scope.replace(/\/providers\/.*$/, '');
    for (const action of [`${resourceTypeOf(tool.azure!.actions![0])}/delete`, `${scopeTypeOf(scope)}/write`, 'Microsoft.Authorization/roleAssignments/write', 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action']) {
      if (declaredCalls(tool).some((c) => c.action.toLowerCase() === action.toLowerCase())) continue;
      add('undeclared:', 'NotGranted', { action, resource: scope, dataAction: false });
      add('undeclared, resource group:', 'NotGranted', { action, resource: rg, dataAction: false });
    }
  }
}

describe(`Azure example: every declared job allowed, its neighbours not (${cases.length} requests)`, () => {
  test.each(cases.map((c) => [c.name, c.expected, c] as const))('%s → %s', (_name, expected, c) => {
    expect(c.decide()).toBe(expected);
  });

  test('the restart tool restarts a revision of the checkout app (a child resource of its scope)', () => {
    const restart = stack.deployOperator.tools.find((t) => t.name === 'restart-service')!;
    expect(declaredCalls(restart).map((c) => c.resource)).toContain(`${restart.azure!.scope}/revisions/sample-revisions`);
  });
});
