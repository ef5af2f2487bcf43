import { Construct } from 'constructs';
import { AssetType, Lazy, TerraformAsset, TerraformResource, TerraformStack } from 'cdktf';
import { Cloudfunctions2Function } from '@cdktf/provider-google/lib/cloudfunctions2-function';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { FirestoreDatabase } from '@cdktf/provider-google/lib/firestore-database';
import { FirestoreField } from '@cdktf/provider-google/lib/firestore-field';
import { LoggingProjectSink } from '@cdktf/provider-google/lib/logging-project-sink';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { ActivityPlaybook, ActivityPlaybookDocument } from '../../lib/activity/activity-playbook';
import { activityPolicyOf } from '../../lib/activity/activity-policy';
import { inventoryFromTerraformJson } from '../../lib/adapters/terraform';
import { Baseline } from '../../lib/baseline/baseline';
import { fail } from '../../lib/errors';
import { Component } from '../../lib/model/tags';
import { handlerBundleDir } from '../aws/broker-runtime/handler-bundle';
import { AgentIdentity } from './agent-identity';
import { CredentialBroker } from './credential-broker';
import { GCP_MONITOR_ENV, GcpMonitorSettings, MONITOR_BURSTS_COLLECTION } from './monitor-runtime/monitor-config';
import { attachGuardrailMetadata, OwnerLabels } from './private/metadata';
import { fitName, shortHash } from './private/names';

const GCP_MONITOR_SYMBOL = Symbol.for('agent-guardrails.gcp.AgentActivityMonitor');
const PROJECT_NUMBER = /^[1-9]\d{5,18}$/;
/** The audit logs the sink reads: Admin Activity, Data Access and Policy Denied (https://cloud.google.com/logging/docs/audit#types). */
export const AUDIT_LOG_IDS = ['cloudaudit.googleapis.com%2Factivity', 'cloudaudit.googleapis.com%2Fdata_access', 'cloudaudit.googleapis.com%2Fpolicy'] as const;
/** Pub/Sub pushes a message this often before it goes to the dead-letter topic (5–100). */
const MAX_DELIVERY_ATTEMPTS = 10;

export interface AgentActivityMonitorProps {
  /** The agent whose service accounts are watched (its declarations and kill switch). */
  readonly agent: AgentIdentity;
  /**
   * The agent's broker: a trip also engages its kill-switch flag, and its approved decisions (from
   * its decision log, checked against its approvals database) are the evidence for approval-gated tools.
   * @default - no broker: a trip only disables the tool service accounts, and every use of an approval-gated tool lacks evidence
   */
  readonly broker?: CredentialBroker;
  /**
   * The project's number (`gcloud projects describe <project> --format='value(projectNumber)'`). It
   * names the Google service agents that need a grant, literally, so the checks can read them: the
   * sink's writer (the project's Cloud Logging service agent, publish on the event topic only), Pub/Sub's
   * (dead-lettering) and Cloud Monitoring's notification agent (failure alerts on the alert topic).
   */
  readonly projectNumber: string;
  /** Region of the monitor's function, database and source bucket. */
  readonly region: string;
  /**
   * The baseline whose `activity` section says which verdicts alert and which trip.
   * @default - the app's baseline, else the package default
   */
  readonly baseline?: Baseline;
  /**
   * Cloud Monitoring notification channels (ids) that also receive the monitor's own failure alerts
   * (the alert topic always does).
   * @default - none
   */
  readonly notificationChannels?: string[];
}

/**
 * Watches what a GCP agent does with its service accounts, as it happens: a log sink takes the
 * project's audit log entries (Admin Activity, Data Access, Policy Denied) whose principal is one of
 * the agent's tool service accounts — directly or as the first party of an impersonation chain — and
 * sends them to a Pub/Sub topic. A push subscription (OIDC token of a dedicated push service account,
 * the only invoker) delivers each to the monitor's own function (2nd gen, on Cloud Run; handler
 * prebuilt in the package), which judges it with the activity evaluator against the agent's
 * declarations, read from the same inventory the checks read. Deviations are published to the alert
 * topic with event, verdict and lineage; a verdict the baseline marks `trip` pulls the kill switch
 * exactly as incident response does: disable every tool service account (the agent's kill-switch
 * role) and engage the broker's Firestore flag.
 *
 * The monitor's service account may do only that: the kill-switch role on the tool service accounts,
 * write the broker's kill-switch database, publish to its alert topic, use its own database (one
 * claim per event: Pub/Sub redelivers) and read the broker's approvals. Its own failures alert too:
 * undeliverable events go to a dead-letter topic, and alert policies on dead letters, rejected pushes
 * and the function's error log notify the alert topic (and any given channels).
 *
 * Data Access audit logs must be on for the services the tools use: `gcp.AgentIdentity` enables
 * them by default (its `auditServices`). Deploying the push subscription needs `iam.serviceAccounts.actAs`
 * on the push service account; projects created before 8 April 2021 must also give the Pub/Sub
 * service agent Token Creator on it (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions).
 */
