import { TerraformStack, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AgentIdentity } from '../../../constructs/azure';
import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { AGENT_RULES } from '../../../lib/rules/agent';
import { AZURE_RULES } from '../../../lib/rules/azure';
import { runRules } from '../../../lib/rules/run-rules';
import { AgentTier, Environment, Tool } from '../../../lib/model';

const SUB = '11111111-2222-3333-4444-555555555555';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prod`;
const prod = Environment.of({ name: 'prod', azure: { subscriptionId: SUB, resourceGroup: 'rg-prod', location: 'westeurope' } });

function findingsFor(role: string) {
  const stack = new TerraformStack(Testing.app(), 'azure');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new AgentIdentity(stack, 'Agent', {
    agentName: 'cost-observer', tier: AgentTier.OBSERVER, environment: prod,
    tools: [Tool.read('read-costs', { azure: { roles: [role], scope: RG } })],
    runtimeIssuer: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
    runtimeSubjectTemplate: 'system:serviceaccount:agents:{agent}-{tool}',
    revocationPrincipalIds: ['aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
  });
  return runRules(inventoryFromTerraformJson(stack.toTerraform()), [...AZURE_RULES, ...AGENT_RULES], Baseline.default());
}

describe('Azure reader roles that bundle support tickets (issue 4 precision)', () => {
  test('Cost Management Reader for an observer passes with no error, and the support-ticket channel is a warning', () => {
    const findings = findingsFor('Cost Management Reader');
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    const warnings = findings.filter((f) => f.severity === 'warning').map((f) => `${f.ruleId}[${f.detail}]`);
    expect(warnings).toEqual(['AGENT-003[support-tickets:Microsoft.Support/*]']);
  });

  test('plain Reader raises nothing', () => {
    expect(findingsFor('Reader')).toEqual([]);
  });
});
