// The README's GCP and Azure examples, kept here so `tsc --noEmit` proves they compile.
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentIdentity as AzureAgentIdentity } from '../../constructs/azure';
import { AgentIdentity as GcpAgentIdentity } from '../../constructs/gcp';
import { GuardrailChecks } from '../../constructs/tf';
import { AgentTier, Environment, Tool } from '../../lib';

export function gcpAndAzure(app: App): TerraformStack[] {
  const gcpStack = new TerraformStack(app, 'GcpAgents');
  new GoogleProvider(gcpStack, 'google', { project: 'prod-project' });
  const gcpProd = Environment.of({ name: 'prod', gcp: { project: 'prod-project' } });
  new GcpAgentIdentity(gcpStack, 'DeployOperator', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: gcpProd,
    brokerMember: 'serviceAccount:broker@prod-project.iam.gserviceaccount.com',
    revocationMembers: ['group:incident-response@example.com'],
    tools: [Tool.read('read-logs', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/prod-logs' } })],
  });

  const azureStack = new TerraformStack(app, 'AzureAgents');
  new AzurermProvider(azureStack, 'azurerm', { features: [{}] });
  const azureProd = Environment.of({
    name: 'prod',
    azure: { subscriptionId: '00000000-0000-4000-8000-000000000001', resourceGroup: 'rg-prod', location: 'westeurope' },
  });
  const containerAppId = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-prod/providers/Microsoft.App/containerApps/checkout';
  new AzureAgentIdentity(azureStack, 'DeployOperator', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: azureProd,
    runtimeIssuer: 'https://token.actions.githubusercontent.com',
    runtimeSubjectTemplate: 'repo:example/agents:environment:{environment}',
    revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
    tools: [Tool.read('read-app', { azure: { roles: ['Reader'], scope: containerAppId } })],
  });

  GuardrailChecks.of(app).apply();
  return [gcpStack, azureStack];
}
