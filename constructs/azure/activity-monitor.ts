import { Construct } from 'constructs';
import { AssetType, TerraformAsset, TerraformResource } from 'cdktf';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { EventgridSystemTopic } from '@cdktf/provider-azurerm/lib/eventgrid-system-topic';
import { EventgridSystemTopicEventSubscription } from '@cdktf/provider-azurerm/lib/eventgrid-system-topic-event-subscription';
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageQueue } from '@cdktf/provider-azurerm/lib/storage-queue';
import { StorageTable } from '@cdktf/provider-azurerm/lib/storage-table';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { ActivityPlaybook, ActivityPlaybookDocument } from '../../lib/activity/activity-playbook';
import { activityPolicyOf } from '../../lib/activity/activity-policy';
import { inventoryFromTerraformJson } from '../../lib/adapters/terraform/inventory-from-terraform';
import { Baseline } from '../../lib/baseline/baseline';
import { fail } from '../../lib/errors';
import { Component } from '../../lib/model/tags';
import { handlerBundleDir } from '../aws/broker-runtime/handler-bundle';
import { attachGuardrailMetadata, guardrailTags, OwnerLabels } from '../gcp/private/metadata';
import { fitName, shortHash } from '../gcp/private/names';
import { hardenedFunctionAppConfig } from './private/hardened-function-app';
import { AgentIdentity, killSwitchCondition } from './agent-identity';
import { ENTRA_TOKEN_MAX_SECONDS } from './broker-runtime/assertion-subject';
import { AZURE_APPROVALS_TABLE, AZURE_KILL_SWITCH_PARTITION, AZURE_KILL_SWITCH_TABLE } from './broker-runtime/table-layout';
import { CredentialBroker } from './credential-broker';
import { CALLER_CLAIM_FILTER_KEY, RESOURCE_EVENT_TYPES } from './monitor-runtime/event-grid-resource-event';
import { AZURE_MONITOR_ALERT_QUEUE, AZURE_MONITOR_ENV, AZURE_MONITOR_TABLE, AzureMonitorSettings } from './monitor-runtime/monitor-config';

const TABLE_ENTITIES = 'Microsoft.Storage/storageAccounts/tableServices/tables/entities';
/** What the monitor may do in Table Storage and Queue Storage, per custom role (data actions only). */
export const MONITOR_DATA_ACTIONS = {
  /** Its own table: claims and denied-burst counts (conditional inserts and ETag updates; no delete). */
  ownTable: [`${TABLE_ENTITIES}/read`, `${TABLE_ENTITIES}/write`, `${TABLE_ENTITIES}/add/action`, `${TABLE_ENTITIES}/update/action`],
  /** The broker's kill-switch flag: the same set the revocation principals hold (no delete). */
  setFlag: [`${TABLE_ENTITIES}/read`, `${TABLE_ENTITIES}/write`, `${TABLE_ENTITIES}/update/action`],
  /** The broker's approvals: read only (the evidence for approval-gated tools). */
  readApprovals: [`${TABLE_ENTITIES}/read`],
  /** Its alert queue: put messages only. */
  alert: ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/add/action'],
} as const;
/** Built-in roles (GUIDs are the same in every tenant). */
const STORAGE_BLOB_DATA_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';
const STORAGE_BLOB_DATA_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';
const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb';
const DEPLOYMENT_CONTAINER = 'monitor-package';
const DEAD_LETTER_CONTAINER = 'dead-letters';
/** A `StringIn` advanced filter takes at most 25 values. */
const MAX_FILTER_VALUES = 25;

export interface AgentActivityMonitorProps {
  /** The monitored agent (its tool identities, kill-switch role and declarations). */
  readonly agent: AgentIdentity;
  /** The agent's broker: its kill-switch flag is set on a trip, its approvals are the evidence for approval-gated tools. */
  readonly broker: CredentialBroker;
  /**
   * The guardrail baseline (`activity.verdicts`, `activity.deniedBurst`).
   * @default Baseline.default()
   */
  readonly baseline?: Baseline;
  /**
   * Who gets the monitor's own failure alerts (dead letters, dropped events, failed invocations) by e-mail.
   * @default - the action group has no receivers (attach your own to it)
   */
  readonly alertEmails?: readonly string[];
  /**
   * An existing Event Grid system topic of the subscription (Azure allows one system topic per
   * source): its name and resource group. Give it when another monitor of the same subscription
   * already created one.
   * @default - a system topic of the subscription is created
   */
  readonly systemTopic?: { readonly name: string; readonly resourceGroupName: string };
  /**
   * The Log Analytics workspace (resource id) behind the monitor's Application Insights.
   * @default - a workspace `<agent>-<environment>-monitor` is created (365 days retention)
   */
  readonly logAnalyticsWorkspaceId?: string;
}

