import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { AgentIdentity as AzureAgentIdentity } from '../../constructs/azure';
import { AgentIdentity as GcpAgentIdentity } from '../../constructs/gcp';
import { AgentTier, Environment, Tool } from '../../lib/model';

/** `agents × toolsPerAgent` tool identities per cloud, `agentsPerStack` agents per stack (one project / resource group each). */
export interface TfBenchSize {
  readonly agents: number;
  readonly toolsPerAgent: number;
  readonly agentsPerStack: number;
}

/** 1,000 GCP and 1,000 Azure tool identities; 10 agents (100 service accounts, the GCP per-project quota) per stack. */
export const DEFAULT_TF_SIZE: TfBenchSize = { agents: 100, toolsPerAgent: 10, agentsPerStack: 10 };

const SUBSCRIPTION = '00000000-0000-4000-8000-00000000be0c';
const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-4000-8000-0000000000ff/00000000-0000-4000-8000-0000000000ee/';

/**
 * Fill `app` with real GCP and Azure AgentIdentity constructs: observer agents whose tools each
 * read one resource with exact permissions (least privilege), so the checks do their full work
 * on clean identities. Returns the number of tool identities per cloud.
 */
export function populateTfBenchApp(app: App, size: TfBenchSize = DEFAULT_TF_SIZE): { gcp: number; azure: number } {
  let gcp = 0;
  let azure = 0;
  for (let s = 0; s * size.agentsPerStack < size.agents; s++) {
    const project = `bench-proj-${s}`;
    const gcpEnv = Environment.of({ name: `bench${s}`, gcp: { project } });
    const gcpStack = new TerraformStack(app, `bench-gcp-${s}`);
    new GoogleProvider(gcpStack, 'google', { region: 'europe-west1' });
    const rg = `rg-bench-${s}`;
    const azureEnv = Environment.of({ name: `bench${s}`, azure: { subscriptionId: SUBSCRIPTION, resourceGroup: rg, location: 'westeurope' } });
    const azureStack = new TerraformStack(app, `bench-azure-${s}`);
    new AzurermProvider(azureStack, 'azurerm', { features: [{}], subscriptionId: SUBSCRIPTION });
    for (let a = s * size.agentsPerStack; a < Math.min(size.agents, (s + 1) * size.agentsPerStack); a++) {
      const gcpTools: Tool[] = [];
      const azureTools: Tool[] = [];
      for (let t = 0; t < size.toolsPerAgent; t++) {
        gcpTools.push(Tool.read(`read-${t}`, {
          gcp: { permissions: ['storage.objects.get', 'storage.objects.list'], resource: `projects/_/buckets/bench-${a}-${t}` },
          dataSources: [`bench-${a}-${t}`],
        }));
        azureTools.push(Tool.read(`read-${t}`, {
          azure: { actions: ['Microsoft.Storage/storageAccounts/read'], scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/bench${a}x${t}` },
        }));
      }
      new GcpAgentIdentity(gcpStack, `Agent${a}`, {
        agentName: `agent-${a}`, tier: AgentTier.OBSERVER, environment: gcpEnv, tools: gcpTools,
        brokerMember: `serviceAccount:agent-broker@${project}.iam.gserviceaccount.com`, revocationMembers: ['group:incident-response@bench.example'],
      });
      new AzureAgentIdentity(azureStack, `Agent${a}`, {
        agentName: `agent-${a}`, tier: AgentTier.OBSERVER, environment: azureEnv, tools: azureTools,
        runtimeIssuer: ISSUER, runtimeSubjectTemplate: 'system:serviceaccount:agents-{environment}:{agent}-{tool}',
        revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
      });
      gcp += size.toolsPerAgent;
      azure += size.toolsPerAgent;
    }
  }
  return { gcp, azure };
}
