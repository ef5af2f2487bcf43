import { Testing } from 'cdktf';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { inventoryFromTerraformJson } from '../../lib/adapters/terraform';
import { Baseline } from '../../lib/baseline/baseline';
import { AGENT_RULES } from '../../lib/rules/agent';
import { GCP_RULES } from '../../lib/rules/gcp';
import { runRules } from '../../lib/rules/run-rules';
import { AgentIdentity as GcpAgentIdentity } from '../../constructs/gcp';
import { actAsPermissionsOf } from '../../constructs/gcp/private/act-as';
import { gcpRoles } from '../../constructs/gcp/private/gcp-roles';
import { CHECKOUT_RUNTIME, GcpAgentsStack } from '../../examples/tf/agents';
import { loadCatalog } from '../../lib/catalogs/catalog';
import { Tool } from '../../lib/model';
import { GcpDecision, GcpIamEvaluator } from '../helpers/gcp-iam-evaluator';

/**
 * The declared-job matrix of the GCP example (examples/tf/agents.ts): for every tool, the calls its
 * declaration says it must make, derived from the declaration itself (each permission, of its
 * custom role or of its known predefined roles, on the declared resource; plus
 * iam.serviceAccounts.actAs on the runtime account for the permissions GCP documents as needing it,
 * policies/catalogs/gcp-act-as-permissions.json), are allowed inside the tool's window, and their
 * neighbours are not: another resource, outside the window, another service account, key creation,
 * token minting, setIamPolicy, and the same with the tool widened. Evaluated on the synthesized
 * stack by test/helpers/gcp-iam-evaluator.ts (allow bindings with CEL conditions, then deny policies).
 */
const stack = new GcpAgentsStack(Testing.app(), 'agents-gcp');
const json = JSON.parse(Testing.synth(stack, true));
const agents: GcpAgentIdentity[] = [stack.supportObserver, stack.deployOperator];

const IN_WINDOW = new Date('2026-11-24T10:00:00Z'); // Tuesday 10:00 in Europe/Dublin (UTC+0 in winter)
const OUT_OF_WINDOW = new Date('2026-11-28T10:00:00Z'); // Saturday
const DEFAULT_COMPUTE = '123456789012-compute@developer.gserviceaccount.com';
const ACT_AS = 'iam.serviceAccounts.actAs';

interface Call { readonly permission: string; readonly resource: string; readonly why: string }

/** The calls a tool's declaration says it must be able to make. */
function declaredCalls(agent: GcpAgentIdentity, tool: Tool): Call[] {
  const gcp = tool.gcp!;
  const roles = gcpRoles();
  const permissions = [...(gcp.permissions ?? []), ...(gcp.roles ?? []).flatMap((r) => roles[r]?.permissions ?? [])];
  const calls: Call[] = [...new Set(permissions)].map((permission) => ({ permission, resource: gcp.resource, why: 'declared' }));
  if (actAsPermissionsOf(tool).length > 0) {
    calls.push({ permission: ACT_AS, resource: `projects/${agent.project}/serviceAccounts/${gcp.runtimeServiceAccount}`, why: `needed by ${actAsPermissionsOf(tool).join(', ')} (${loadCatalog('gcp-act-as-permissions').sources![0].split(', https')[0]})` });
  }
  return calls;
}

/** A sibling of the declared resource: another service, or another project. */
function sibling(resource: string, project: string): string {
  return resource === `projects/${project}` ? 'projects/acme-payments-prod' : resource.replace(/[^/]+$/, 'payments');
}

type Expected = GcpDecision | 'NotAllowed';
interface Case { readonly name: string; readonly expected: Expected; readonly decision: () => GcpDecision }
const cases: Case[] = [];
const evaluator = GcpIamEvaluator.fromTerraform(json);

