import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { AgentIdentity as GcpAgentIdentity, CredentialBroker as GcpCredentialBroker } from '../../constructs/gcp';
import { AgentIdentity as AzureAgentIdentity, CredentialBroker as AzureCredentialBroker } from '../../constructs/azure';
import { AzureAgentsStack, AZURE_AGENT_RUNTIME, AZURE_STAGING, AZURE_SUBSCRIPTION, AZURE_TENANT, GCP_PROD, GcpAgentsStack } from '../../examples/tf/agents';
import { inventoryFromTerraformJson } from '../../lib/adapters/terraform';
import { brokerSubject } from '../../lib/broker/broker-subject';
import { AgentTier, ChangeWindow, Tool } from '../../lib/model';
import { GcpIamEvaluator } from '../helpers/gcp-iam-evaluator';
// The broker's own Firestore roles, from the full role data (tests only), to show they hold no token permission.
const SHARED = process.env.AGENT_GUARDRAILS_SHARED_DATA ?? '/work/shared/data';
const ROLE_DATA = path.join(SHARED, 'gcp-predefined-roles.json');
const gcpSuite = fs.existsSync(ROLE_DATA) ? describe : describe.skip;
const brokerRoles = (): Record<string, string[]> => {
  const data = JSON.parse(fs.readFileSync(ROLE_DATA, 'utf8')) as { roles: Record<string, { permissions: string[] }> };
  return Object.fromEntries(['roles/datastore.user', 'roles/datastore.viewer'].map((r) => [r, data.roles[r].permissions]));
};

/**
 * Structure: a broker can mint a token for its own agent's tools in its own environment, and for no
 * tool of another agent or environment — proven on the synthesized policies, not on their shape.
 * GCP: every Token Creator binding's condition evaluated with @bufbuild/cel (GcpIamEvaluator) at every
 * hour of a week. Azure: the federated credentials' exact issuer and subject, as Entra matches them.
 */
const HOURS_OF_A_WEEK = Array.from({ length: 7 * 24 }, (_, h) => new Date(Date.UTC(2026, 10, 23, h, 30))); // Mon 23 Nov 2026, Europe/Dublin = UTC

