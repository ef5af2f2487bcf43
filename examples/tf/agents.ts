import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentActivityMonitor as AzureAgentActivityMonitor, AgentIdentity as AzureAgentIdentity, CredentialBroker as AzureCredentialBroker } from '../../constructs/azure';
import { AgentActivityMonitor as GcpAgentActivityMonitor, AgentIdentity as GcpAgentIdentity, CredentialBroker as GcpCredentialBroker } from '../../constructs/gcp';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../lib/model';

/**
 * The same two agents as the AWS example (examples/aws/agents.ts), on GCP and on Azure:
 * `support-observer` reads logs in staging; `deploy-operator` reads, restarts and (with approval, in
 * a change window) rolls back one service in prod, its tool identities reachable only through its
 * credential broker. Documentation values only: nothing is deployed.
 */

/** One GCP project per environment. */
export const GCP_STAGING = Environment.of({ name: 'staging', gcp: { project: 'acme-checkout-staging' } });
export const GCP_PROD = Environment.of({ name: 'prod', gcp: { project: 'acme-checkout-prod' } });

/** One resource group per environment, in one subscription. */
export const AZURE_SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
export const AZURE_STAGING = Environment.of({ name: 'staging', azure: { subscriptionId: AZURE_SUBSCRIPTION, resourceGroup: 'rg-checkout-staging', location: 'westeurope' } });
export const AZURE_PROD = Environment.of({ name: 'prod', azure: { subscriptionId: AZURE_SUBSCRIPTION, resourceGroup: 'rg-checkout-prod', location: 'westeurope' } });

/** The prod project's number (`gcloud projects describe acme-checkout-prod --format='value(projectNumber)'`): it names Google's service agents. */
export const GCP_PROD_PROJECT_NUMBER = '123456789012';

/** The service identity the prod checkout service runs as (a user-managed account of the prod project). */
export const CHECKOUT_RUNTIME = `checkout-runtime@${GCP_PROD.gcp!.project}.iam.gserviceaccount.com`;

/** The agent runtime's own service account in prod: the only caller of the GCP broker. */
export const GCP_AGENT_RUNTIME = `serviceAccount:agent-runtime@${GCP_PROD.gcp!.project}.iam.gserviceaccount.com`;

/** The Entra tenant and the agent runtime's managed identity (the only caller of the Azure broker). */
export const AZURE_TENANT = '00000000-0000-4000-8000-0000000000ee';
export const AZURE_AGENT_RUNTIME = { clientId: '00000000-0000-4000-8000-0000000000c1', principalId: '00000000-0000-4000-8000-0000000000c2' };

/** Incident responders (an on-call group) hold the kill switches. */
const INCIDENT_RESPONSE_GROUP = 'group:incident-response@acme.example';
const INCIDENT_RESPONSE_OBJECT_ID = '00000000-0000-4000-8000-0000000000aa';
/** The on-call release managers approve the deploy-operator's rollbacks (people, never the agent's identities). */
const GCP_APPROVERS = ['user:release-manager-1@acme.example', 'user:release-manager-2@acme.example'];
const AZURE_APPROVER_OBJECT_IDS = ['00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000d2'];

const changeWindow = () => ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00');

/** Both agents on GCP (Cloud Run service `checkout`). */
export class GcpAgentsStack extends TerraformStack {
  public readonly supportObserver: GcpAgentIdentity;
  public readonly deployOperator: GcpAgentIdentity;
  /** The deploy-operator's broker: the only way from the agent runtime to its tool service accounts. */
  public readonly deployOperatorBroker: GcpCredentialBroker;
  /** Watches the deploy-operator's audit log entries; a high-risk deviation disables its tool service accounts and engages the broker's flag. */
  public readonly deployOperatorMonitor: GcpAgentActivityMonitor;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new GoogleProvider(this, 'google', { region: 'europe-west1' });