export class AgentActivityMonitor extends Construct {
  /** Whether `x` is a GCP AgentActivityMonitor (works across copies of this package). */
  public static isAgentActivityMonitor(x: unknown): x is AgentActivityMonitor {
    return typeof x === 'object' && x !== null && GCP_MONITOR_SYMBOL in x;
  }

  /** The monitor function's service account (component monitor). */
  public readonly serviceAccount: ServiceAccount;
  /** Its email (a literal). */
  public readonly email: string;
  /** The push subscription's identity: its OIDC token is the only way to invoke the monitor. */
  public readonly pushServiceAccount: ServiceAccount;
  public readonly pushEmail: string;
  /** The sink of the agent's audit log entries. */
  public readonly sink: LoggingProjectSink;
  /** The sink's filter (Logging query language). */
  public readonly filter: string;
  /** Audit log entries (and approved broker decisions) to judge. */
  public readonly eventTopic: PubsubTopic;
  /** Alerts: deviations, trips and the monitor's own failures. */
  public readonly alertTopic: PubsubTopic;
  /** Events Pub/Sub could not deliver. */
  public readonly deadLetterTopic: PubsubTopic;
  public readonly subscription: PubsubSubscription;
  public readonly function: Cloudfunctions2Function;
  /** The monitor's own Firestore database: event claims and remembered approvals. */
  public readonly database: FirestoreDatabase;
  /** Names, literal. */
  public readonly functionName: string;
  public readonly databaseId: string;
  private readonly agent: AgentIdentity;
  private readonly props: AgentActivityMonitorProps;