for (const agent of agents) {
  const project = agent.project;
  for (const tool of declaredToolsOf(agent)) {
    const email = agent.emailFor(tool.name);
    const at = (time: Date) => (c: Call) => ({ principal: email, permission: c.permission, resource: c.resource, time });
    const windowed = tool.window !== undefined;
    const deploys = tool.gcp!.runtimeServiceAccount !== undefined;
    const add = (name: string, expected: Expected, decide: () => GcpDecision) => cases.push({ name: `${agent.agentName}/${tool.name}: ${name}`, expected, decision: decide });
    for (const call of declaredCalls(agent, tool)) {
      add(`job ${call.permission} on ${call.resource} (${call.why})`, 'Allowed', () => evaluator.decide(at(IN_WINDOW)(call)));
      if (windowed) add(`outside the window: ${call.permission}`, 'NotAllowed', () => evaluator.decide(at(OUT_OF_WINDOW)(call)));
      if (call.permission !== ACT_AS) add(`neighbour resource: ${call.permission} on ${sibling(call.resource, project)}`, 'NotAllowed', () => evaluator.decide(at(IN_WINDOW)({ ...call, resource: sibling(call.resource, project) })));
    }
    // Any other service account: never, and for a tool without a runtime account the deny policy says so.
    const otherAccounts = [`payments-runtime@${project}.iam.gserviceaccount.com`, DEFAULT_COMPUTE, ...agents.flatMap((a) => declaredToolsOf(a).map((t) => a.emailFor(t.name)))];
    for (const other of otherAccounts) {
      add(`actAs on ${other}`, deploys ? 'NotAllowed' : 'Denied', () => evaluator.decide({ principal: email, permission: ACT_AS, resource: `projects/${project}/serviceAccounts/${other}`, time: IN_WINDOW }));
    }
    // Credentials and policy changes: denied by the deny policy, whatever the allow side holds.
    const guarded: Call[] = [
      { permission: 'iam.serviceAccounts.getAccessToken', resource: `projects/${project}/serviceAccounts/${deploys ? tool.gcp!.runtimeServiceAccount : email}`, why: 'token minting' },
      { permission: 'iam.serviceAccountKeys.create', resource: `projects/${project}/serviceAccounts/${deploys ? tool.gcp!.runtimeServiceAccount : email}`, why: 'key creation' },
      { permission: 'resourcemanager.projects.setIamPolicy', resource: `projects/${project}`, why: 'setIamPolicy' },
      { permission: 'run.services.setIamPolicy', resource: `projects/${project}/locations/europe-west1/services/checkout`, why: 'setIamPolicy' },
    ];
    const widened = GcpIamEvaluator.fromTerraform(json, {
      roles: { 'roles/widened': [...guarded.map((g) => g.permission), ACT_AS, 'run.services.update'] },
      bindings: [{ member: `serviceAccount:${email}`, role: 'roles/widened', resource: `projects/${project}` }],
    });
    for (const g of guarded) {
      add(`${g.why}: ${g.permission} on ${g.resource}`, 'Denied', () => evaluator.decide(at(IN_WINDOW)(g)));
      add(`widened, ${g.why}: ${g.permission} on ${g.resource}`, 'Denied', () => widened.decide(at(IN_WINDOW)(g)));
    }
    if (!deploys) {
      add('widened, actAs on the default compute account', 'Denied', () => widened.decide({ principal: email, permission: ACT_AS, resource: `projects/${project}/serviceAccounts/${DEFAULT_COMPUTE}`, time: IN_WINDOW }));
    }
  }
}

function declaredToolsOf(agent: GcpAgentIdentity): Tool[] {
  return agent.tools;
}

const matches = (actual: GcpDecision, expected: Expected) => (expected === 'NotAllowed' ? actual !== 'Allowed' : actual === expected);

describe(`GCP example: every declared job allowed, its neighbours not (${cases.length} requests)`, () => {
  test.each(cases.map((c) => [c.name, c.expected, c] as const))('%s → %s', (_name, expected, c) => {
    const actual = c.decision();
    expect({ actual, ok: matches(actual, expected) }).toEqual({ actual, ok: true });
  });

  test('LIMIT: a deploy tool widened with actAs at project level could act as any account (a deny rule cannot name the target account); the checks report that widening', () => {
    const restart = stack.deployOperator.emailFor('restart-service');
    const widened = GcpIamEvaluator.fromTerraform(json, { bindings: [{ member: `serviceAccount:${restart}`, role: 'roles/iam.serviceAccountUser', resource: 'projects/acme-checkout-prod' }] });
    const otherAccount = 'projects/acme-checkout-prod/serviceAccounts/payments-runtime@acme-checkout-prod.iam.gserviceaccount.com';
    expect(widened.decide({ principal: restart, permission: ACT_AS, resource: otherAccount, time: IN_WINDOW })).toBe('Allowed');
    // The same widening on a tool without a runtime account is denied by the deny policy.
    const reader = stack.deployOperator.emailFor('read-service');
    const widenedReader = GcpIamEvaluator.fromTerraform(json, { bindings: [{ member: `serviceAccount:${reader}`, role: 'roles/iam.serviceAccountUser', resource: 'projects/acme-checkout-prod' }] });
    expect(widenedReader.decide({ principal: reader, permission: ACT_AS, resource: otherAccount, time: IN_WINDOW })).toBe('Denied');
    // The checks see the project-level impersonation grant and the grant beyond the declaration.
    const withWidening = new GcpAgentsStack(Testing.app(), 'agents-gcp-widened');
    new ProjectIamMember(withWidening, 'Widened', { project: 'acme-checkout-prod', role: 'roles/iam.serviceAccountUser', member: `serviceAccount:${restart}` });
    const findings = runRules(inventoryFromTerraformJson(withWidening.toTerraform()), [...GCP_RULES, ...AGENT_RULES], Baseline.default())
      .filter((f) => f.severity === 'error' && f.resource.includes('Widened'))
      .map((f) => f.ruleId);
    expect(findings).toEqual(expect.arrayContaining(['GCP-002', 'AGENT-001']));
  });

  test('the deploy tools act as the checkout runtime account, and their job includes that call', () => {
    for (const name of ['restart-service', 'rollback-deployment']) {
      const tool = declaredToolsOf(stack.deployOperator).find((t) => t.name === name)!;
      expect(tool.gcp!.runtimeServiceAccount).toBe(CHECKOUT_RUNTIME);
      expect(declaredCalls(stack.deployOperator, tool).map((c) => c.permission)).toContain(ACT_AS);
    }
  });
});