    const staging = GCP_STAGING.gcp!.project;
    this.supportObserver = new GcpAgentIdentity(this, 'SupportObserver', {
      agentName: 'support-observer',
      tier: AgentTier.OBSERVER,
      environment: GCP_STAGING,
      tools: [
        Tool.read('read-logs', {
          description: 'Reads the checkout service logs.',
          gcp: { permissions: ['logging.logEntries.list', 'logging.logs.list'], resource: `projects/${staging}` },
          dataSources: ['checkout logs'],
        }),
        Tool.read('read-service', {
          description: 'Reads the state of the checkout service.',
          gcp: { permissions: ['run.services.get'], resource: `projects/${staging}/locations/europe-west1/services/checkout` },
        }),
      ],
      brokerMember: `serviceAccount:agent-broker@${staging}.iam.gserviceaccount.com`,
      revocationMembers: [INCIDENT_RESPONSE_GROUP],
    });

    const prod = GCP_PROD.gcp!.project;
    const service = `projects/${prod}/locations/europe-west1/services/checkout`;
    // The checkout service's own service identity (never the default compute account).
    const runtime = CHECKOUT_RUNTIME;
    // The broker first: the tool service accounts' Token Creator bindings name its service account.
    this.deployOperatorBroker = new GcpCredentialBroker(this, 'DeployOperatorBroker', {
      project: prod, region: 'europe-west1', runtimeMember: GCP_AGENT_RUNTIME, revocationMembers: [INCIDENT_RESPONSE_GROUP],
      approvers: GCP_APPROVERS,
    });
    this.deployOperator = new GcpAgentIdentity(this, 'DeployOperator', {
      agentName: 'deploy-operator',
      tier: AgentTier.OPERATOR,
      environment: GCP_PROD,
      tools: [
        Tool.read('read-service', {
          description: 'Reads the state of the checkout service and its revisions.',
          gcp: { permissions: ['run.services.get', 'run.revisions.get', 'run.revisions.list'], resource: service },
        }),
        // Updating a Cloud Run service needs iam.serviceAccounts.actAs on its runtime account: the tool
        // declares that account, may act as it alone, and the boundary keeps denying actAs on any other.
        Tool.write('restart-service', {
          description: 'Restarts the checkout service (deploys a new revision of the same image).',
          gcp: { permissions: ['run.services.get', 'run.services.update'], resource: service, runtimeServiceAccount: runtime },
          window: changeWindow(),
        }),
        Tool.destructive('rollback-deployment', {
          description: 'Routes traffic back to the previous revision of the checkout service.',
          gcp: { permissions: ['run.services.get', 'run.services.update', 'run.revisions.list'], resource: service, runtimeServiceAccount: runtime },
          window: changeWindow(),
          // requiresApproval defaults to true for destructive tools.
        }),
      ],
      brokerMember: this.deployOperatorBroker.member,
      revocationMembers: [INCIDENT_RESPONSE_GROUP],
    });
    this.deployOperatorBroker.addAgent(this.deployOperator);
    this.deployOperatorMonitor = new GcpAgentActivityMonitor(this, 'DeployOperatorMonitor', {
      agent: this.deployOperator, broker: this.deployOperatorBroker, projectNumber: GCP_PROD_PROJECT_NUMBER, region: 'europe-west1',
    });
  }
}