  constructor(scope: Construct, id: string, props: AgentActivityMonitorProps) {
    super(scope, id);
    Object.defineProperty(this, GCP_MONITOR_SYMBOL, { value: true });
    const agent = props.agent;
    this.agent = agent;
    this.props = props;
    const project = agent.project;
    const where = `gcp.AgentActivityMonitor(${agent.agentName})`;
    if (!PROJECT_NUMBER.test(props.projectNumber)) {
      fail('AG_GCP_PROJECT_NUMBER', `${where}.projectNumber`, 'must be the project\'s number (digits)', props.projectNumber,
        `Run: gcloud projects describe ${project} --format='value(projectNumber)'`);
    }
    if (props.broker && props.broker.killSwitchDatabaseId === undefined) {
      fail('AG_GCP_MONITOR_BROKER_ORDER', `${where}.broker`, 'must already serve the agent', undefined, 'Call broker.addAgent(agent) before creating the monitor.');
    }
    const baseline = Baseline.resolve(this, props.baseline, `${where}.baseline`);
    const owner: OwnerLabels = { agent: agent.agentName, tier: agent.tier, environment: agent.environment.name };
    const label = <T extends TerraformResource>(r: T): T => {
      attachGuardrailMetadata(r, owner, Component.MONITOR);
      return r;
    };
    const parts = [project, agent.agentName, agent.environment.name];
    const base = `ag-${agent.agentName}-${agent.environment.name}-monitor`;
    const topicName = (suffix: string) => fitName(`${base}-${suffix}`, 255, [...parts, suffix]);

    const monitorId = `agm-${shortHash([project, this.node.path], 10)}`;
    const pushId = `agp-${shortHash([project, this.node.path], 10)}`;
    this.email = `${monitorId}@${project}.iam.gserviceaccount.com`;
    this.pushEmail = `${pushId}@${project}.iam.gserviceaccount.com`;
    const member = `serviceAccount:${this.email}`;
    this.serviceAccount = label(new ServiceAccount(this, 'ServiceAccount', {
      accountId: monitorId, project, displayName: `agent-guardrails activity monitor of ${agent.agentName}`.slice(0, 100),
      description: 'Judges the agent\'s audit log entries; may only pull its kill switch (disable the tool service accounts, set the broker flag), alert and use its own database.',
    }));
    this.pushServiceAccount = label(new ServiceAccount(this, 'PushServiceAccount', {
      accountId: pushId, project, displayName: `agent-guardrails monitor push of ${agent.agentName}`.slice(0, 100),
      description: 'Pub/Sub push identity of the activity monitor: may only invoke the monitor function.',
    }));

    this.eventTopic = label(new PubsubTopic(this, 'EventTopic', { project, name: topicName('events') }));
    this.alertTopic = label(new PubsubTopic(this, 'AlertTopic', { project, name: topicName('alerts') }));
    this.deadLetterTopic = label(new PubsubTopic(this, 'DeadLetterTopic', { project, name: topicName('dead-letters'), messageRetentionDuration: '604800s' }));
    const topicPath = (t: PubsubTopic) => `projects/${project}/topics/${t.nameInput}`;

    this.filter = agentAuditLogFilter(project, agent.tools.map((t) => agent.emailFor(t.name)), props.broker?.functionName);
    this.sink = label(new LoggingProjectSink(this, 'Sink', {
      project, name: fitName(base, 100, parts),
      description: `agent-guardrails: audit log entries of agent ${agent.agentName}'s service accounts, to its activity monitor.`,
      destination: `pubsub.googleapis.com/${topicPath(this.eventTopic)}`,
      filter: this.filter,
      uniqueWriterIdentity: true,
      dependsOn: [this.eventTopic],
    }));
    // The sink's writer is the project's Cloud Logging service agent (unique writer identity of a project sink): publish on this topic only.
    const logging = `serviceAccount:service-${props.projectNumber}@gcp-sa-logging.iam.gserviceaccount.com`;
    label(new PubsubTopicIamMember(this, 'SinkPublishes', { project, topic: this.eventTopic.nameInput!, role: 'roles/pubsub.publisher', member: logging, dependsOn: [this.eventTopic] }));

    this.databaseId = fitName(`ag-${agent.agentName}-${agent.environment.name}-monitor`, 63, [...parts, 'db']);
    this.database = label(new FirestoreDatabase(this, 'Database', { project, name: this.databaseId, locationId: props.region, type: 'FIRESTORE_NATIVE' }));
    // Denial counts (shared by every instance of the monitor) are deleted two windows after their bucket.
    label(new FirestoreField(this, 'DenialCountsExpire', {
      project, database: this.databaseId, collection: MONITOR_BURSTS_COLLECTION, field: 'expiresAt', ttlConfig: {}, indexConfig: {}, dependsOn: [this.database],
    }));
    const onDatabase = (db: string, title: string) => ({ title, expression: `resource.name == "projects/${project}/databases/${db}"` });

    // The monitor's grants: exactly what incident response holds, plus alerting and its own state.
    agent.tools.forEach((tool) => {
      const sa = agent.serviceAccountFor(tool.name);
      label(new ServiceAccountIamMember(this, `PullKillSwitch-${tool.name}`, {
        serviceAccountId: `projects/${project}/serviceAccounts/${agent.emailFor(tool.name)}`,
        role: `projects/${project}/roles/${agent.killSwitchRole.roleIdInput}`, member, dependsOn: [agent.killSwitchRole, sa, this.serviceAccount],
      }));
    });
    if (props.broker) {
      label(new ProjectIamMember(this, 'SetsKillSwitchFlag', { project, member, role: 'roles/datastore.user', condition: onDatabase(props.broker.killSwitchDatabaseId!, 'agent-guardrails monitor sets the kill-switch flag'), dependsOn: [this.serviceAccount] }));
      label(new ProjectIamMember(this, 'ReadsApprovals', { project, member, role: 'roles/datastore.viewer', condition: onDatabase(props.broker.approvalsDatabaseId!, 'agent-guardrails monitor verifies approvals'), dependsOn: [this.serviceAccount] }));
    }
    label(new ProjectIamMember(this, 'OwnsMemory', { project, member, role: 'roles/datastore.user', condition: onDatabase(this.databaseId, 'agent-guardrails monitor memory'), dependsOn: [this.serviceAccount] }));
    label(new PubsubTopicIamMember(this, 'Alerts', { project, topic: this.alertTopic.nameInput!, role: 'roles/pubsub.publisher', member, dependsOn: [this.alertTopic, this.serviceAccount] }));

    const asset = new TerraformAsset(this, 'HandlerAsset', { path: handlerBundleDir('gcp-monitor'), type: AssetType.ARCHIVE });
    const bucket = label(new StorageBucket(this, 'SourceBucket', {
      project, name: fitName(`ag-monitor-src-${project}-${agent.agentName}`, 63, parts), location: props.region, uniformBucketLevelAccess: true, publicAccessPrevention: 'enforced',
    }));
    const object = label(new StorageBucketObject(this, 'Source', { bucket: bucket.name, name: `gcp-monitor-${asset.assetHash}.zip`, source: asset.path }));
    // Cloud Run service names stop at 49 characters.
    this.functionName = fitName(`ag-monitor-${agent.agentName}-${agent.environment.name}`, 49, parts);
    this.function = label(new Cloudfunctions2Function(this, 'Function', {
      project, location: props.region, name: this.functionName,
      description: `agent-guardrails activity monitor of ${agent.agentName}: judges its audit log entries, alerts, trips its kill switch.`,
      buildConfig: { runtime: 'nodejs22', entryPoint: 'monitor', source: { storageSource: { bucket: bucket.name, object: object.name } } },
      serviceConfig: {
        serviceAccountEmail: this.email,
        // A trip makes 1 + tool-count Google calls, each retried by its client.
        timeoutSeconds: 60,
        maxInstanceCount: 20,
        availableMemory: '512Mi',
        ingressSettings: 'ALLOW_ALL', // reachable over HTTPS, but only with the push service account's OIDC token (IAM below)
        allTrafficOnLatestRevision: true,
        environmentVariables: {
          [GCP_MONITOR_ENV.playbook]: Lazy.stringValue({ produce: () => JSON.stringify(this.playbook()) }),
          [GCP_MONITOR_ENV.settings]: Lazy.stringValue({ produce: () => JSON.stringify(this.settings(baseline)) }),
        },
      },
      dependsOn: [this.serviceAccount],
    }));
    label(new CloudRunV2ServiceIamMember(this, 'InvokeByPush', {
      project, location: props.region, name: this.functionName, role: 'roles/run.invoker', member: `serviceAccount:${this.pushEmail}`, dependsOn: [this.function, this.pushServiceAccount],
    }));

    this.subscription = label(new PubsubSubscription(this, 'Push', {
      project, name: topicName('push'), topic: this.eventTopic.id,
      ackDeadlineSeconds: 120,
      messageRetentionDuration: '86400s',
      pushConfig: { pushEndpoint: this.function.serviceConfig.uri, oidcToken: { serviceAccountEmail: this.pushEmail } },
      retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
      deadLetterPolicy: { deadLetterTopic: this.deadLetterTopic.id, maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS },
      dependsOn: [this.pushServiceAccount],
    }));
    // Dead-lettering: the Pub/Sub service agent publishes to the dead-letter topic and acknowledges on the subscription.
    const pubsubAgent = `serviceAccount:service-${props.projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    label(new PubsubTopicIamMember(this, 'DeadLettersPublished', { project, topic: this.deadLetterTopic.nameInput!, role: 'roles/pubsub.publisher', member: pubsubAgent, dependsOn: [this.deadLetterTopic] }));
    label(new PubsubSubscriptionIamMember(this, 'DeadLettersForwarded', { project, subscription: this.subscription.nameInput!, role: 'roles/pubsub.subscriber', member: pubsubAgent, dependsOn: [this.subscription] }));

    this.failureAlerts(props, owner, topicPath(this.alertTopic));
  }

  /** The monitor's own failures, on the alert topic (and the given channels): dead letters, rejected pushes, its error log. */
  private failureAlerts(props: AgentActivityMonitorProps, owner: OwnerLabels, alertTopic: string): void {
    const project = this.agent.project;
    const channel = new MonitoringNotificationChannel(this, 'AlertChannel', {
      project, type: 'pubsub', displayName: `agent-guardrails monitor of ${this.agent.agentName}`.slice(0, 100), labels: { topic: alertTopic },
    });
    attachGuardrailMetadata(channel, owner, Component.MONITOR);
    const notifier = `serviceAccount:service-${props.projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
    attachGuardrailMetadata(new PubsubTopicIamMember(this, 'FailureAlertsPublished', { project, topic: this.alertTopic.nameInput!, role: 'roles/pubsub.publisher', member: notifier, dependsOn: [this.alertTopic] }), owner, Component.MONITOR);
    const channels = [channel.id, ...(props.notificationChannels ?? [])];
    const subscription = this.subscription.nameInput!;
    const threshold = (id: string, what: string, filter: string) => attachGuardrailMetadata(new MonitoringAlertPolicy(this, id, {
      project, displayName: `agent-guardrails monitor of ${this.agent.agentName}: ${what}`.slice(0, 100), combiner: 'OR', notificationChannels: channels,
      conditions: [{
        displayName: what,
        conditionThreshold: {
          filter, comparison: 'COMPARISON_GT', thresholdValue: 0, duration: '0s',
          aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM' }],
        },
      }],
    }), owner, Component.MONITOR);
    threshold('DeadLettersAlert', 'events dead-lettered (not judged)',
      `resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "${subscription}" AND metric.type = "pubsub.googleapis.com/subscription/dead_letter_message_count"`);
    threshold('FailedPushAlert', 'pushes rejected (verdict may not be acted on)',
      `resource.type = "pubsub_subscription" AND resource.labels.subscription_id = "${subscription}" AND metric.type = "pubsub.googleapis.com/subscription/push_request_count" AND metric.labels.response_class != "ack"`);
    attachGuardrailMetadata(new MonitoringAlertPolicy(this, 'ErrorLogAlert', {
      project, displayName: `agent-guardrails monitor of ${this.agent.agentName}: errors`.slice(0, 100), combiner: 'OR', notificationChannels: channels,
      conditions: [{
        displayName: 'monitor function error',
        conditionMatchedLog: { filter: `resource.type = "cloud_run_revision" AND resource.labels.service_name = "${this.functionName}" AND severity >= ERROR` },
      }],
      alertStrategy: { notificationRateLimit: { period: '300s' }, autoClose: '1800s' },
    }), owner, Component.MONITOR);
  }

  /**
   * The agent's declarations as the evaluator reads them: the inventory of its tool service accounts,
   * read by the same adapter as the checks (their `"//"` metadata), identities by account id.
   */
  public playbook(): ActivityPlaybookDocument {
    const resources: Record<string, Record<string, unknown>> = {};
    for (const sa of this.agent.serviceAccounts) {
      const fragment = sa.toTerraform() as { resource: Record<string, Record<string, unknown>> };
      for (const [type, blocks] of Object.entries(fragment.resource)) resources[type] = { ...(resources[type] ?? {}), ...blocks };
    }
    const stack = TerraformStack.of(this);
    const playbook = ActivityPlaybook.fromInventory(inventoryFromTerraformJson({ resource: resources }, { stack: stack.node.id }));
    return { version: 1, agents: playbook.agents.filter((a) => a.agent === this.agent.agentName) };
  }

  /** What the function needs besides the declarations (`MONITOR_SETTINGS`). */
  public settings(baseline: Baseline = Baseline.resolve(this, this.props.baseline, `gcp.AgentActivityMonitor(${this.agent.agentName}).baseline`)): GcpMonitorSettings {
    const broker = this.props.broker;
    const project = this.agent.project;
    return {
      agent: this.agent.agentName,
      environment: this.agent.environment.name,
      project,
      policy: activityPolicyOf(baseline),
      alertTopic: `projects/${project}/topics/${this.alertTopic.nameInput}`,
      memoryDatabase: this.databaseId,
      killSwitch: {
        serviceAccounts: this.agent.tools.map((t) => this.agent.emailFor(t.name)),
        ...(broker ? { flag: { database: broker.killSwitchDatabaseId!, agent: this.agent.agentName } } : {}),
      },
      ...(broker ? { approvalsDatabase: broker.approvalsDatabaseId! } : {}),
    };
  }
}

/** A Logging query string literal. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The sink's filter: the project's audit log entries whose authenticated principal is one of the
 * tool service accounts, or whose impersonation chain starts at one (`serviceAccountDelegationInfo`:
 * a tool that impersonated another account); and, with a broker, its approved decision records
 * (structured JSON on its Cloud Run service's stdout). Only `=` on literal strings, `AND`, `OR`
 * and parentheses: no pattern, no substring (`:`) match.
 */
export function agentAuditLogFilter(project: string, emails: readonly string[], brokerService?: string): string {
  const any = (terms: string[]) => `(${terms.join(' OR ')})`;
  const logs = any(AUDIT_LOG_IDS.map((id) => `logName=${quoted(`projects/${project}/logs/${id}`)}`));
  const principals = any([
    ...emails.map((e) => `protoPayload.authenticationInfo.principalEmail=${quoted(e)}`),
    ...emails.map((e) => `protoPayload.authenticationInfo.serviceAccountDelegationInfo.firstPartyPrincipal.principalEmail=${quoted(e)}`),
  ]);
  const audit = `(${logs} AND ${principals})`;
  if (brokerService === undefined) return audit;
  const decisions = [
    `logName=${quoted(`projects/${project}/logs/run.googleapis.com%2Fstdout`)}`,
    `resource.type=${quoted('cloud_run_revision')}`,
    `resource.labels.service_name=${quoted(brokerService)}`,
    `jsonPayload.type=${quoted('agent-guardrails.broker-decision')}`,
    `jsonPayload.decision=${quoted('granted')}`,
  ].join(' AND ');
  return `${audit} OR (${decisions})`;
}