/**
 * The Azure activity monitor of one agent: what its tool identities do in Azure Resource Manager
 * is judged as it happens, alerted on, and a `trip` verdict pulls the kill switch.
 *
 * - **Feed.** An Event Grid system topic of the subscription (`Microsoft.Resources.Subscriptions`)
 *   emits every ARM create/update, delete and action, succeeded, failed or canceled. An Event Grid
 *   subscription keeps only the tool identities' calls (advanced filter `StringIn` on
 *   `data.claims.appid`, their client ids) and delivers them to the monitor's function (Event Grid
 *   trigger), retrying for a day, then dead-lettering to a blob container.
 * - **Judgement.** The function (Flex Consumption, Functions custom handler running the prebuilt
 *   `dist-handler/azure-monitor`) runs the neutral activity evaluator on the agent's declarations,
 *   read from the tool identities' synthesized resources by the checks' own Terraform adapter.
 * - **Alerts** go to a storage queue (`agalerts`) and the function's log (Application Insights) with
 *   the event, the verdict and the lineage.
 * - **Trip.** The monitor's identity holds the agent's kill-switch role (with the same condition:
 *   role-assignment deletes only of the tool principals) and a role that sets the broker's flag: it
 *   deletes the tool identities' federated credentials and role assignments and sets the flag,
 *   exactly what the revocation principals do, and nothing else. Besides that it may only use its
 *   own table and queue, read the broker's approvals, publish its telemetry and run its host.
 * - **Idempotent.** An event id is claimed with a conditional insert in its table; a redelivery is
 *   skipped. `denied-burst` is counted in the same table, shared by all instances.
 * - **Its own failures alert**: dead-lettered and dropped events and failed invocations raise metric
 *   alerts to an action group.
 */
export class AgentActivityMonitor extends Construct {
  public readonly identity: UserAssignedIdentity;
  public readonly functionApp: FunctionAppFlexConsumption;
  public readonly eventSubscription: EventgridSystemTopicEventSubscription;
  public readonly actionGroup: MonitorActionGroup;
  /** Custom roles of the monitor (its own table, the broker flag, approvals, its queue). */
  public readonly roles: { readonly [name in keyof typeof MONITOR_DATA_ACTIONS]: RoleDefinition };
  private readonly agent: AgentIdentity;