gcpSuite('GCP: the CEL-evaluated bindings let each broker mint only its own agent\'s tool tokens', () => {
  const stack = new GcpAgentsStack(Testing.app(), 'agents-gcp');
  // A second prod agent with its own broker: "another agent, same environment".
  const prod = GCP_PROD.gcp!.project;
  const otherBroker = new GcpCredentialBroker(stack, 'ReleaseBroker', { project: prod, region: 'europe-west1', runtimeMember: `serviceAccount:release-runtime@${prod}.iam.gserviceaccount.com`, revocationMembers: ['group:incident-response@acme.example'] });
  const other = new GcpAgentIdentity(stack, 'ReleaseOperator', {
    agentName: 'release-operator', tier: AgentTier.OPERATOR, environment: GCP_PROD, brokerMember: otherBroker.member, revocationMembers: ['group:incident-response@acme.example'],
    tools: [Tool.write('publish-release', { gcp: { permissions: ['pubsub.topics.publish'], resource: `projects/${prod}/topics/releases` }, window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00') })],
  });
  otherBroker.addAgent(other);
  const evaluator = GcpIamEvaluator.fromTerraform(JSON.parse(Testing.synth(stack, true)), { roles: brokerRoles() });
  const agents = [stack.supportObserver, stack.deployOperator, other];
  const brokers: Array<[string, GcpAgentIdentity]> = [[stack.deployOperatorBroker.email, stack.deployOperator], [otherBroker.email, other]];
  const mint = (broker: string, agent: GcpAgentIdentity, tool: string, time: Date) => evaluator.decide({
    principal: broker, permission: 'iam.serviceAccounts.getAccessToken', resource: `projects/${agent.environment.gcp!.project}/serviceAccounts/${agent.emailFor(tool)}`, time,
  });

  test.each(brokers.map(([email, agent]) => [agent.agentName, email, agent]))('%s\'s broker: its own tools inside their windows, no tool of another agent or environment at any hour', (_name, email, own) => {
    for (const agent of agents) {
      for (const tool of agent.tools) {
        const decisions = new Set(HOURS_OF_A_WEEK.map((t) => mint(email as string, agent, tool.name, t)));
        if (agent !== own) {
          expect([agent.agentName, tool.name, [...decisions]]).toEqual([agent.agentName, tool.name, ['NotGranted']]);
        } else {
          // Allowed in some hour; a windowed tool is refused in others (the binding's request.time condition).
          expect(decisions.has('Allowed')).toBe(true);
          if (tool.window) expect(decisions.has('NotGranted')).toBe(true);
        }
      }
    }
  });
});

describe('Azure: the federated subjects let the broker\'s assertion reach exactly one tool of one agent in one environment', () => {
  const stack = new AzureAgentsStack(Testing.app(), 'agents-azure');
  // A staging agent with its own broker: "same agent name, another environment".
  const stagingBroker = new AzureCredentialBroker(stack, 'StagingBroker', { environment: AZURE_STAGING, tenantId: AZURE_TENANT, runtime: AZURE_AGENT_RUNTIME, revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'] });
  const rg = `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${AZURE_STAGING.azure!.resourceGroup}`;
  const staging = new AzureAgentIdentity(stack, 'DeployOperatorStaging', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: AZURE_STAGING, broker: stagingBroker, revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
    tools: [Tool.read('read-service', { azure: { actions: ['Microsoft.App/containerApps/read'], scope: `${rg}/providers/Microsoft.App/containerApps/checkout` } })],
  });
  stagingBroker.addAgent(staging);
  const inventory = inventoryFromTerraformJson(stack.toTerraform(), { stack: 'agents-azure' });
  const tools = inventory.identities.filter((i) => i.isAgent && i.labels.component === 'tool-identity');
  /** Entra's rule: an assertion is exchanged for an identity iff one of its federated credentials has exactly its issuer and subject. */
  const exchangeable = (issuer: string, subject: string) => tools.filter((t) => t.federations.some((f) => f.issuer === issuer && f.subject === subject));

  test('the two brokers have different issuers, each exactly one exact https URL', () => {
    const issuers = inventory.brokers!.map((b) => b.issuer!);
    expect(issuers).toHaveLength(2);
    expect(new Set(issuers).size).toBe(2);
    for (const i of issuers) expect(i).toMatch(/^https:\/\/[a-z0-9]+\.z\{zone\}\.web\.core\.windows\.net$/);
  });

  test('every (broker, agent, tool, environment) assertion reaches exactly its own tool identity, and nothing for any other agent or environment', () => {
    const agentsByEnv = new Map(inventory.brokers!.map((b) => [b.environment, b]));
    const names = [...new Set(tools.map((t) => `${t.labels.agent}|${t.labels.tool}`)), 'deploy-operator|delete-everything'];
    for (const broker of inventory.brokers!) {
      for (const env of ['prod', 'staging', 'dev']) {
        for (const pair of names) {
          const [agent, tool] = pair.split('|');
          const reached = exchangeable(broker.issuer!, brokerSubject(agent, tool, env));
          const own = agent === broker.agent && env === broker.environment && agentsByEnv.get(env) === broker;
          const expected = own ? tools.filter((t) => t.labels.agent === agent && t.labels.tool === tool && t.labels.environment === env) : [];
          expect([broker.environment, agent, tool, env, reached.map((t) => t.id)]).toEqual([broker.environment, agent, tool, env, expected.map((t) => t.id)]);
          if (own && expected.length > 0) expect(reached).toHaveLength(1);
        }
      }
    }
  });

  test('the runtime\'s own issuer reaches no brokered tool (support-observer keeps its runtime federation)', () => {
    const brokered = tools.filter((t) => t.labels.agent === 'deploy-operator');
    for (const t of brokered) for (const f of t.federations) expect(inventory.brokers!.map((b) => b.issuer)).toContain(f.issuer);
  });
});