/** Both agents on Azure (Container App `checkout`). */
export class AzureAgentsStack extends TerraformStack {
  public readonly supportObserver: AzureAgentIdentity;
  public readonly deployOperator: AzureAgentIdentity;
  /** The deploy-operator's broker: the OIDC issuer its tool identities trust (instead of the runtime's). */
  public readonly deployOperatorBroker: AzureCredentialBroker;
  /** The deploy-operator's activity monitor: its tools' ARM calls judged as they happen; a trip pulls the kill switch. */
  public readonly deployOperatorMonitor: AzureAgentActivityMonitor;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}], subscriptionId: AZURE_SUBSCRIPTION });
    // The broker creates its API's Entra app registration (only the runtime and the approvers can get a token for it).
    new AzureadProvider(this, 'azuread', { tenantId: AZURE_TENANT });
    const runtime = {
      // The AKS cluster that runs the agent runtime (its OIDC issuer); one Kubernetes service account per tool.
      runtimeIssuer: 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-4000-8000-0000000000ff/00000000-0000-4000-8000-0000000000ee/',
      runtimeSubjectTemplate: 'system:serviceaccount:agents-{environment}:{agent}-{tool}',
      revocationPrincipalIds: [INCIDENT_RESPONSE_OBJECT_ID],
    };

    const stagingRg = `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${AZURE_STAGING.azure!.resourceGroup}`;
    this.supportObserver = new AzureAgentIdentity(this, 'SupportObserver', {
      ...runtime,
      agentName: 'support-observer',
      tier: AgentTier.OBSERVER,
      environment: AZURE_STAGING,
      tools: [
        Tool.read('read-logs', {
          description: 'Reads the checkout service logs.',
          // Exact read actions rather than Log Analytics Reader, whose `*/read` reaches every resource type.
          azure: {
            actions: ['Microsoft.OperationalInsights/workspaces/read', 'Microsoft.OperationalInsights/workspaces/query/read'],
            scope: `${stagingRg}/providers/Microsoft.OperationalInsights/workspaces/checkout-logs`,
          },
          dataSources: ['checkout logs'],
        }),
        Tool.read('read-service', {
          description: 'Reads the state of the checkout service.',
          azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/read'], scope: `${stagingRg}/providers/Microsoft.App/containerApps/checkout` },
        }),
      ],
    });

    const app = `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${AZURE_PROD.azure!.resourceGroup}/providers/Microsoft.App/containerApps/checkout`;
    this.deployOperatorBroker = new AzureCredentialBroker(this, 'DeployOperatorBroker', {
      environment: AZURE_PROD, tenantId: AZURE_TENANT, runtime: AZURE_AGENT_RUNTIME,
      revocationPrincipalIds: [INCIDENT_RESPONSE_OBJECT_ID], approverPrincipalIds: AZURE_APPROVER_OBJECT_IDS,
    });
    this.deployOperator = new AzureAgentIdentity(this, 'DeployOperator', {
      // The broker replaces the runtime's issuer: each tool identity trusts exactly the broker's issuer and its agent/tool/environment subject.
      broker: this.deployOperatorBroker,
      revocationPrincipalIds: runtime.revocationPrincipalIds,
      agentName: 'deploy-operator',
      tier: AgentTier.OPERATOR,
      environment: AZURE_PROD,
      tools: [
        Tool.read('read-service', {
          description: 'Reads the state of the checkout service and its revisions.',
          azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/read'], scope: app },
        }),
        // Restarting a revision's running replicas drops in-flight requests: destructive in the model
        // (lib/model/access-level.ts), so it needs an approval; on GCP a restart is a new revision (write).
        Tool.destructive('restart-service', {
          description: 'Restarts the active revision of the checkout service.',
          azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/restart/action'], scope: app },
          window: changeWindow(),
        }),
        Tool.destructive('rollback-deployment', {
          description: 'Reactivates the previous revision and deactivates the failing one.',
          azure: {
            actions: ['Microsoft.App/containerApps/revisions/read', 'Microsoft.App/containerApps/revisions/activate/action', 'Microsoft.App/containerApps/revisions/deactivate/action'],
            scope: app,
          },
          window: changeWindow(),
        }),
      ],
    });
    this.deployOperatorBroker.addAgent(this.deployOperator);
    this.deployOperatorMonitor = new AzureAgentActivityMonitor(this, 'DeployOperatorMonitor', { agent: this.deployOperator, broker: this.deployOperatorBroker });
  }
}