  constructor(scope: Construct, id: string, props: AgentActivityMonitorProps) {
    super(scope, id);
    const agent = props.agent;
    this.agent = agent;
    const azure = agent.environment.requireAzure('azure.AgentActivityMonitor');
    const baseline = props.baseline ?? Baseline.default();
    if (agent.broker !== props.broker) {
      fail('AG_MONITOR_BROKER', `azure.AgentActivityMonitor(${agent.agentName}).broker`, 'must be the broker the agent was created with', agent.agentName, 'Pass the agent\'s own CredentialBroker.');
    }
    if (agent.identities.length > MAX_FILTER_VALUES) {
      fail('AG_MONITOR_TOO_MANY_TOOLS', `azure.AgentActivityMonitor(${agent.agentName})`, `can filter at most ${MAX_FILTER_VALUES} tool identities (an Event Grid StringIn filter's limit)`, agent.identities.length, 'Split the agent.');
    }
    const { resourceGroup, location, subscriptionId } = azure;
    const rg = agent.resourceGroupId;
    const owner: OwnerLabels = { agent: agent.agentName, tier: agent.tier, environment: agent.environment.name };
    const tag = (r: TerraformResource, component = Component.MONITOR) => attachGuardrailMetadata(r, owner, component);
    const hash = shortHash([subscriptionId, resourceGroup, this.node.path], 12);
    const base = `${agent.agentName}-${agent.environment.name}-monitor`;
    const accountName = `agm${hash}`;
    const accountId = `${rg}/providers/Microsoft.Storage/storageAccounts/${accountName}`;

    this.identity = new UserAssignedIdentity(this, 'Identity', {
      name: fitName(`agent-guardrails-${base}`, 128, [agent.agentName]), resourceGroupName: resourceGroup, location,
      tags: guardrailTags(owner, Component.MONITOR),
    });
    tag(this.identity);

    const account = new StorageAccount(this, 'StateAccount', {
      name: accountName, resourceGroupName: resourceGroup, location,
      accountTier: 'Standard', accountReplicationType: 'ZRS', accountKind: 'StorageV2',
      minTlsVersion: 'TLS1_2', httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false, sharedAccessKeyEnabled: false, defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false, localUserEnabled: false, sftpEnabled: false,
    });
    const table = new StorageTable(this, 'MemoryTable', { name: AZURE_MONITOR_TABLE, storageAccountName: accountName, dependsOn: [account] });
    const queue = new StorageQueue(this, 'AlertQueue', { name: AZURE_MONITOR_ALERT_QUEUE, storageAccountName: accountName, dependsOn: [account] });
    const packageContainer = new StorageContainer(this, 'PackageContainer', { name: DEPLOYMENT_CONTAINER, storageAccountId: account.id, containerAccessType: 'private' });
    const deadLetters = new StorageContainer(this, 'DeadLetterContainer', { name: DEAD_LETTER_CONTAINER, storageAccountId: account.id, containerAccessType: 'private' });
    for (const r of [account, table, queue, packageContainer, deadLetters]) tag(r);

    const role = (key: keyof typeof MONITOR_DATA_ACTIONS, description: string) => {
      const def = new RoleDefinition(this, `${key}-role`, {
        name: `agent-guardrails ${agent.agentName} ${agent.environment.name} monitor ${key}`, scope: rg, description,
        permissions: [{ actions: [], notActions: [], dataActions: [...MONITOR_DATA_ACTIONS[key]], notDataActions: [] }], assignableScopes: [rg],
      });
      tag(def, key === 'setFlag' ? Component.KILL_SWITCH : Component.MONITOR);
      return def;
    };
    this.roles = {
      ownTable: role('ownTable', 'The activity monitor\'s own table: read, insert and update entities; no delete.'),
      setFlag: role('setFlag', 'Set the broker\'s kill-switch flag; nothing else (no delete).'),
      readApprovals: role('readApprovals', 'Read the broker\'s approvals; nothing else.'),
      alert: role('alert', 'Put messages on the activity monitor\'s alert queue; nothing else.'),
    };
    const principal = this.identity.principalId;
    const broker = props.broker.stateAccount;
    const assign = (name: string, scopeId: string, roleId: RoleDefinition | string, component: Component, dependsOn: TerraformResource[] = [], condition?: string, principalId = principal) => {
      const a = new RoleAssignment(this, name, {
        scope: scopeId, principalId, description: `agent-guardrails activity monitor of ${agent.agentName} (${agent.environment.name}): ${name}`,
        roleDefinitionId: typeof roleId === 'string' ? `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}` : roleId.roleDefinitionResourceId,
        ...(condition ? { condition, conditionVersion: '2.0' } : {}), dependsOn,
      });
      tag(a, component);
      return a;
    };
    const access = [
      // The kill switch: the agent's own kill-switch role, under the same condition as the revocation principals'.
      assign('PullsKillSwitch', rg, agent.killSwitchRole, Component.KILL_SWITCH, [], killSwitchCondition(agent.identities.map((i) => i.principalId))),
      assign('SetsBrokerFlag', `${broker.id}/tableServices/default/tables/${AZURE_KILL_SWITCH_TABLE}`, this.roles.setFlag, Component.KILL_SWITCH),
      assign('ReadsApprovals', `${broker.id}/tableServices/default/tables/${AZURE_APPROVALS_TABLE}`, this.roles.readApprovals, Component.MONITOR),
      assign('OwnsMemory', `${accountId}/tableServices/default/tables/${AZURE_MONITOR_TABLE}`, this.roles.ownTable, Component.MONITOR, [table]),
      assign('SendsAlerts', `${accountId}/queueServices/default/queues/${AZURE_MONITOR_ALERT_QUEUE}`, this.roles.alert, Component.MONITOR, [queue]),
      // The Functions host and the Flex deployment use blobs of the monitor's own account.
      assign('HostStorage', accountId, STORAGE_BLOB_DATA_OWNER, Component.MONITOR, [account]),
    ];

    let workspaceId = props.logAnalyticsWorkspaceId;
    if (workspaceId === undefined) {
      const workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
        name: fitName(base, 63, [agent.agentName, agent.environment.name]), resourceGroupName: resourceGroup, location, sku: 'PerGB2018', retentionInDays: 365,
      });
      tag(workspace, Component.AUDIT);
      workspaceId = workspace.id;
    }
    const insightsName = fitName(base, 255, [agent.agentName]);
    const insights = new ApplicationInsights(this, 'Insights', {
      name: insightsName, resourceGroupName: resourceGroup, location, applicationType: 'other', workspaceId, localAuthenticationDisabled: true,
    });
    tag(insights, Component.AUDIT);
    access.push(assign('PublishesTelemetry', `${rg}/providers/Microsoft.Insights/components/${insightsName}`, MONITORING_METRICS_PUBLISHER, Component.MONITOR, [insights]));

    const plan = new ServicePlan(this, 'Plan', { name: fitName(base, 60, [agent.agentName]), resourceGroupName: resourceGroup, location, osType: 'Linux', skuName: 'FC1' });
    tag(plan);
    const bundle = new TerraformAsset(this, 'HandlerAsset', { path: handlerBundleDir('azure-monitor'), type: AssetType.ARCHIVE });
    const settings: AzureMonitorSettings = {
      agent: agent.agentName,
      environment: agent.environment.name,
      policy: activityPolicyOf(baseline),
      tableEndpoint: `https://${accountName}.table.core.windows.net`,
      queueEndpoint: `https://${accountName}.queue.core.windows.net`,
      approvals: { tableEndpoint: `https://${broker.name}.table.core.windows.net`, table: AZURE_APPROVALS_TABLE, sessionSeconds: ENTRA_TOKEN_MAX_SECONDS },
      killSwitch: {
        resourceGroupId: rg,
        tools: agent.tools.map((t) => ({ tool: t.name, identityId: agent.identityFor(t.name).id, principalId: agent.identityFor(t.name).principalId })),
        flag: { tableEndpoint: `https://${broker.name}.table.core.windows.net`, table: AZURE_KILL_SWITCH_TABLE, partitionKey: AZURE_KILL_SWITCH_PARTITION, rowKey: agent.agentName },
      },
    };
    this.functionApp = new FunctionAppFlexConsumption(this, 'Function', {
      ...hardenedFunctionAppConfig({
        name: fitName(`ag-monitor-${agent.agentName}-${shortHash([accountName], 6)}`, 60, [agent.agentName]),
        resourceGroupName: resourceGroup, location, servicePlanId: plan.id,
        identity: this.identity, storageAccountName: accountName, storagePrimaryBlobEndpoint: account.primaryBlobEndpoint,
        deploymentContainer: DEPLOYMENT_CONTAINER, zipDeployFile: bundle.path, insightsConnectionString: insights.connectionString,
        appSettings: {
          [AZURE_MONITOR_ENV.playbook]: JSON.stringify(this.playbook()),
          [AZURE_MONITOR_ENV.settings]: JSON.stringify(settings),
        },
      }),
      dependsOn: access,
    });
    tag(this.functionApp);

    let topicName = props.systemTopic?.name;
    let topicRg = props.systemTopic?.resourceGroupName ?? resourceGroup;
    let topic: EventgridSystemTopic | undefined;
    if (topicName === undefined) {
      topic = new EventgridSystemTopic(this, 'SubscriptionTopic', {
        name: fitName(`agent-guardrails-${subscriptionId}`, 128, [subscriptionId]), resourceGroupName: resourceGroup, location: 'global',
        topicType: 'Microsoft.Resources.Subscriptions', sourceArmResourceId: `/subscriptions/${subscriptionId}`,
        identity: { type: 'SystemAssigned' },
      });
      tag(topic);
      topicName = topic.name;
      topicRg = resourceGroup;
      // Event Grid writes dead letters with the topic's identity, into the one container.
      access.push(assign('TopicWritesDeadLetters', `${accountId}/blobServices/default/containers/${DEAD_LETTER_CONTAINER}`, STORAGE_BLOB_DATA_CONTRIBUTOR, Component.MONITOR, [deadLetters], undefined, topic.identity.principalId));
    }
    this.eventSubscription = new EventgridSystemTopicEventSubscription(this, 'ToolCalls', {
      name: fitName(`agent-guardrails-${base}`, 64, [agent.agentName]), systemTopic: topicName, resourceGroupName: topicRg,
      includedEventTypes: [...RESOURCE_EVENT_TYPES],
      advancedFilter: { stringIn: [{ key: CALLER_CLAIM_FILTER_KEY, values: agent.identities.map((i) => i.clientId) }] },
      azureFunctionEndpoint: { functionId: `${this.functionApp.id}/functions/monitor`, maxEventsPerBatch: 1 },
      retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLive: 1440 },
      storageBlobDeadLetterDestination: { storageAccountId: account.id, storageBlobContainerName: DEAD_LETTER_CONTAINER },
      ...(topic ? { deadLetterIdentity: { type: 'SystemAssigned' } } : {}),
      dependsOn: [this.functionApp, ...access],
    });
    tag(this.eventSubscription);

    this.actionGroup = new MonitorActionGroup(this, 'FailureAlerts', {
      name: fitName(`agent-guardrails-${base}`, 260, [agent.agentName]), resourceGroupName: resourceGroup, shortName: `ag${shortHash([base], 8)}`.slice(0, 12),
      emailReceiver: (props.alertEmails ?? []).map((email, i) => ({ name: `email-${i}`, emailAddress: email, useCommonAlertSchema: true })),
    });
    tag(this.actionGroup);
    const alert = (name: string, scopeId: string, namespace: string, metric: string, description: string) => {
      const a = new MonitorMetricAlert(this, name, {
        name: fitName(`agent-guardrails-${base}-${name}`, 260, [agent.agentName]), resourceGroupName: resourceGroup, scopes: [scopeId], description,
        severity: 1, frequency: 'PT1M', windowSize: 'PT5M',
        criteria: [{ metricNamespace: namespace, metricName: metric, aggregation: 'Total', operator: 'GreaterThan', threshold: 0 }],
        action: [{ actionGroupId: this.actionGroup.id }],
      });
      tag(a);
    };
    if (topic) {
      alert('dead-letters', topic.id, 'Microsoft.EventGrid/systemTopics', 'DeadLetteredCount', 'Events the monitor never judged (dead-lettered after retries).');
      alert('dropped-events', topic.id, 'Microsoft.EventGrid/systemTopics', 'DroppedEventCount', 'Events Event Grid dropped before the monitor judged them.');
    }
    alert('failed-invocations', insights.id, 'microsoft.insights/components', 'requests/failed', 'Monitor invocations that failed (an effect, such as the kill switch, did not complete; Event Grid retries).');
  }

  /**
   * The agent's declarations as the evaluator reads them: the synthesized tool identities read by
   * the checks' Terraform adapter (their `agent-guardrails` metadata), each tool's identity set to
   * its principal (object) id, which the activity log names as the caller.
   */
  public playbook(): ActivityPlaybookDocument {
    const resource: Record<string, Record<string, unknown>> = {};
    const principalOf = new Map<string, string>();
    for (const t of this.agent.tools) {
      const identity = this.agent.identityFor(t.name);
      // Literal names, tags and metadata are all the adapter reads here; attribute tokens stay unresolved.
      const fragment = identity.toTerraform() as { resource: Record<string, Record<string, unknown>> };
      for (const [type, blocks] of Object.entries(fragment.resource)) resource[type] = { ...resource[type], ...blocks };
      principalOf.set(t.name, identity.principalId);
    }
    const playbook = ActivityPlaybook.fromInventory(inventoryFromTerraformJson({ resource }));
    return {
      version: 1,
      agents: playbook.agents
        .filter((a) => a.agent === this.agent.agentName && a.environment === this.agent.environment.name)
        .map((a) => ({ ...a, tools: a.tools.filter((t) => t.cloud === 'azure').map((t) => ({ ...t, identities: [principalOf.get(t.name)].filter((x): x is string => x !== undefined) })) })),
    };
  }
}
