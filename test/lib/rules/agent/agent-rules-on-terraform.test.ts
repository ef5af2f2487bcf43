import { TerraformStack, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentIdentity as AzureAgentIdentity } from '../../../../constructs/azure';
import { AgentIdentity as GcpAgentIdentity } from '../../../../constructs/gcp';
import { inventoryFromTerraformJson } from '../../../../lib/adapters/terraform';
import { Baseline } from '../../../../lib/baseline/baseline';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../../../lib/model';
import { AGENT_RULES } from '../../../../lib/rules/agent';
import { Finding } from '../../../../lib/rules/rule';
import { runRules } from '../../../../lib/rules/run-rules';

const PROJECT = 'acme-prod';
const SUB = '11111111-2222-3333-4444-555555555555';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prod`;
const WINDOW = ChangeWindow.workdays('Europe/Berlin', '09:00', '17:00');

function gcpAgent(): any {
  const stack = new TerraformStack(Testing.app(), 'gcp');
  new GoogleProvider(stack, 'google', { project: PROJECT });
  new GcpAgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: Environment.of({ name: 'prod', gcp: { project: PROJECT } }),
    tools: [
      Tool.read('read-logs', { gcp: { permissions: ['logging.logEntries.list', 'logging.logs.list'], resource: `projects/${PROJECT}` } }),
      Tool.write('restart-service', { gcp: { permissions: ['run.services.get', 'run.services.update'], resource: `projects/${PROJECT}/locations/europe-west1/services/api`, runtimeServiceAccount: `api-runtime@${PROJECT}.iam.gserviceaccount.com` }, window: WINDOW }),
    ],
    brokerMember: `serviceAccount:broker@${PROJECT}.iam.gserviceaccount.com`,
    revocationMembers: ['group:oncall@example.com'],
  });
  return stack.toTerraform();
}

function azureAgent(): any {
  const stack = new TerraformStack(Testing.app(), 'azure');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new AzureAgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR,
    environment: Environment.of({ name: 'prod', azure: { subscriptionId: SUB, resourceGroup: 'rg-prod', location: 'westeurope' } }),
    tools: [
      Tool.read('read-metrics', { azure: { roles: ['Reader'], scope: RG } }),
      Tool.destructive('restart-app', {
        azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/restart/action'], scope: `${RG}/providers/Microsoft.App/containerApps/api` },
        window: WINDOW,
      }),
    ],
    runtimeIssuer: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
    runtimeSubjectTemplate: 'system:serviceaccount:agents:{agent}-{tool}',
    revocationPrincipalIds: ['aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
  });
  return stack.toTerraform();
}

function check(doc: any): Finding[] {
  return runRules(inventoryFromTerraformJson(doc), AGENT_RULES, Baseline.default());
}

const summary = (fs: Finding[]) => [...new Set(fs.map((f) => `${f.ruleId}[${f.detail}] ${f.severity}`))].sort();

/** The address of the one resource of `type` whose name contains `part`. */
function addressOf(doc: any, type: string, part: string): string {
  const names = Object.keys(doc.resource[type]).filter((n) => n.includes(part));
  if (names.length !== 1) throw new Error(`expected one ${type} named like ${part}, got ${names.join(', ')}`);
  return `${type}.${names[0]}`;
}

describe('agent rules on Terraform synthesized from the GCP and Azure constructs', () => {
  test('compliant: the GCP and Azure AgentIdentity output passes every agent rule', () => {
    expect(summary(check(gcpAgent()))).toEqual([]);
    expect(summary(check(azureAgent()))).toEqual([]);
  });

  test('GCP (attack): roles/editor on the project for the read tool\'s service account', () => {
    const doc = gcpAgent();
    const sa = addressOf(doc, 'google_service_account', 'read-logs');
    doc.resource.google_project_iam_member.attack = { project: PROJECT, role: 'roles/editor', member: `serviceAccount:\${${sa}.email}` };
    expect(summary(check(doc))).toEqual([
      'AGENT-001[action:roles/editor] error',
      'AGENT-002[read-tool-write:roles/editor] error',
      'AGENT-005[can-modify:roles/editor] error',
    ]);
  });

  test('GCP: without the audit config, lineage is reported', () => {
    const doc = gcpAgent();
    delete doc.resource.google_project_iam_audit_config;
    expect(summary(check(doc))).toEqual(['AGENT-006[no-audit-sink:prod] error']);
  });

  test('Azure (attack): Owner on the subscription for the read tool\'s identity', () => {
    const doc = azureAgent();
    const mi = addressOf(doc, 'azurerm_user_assigned_identity', 'read-metrics');
    doc.resource.azurerm_role_assignment.attack = { scope: `/subscriptions/${SUB}`, role_definition_name: 'Owner', principal_id: `\${${mi}.principal_id}` };
    expect(summary(check(doc))).toEqual([
      'AGENT-001[action:*] error',
      'AGENT-001[resource:11111111-2222-3333-4444-555555555555] error',
      'AGENT-002[read-tool-write:*] error',
      'AGENT-003[operator-undeclared:*] error',
      'AGENT-004[destructive:*/delete] error',
      'AGENT-005[can-modify:*] error',
    ]);
  });
});
