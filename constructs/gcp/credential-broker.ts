import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { Cloudfunctions2Function } from '@cdktf/provider-google/lib/cloudfunctions2-function';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { FirestoreDatabase } from '@cdktf/provider-google/lib/firestore-database';
import { FirestoreDocument } from '@cdktf/provider-google/lib/firestore-document';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { Baseline } from '../../lib/baseline/baseline';
import { ApproveEndpointConfig } from '../../lib/broker/approve-endpoint';
import { BrokerConfig } from '../../lib/broker/broker-config';
import { requireApproversForGatedTools } from '../../lib/broker/approvers-required';
import { toolBrokerConfig } from '../../lib/broker/tool-broker-config';
import { fail } from '../../lib/errors';
import { Component } from '../../lib/model/tags';
import { handlerBundleDir } from '../aws/broker-runtime/handler-bundle';
import { AgentIdentity } from './agent-identity';
import { GCP_BROKER_TOKEN_SECONDS } from './broker-runtime/iam-credentials-minter';
import { GCP_KILL_SWITCH_DISENGAGED, KILL_SWITCH_COLLECTION } from './broker-runtime/firestore-layout';
import { optedInProjects, otherProjectMembers } from './private/cross-project-members';
import { attachBrokerRecord, attachCrossAccount, attachGuardrailMetadata, OwnerLabels } from './private/metadata';
import { fitName, shortHash } from './private/names';

const GCP_BROKER_SYMBOL = Symbol.for('agent-guardrails.gcp.CredentialBroker');
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** A person (or a service account acting for people) the approve endpoint can name from an ID token. */
const APPROVER_MEMBER = /^(user|serviceAccount):[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}$/;

export interface CredentialBrokerProps {
  /** The project the broker runs in (the agent's environment project). */
  readonly project: string;
  /** Region of the function, its Firestore databases and its source bucket. */
  readonly region: string;
  /** The agent runtime, as an IAM member: the only principal that may invoke the broker (`run.invoker`). */
  readonly runtimeMember: string;
  /**
   * Who may engage the broker's kill switch (write the kill-switch document), as IAM members.
   * Usually the agent's `revocationMembers`.
   */
  readonly revocationMembers: string[];
  /**
   * The guardrail baseline: token lifetime (`session.brokerSessionSeconds`, capped at 900 s) and approval age.
   * @default Baseline.default()
   */
  readonly baseline?: Baseline;
  /**
   * OAuth scopes per tool; a token is minted with exactly these.
   * @default - `https://www.googleapis.com/auth/cloud-platform` (the tool's IAM grants narrow what the token can do)
   */
  readonly scopes?: { readonly [tool: string]: string[] };
  /**
   * Whether a request without an approval opens a pending approval (announced on the broker's Pub/Sub topic).
   * @default true
   */
  readonly openPendingApprovals?: boolean;
  /**
   * The people who may approve this agent's pending requests, as IAM members (`user:<email>`, or
   * `serviceAccount:<email>` for an approval tool acting for people). They, and only they, get
   * `run.invoker` on the broker's approve endpoint (its own function under its own service account,
   * which may only write the approvals database); the endpoint records the approver from the ID
   * token Cloud Run verified. Groups are not accepted: the token names the person, and the endpoint
   * checks the person against this list as well. Never the agent runtime, the broker or a tool.
   * @default - no approve endpoint; an agent with a tool that needs an approval is then a construct-time error (`AG_BROKER_NO_APPROVERS`)
   */
  readonly approvers?: string[];
}

/**
 * The GCP credential broker: the cloud-neutral core as a Cloud Functions (2nd gen, on Cloud Run)
 * HTTP function under its own service account. Only `runtimeMember` may invoke it; nothing is
 * public. It reads the kill switch from its own Firestore database (one document per agent, which
 * the revocation members may set), keeps approvals single-use in a second database, announces
 * pending approvals on Pub/Sub, mints tool tokens with IAM Credentials `generateAccessToken`
 * (≤ 900 s, declared scopes only) and logs one structured JSON decision per request to Cloud Logging.
 *
 * Order, as on AWS: create the broker, pass `broker.member` as the agent's `brokerMember` (so the
 * Token Creator bindings on the tool service accounts, with their window conditions, name the
 * broker's service account and nothing else), then `broker.addAgent(agent)`. The handler is the
 * prebuilt bundle `dist-handler/gcp-broker`; synth only archives it (no bundling, no Docker).
 * Data Access audit logs on `iamcredentials.googleapis.com` come from the agent's audit configs
 * (on by default in `AgentIdentity`).
 *
 * With `approvers`, an approve endpoint: the same bundle (entry point `approve`) as a second function
 * under its own service account, invocable by the approvers only, recording the approver from the ID
 * token Cloud Run verified (one call = one approval, in a Firestore transaction).
 */
export class CredentialBroker extends Construct {
  /** Whether `x` is a GCP CredentialBroker (works across copies of this package). */
  public static isCredentialBroker(x: unknown): x is CredentialBroker {
    return typeof x === 'object' && x !== null && GCP_BROKER_SYMBOL in x;
  }

  /** The broker's own service account. */
  public readonly serviceAccount: ServiceAccount;
  /** `serviceAccount:<email>`: pass it as the agent's `brokerMember`. */
  public readonly member: string;
  /** The broker's email (a literal). */
  public readonly email: string;
  /** Set by `addAgent`: the database id of the kill-switch flag (`killSwitches/<agent>`), which the revocation members (and the activity monitor) may write. */
  public killSwitchDatabaseId?: string;
  /** Set by `addAgent`: the database id of the approvals, which the activity monitor reads to verify an approved decision. */
  public approvalsDatabaseId?: string;
  /** Set by `addAgent`: the function (and Cloud Run service) name, whose decision records the activity monitor reads. */
  public functionName?: string;
  private readonly props: CredentialBrokerProps;
  private readonly baseline: Baseline;
  /** The approve endpoint's service account (only with `approvers`). */
  public readonly approveServiceAccount?: ServiceAccount;
  private readonly approveEmail?: string;
  private agent?: AgentIdentity;
  private fn?: Cloudfunctions2Function;

  constructor(scope: Construct, id: string, props: CredentialBrokerProps) {
    super(scope, id);
    Object.defineProperty(this, GCP_BROKER_SYMBOL, { value: true });
    this.props = props;
    this.baseline = props.baseline ?? Baseline.default();
    if (props.runtimeMember === 'allUsers' || props.runtimeMember === 'allAuthenticatedUsers' || props.runtimeMember.includes('*') || props.runtimeMember.startsWith('domain:')) {
      fail('AG_GCP_PUBLIC_MEMBER', 'gcp.CredentialBroker.runtimeMember', 'must name one principal; the broker is never public', props.runtimeMember, 'Name the agent runtime\'s service account: "serviceAccount:runtime@<project>.iam.gserviceaccount.com".');
    }
    const accountId = `agb-${shortHash([props.project, this.node.path], 10)}`;
    this.email = `${accountId}@${props.project}.iam.gserviceaccount.com`;
    this.member = `serviceAccount:${this.email}`;
    this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
      accountId, project: props.project,
      displayName: 'agent-guardrails credential broker',
      description: 'Mints 15-minute tool tokens after kill-switch, window and approval checks. Holds Token Creator on tool service accounts only.',
    });
    validateApprovers(props);
    if ((props.approvers ?? []).length > 0) {
      const approveId = `aga-${shortHash([props.project, this.node.path], 10)}`;
      this.approveEmail = `${approveId}@${props.project}.iam.gserviceaccount.com`;
      this.approveServiceAccount = new ServiceAccount(this, 'ApproveServiceAccount', {
        accountId: approveId, project: props.project,
        displayName: 'agent-guardrails approve endpoint',
        description: 'Records who approved a pending broker request. May only write the agent\'s approvals database.',
      });
    }
  }

  /** Serve `agent`'s tools: state, topic, the function and its invoker binding. One agent per broker. */
  public addAgent(agent: AgentIdentity): void {
    if (this.agent) fail('AG_BROKER_ONE_AGENT', 'gcp.CredentialBroker.addAgent', 'serves one agent', agent.agentName, `This broker serves ${this.agent.agentName}; create one CredentialBroker per agent.`);
    requireApproversForGatedTools('gcp.CredentialBroker.approvers', agent.agentName, agent.tools, this.props.approvers, 'approvers: ["user:<email>"] (the people who approve)');
    this.agent = agent;
    const { project, region } = this.props;
    // The runtime that invokes the broker and the members that set its kill switch belong to the agent's
    // environment, as on AgentIdentity; another project's service account needs the environment's opt-in.
    otherProjectMembers('gcp.CredentialBroker.runtimeMember', [this.props.runtimeMember], agent.environment, project);
    otherProjectMembers('gcp.CredentialBroker.revocationMembers', this.props.revocationMembers, agent.environment, project);
    const owner: OwnerLabels = { agent: agent.agentName, tier: agent.tier, environment: agent.environment.name };
    attachGuardrailMetadata(this.serviceAccount, owner, Component.BROKER);

    const killDb = new FirestoreDatabase(this, 'KillSwitchDatabase', { project, name: fitName(`ag-${agent.agentName}-kill`, 63, [agent.agentName, 'kill']), locationId: region, type: 'FIRESTORE_NATIVE' });
    const approvalsDb = new FirestoreDatabase(this, 'ApprovalsDatabase', { project, name: fitName(`ag-${agent.agentName}-approvals`, 63, [agent.agentName, 'approvals']), locationId: region, type: 'FIRESTORE_NATIVE' });
    new FirestoreDocument(this, 'KillSwitchFlag', {
      project, database: killDb.name, collection: KILL_SWITCH_COLLECTION, documentId: agent.agentName,
      fields: JSON.stringify({ state: { stringValue: GCP_KILL_SWITCH_DISENGAGED } }),
    });
    // Firestore IAM is per database: the broker reads the kill switch and owns the approvals; the revocation members write the kill switch only.
    // Literal names (not references): the condition is then readable, and checkable, in cdk.tf.json.
    const onDatabase = (db: FirestoreDatabase, title: string) => ({ title, expression: `resource.name == "projects/${project}/databases/${db.nameInput}"` });
    const grants: Array<[string, string, string, FirestoreDatabase]> = [
      ['BrokerReadsKillSwitch', this.member, 'roles/datastore.viewer', killDb],
      ['BrokerOwnsApprovals', this.member, 'roles/datastore.user', approvalsDb],
      ...this.props.revocationMembers.map((m, i) => [`RevocationSetsKillSwitch${i}`, m, 'roles/datastore.user', killDb] as [string, string, string, FirestoreDatabase]),
      ...(this.approveEmail ? [['ApproveEndpointWritesApprovals', `serviceAccount:${this.approveEmail}`, 'roles/datastore.user', approvalsDb] as [string, string, string, FirestoreDatabase]] : []),
    ];
    for (const [id, member, role, db] of grants) {
      const g = new ProjectIamMember(this, id, { project, member, role, condition: onDatabase(db, `agent-guardrails ${id}`) });
      attachGuardrailMetadata(g, owner, member === this.member ? Component.BROKER : id.startsWith('Approve') ? Component.APPROVAL_GATE : Component.KILL_SWITCH);
      attachCrossAccount(g, optedInProjects([member], agent.environment, project), agent.environment);
    }

    const topicName = fitName(`ag-${agent.agentName}-approvals`, 255, [agent.agentName]);
    const topic = new PubsubTopic(this, 'ApprovalsTopic', { project, name: topicName });
    new PubsubTopicIamMember(this, 'BrokerPublishes', { project, topic: topicName, role: 'roles/pubsub.publisher', member: this.member, dependsOn: [topic] });

    const asset = new TerraformAsset(this, 'HandlerAsset', { path: handlerBundleDir('gcp-broker'), type: AssetType.ARCHIVE });
    const bucket = new StorageBucket(this, 'SourceBucket', { project, name: fitName(`ag-broker-src-${project}-${agent.agentName}`, 63, [project, agent.agentName]), location: region, uniformBucketLevelAccess: true, publicAccessPrevention: 'enforced' });
    const object = new StorageBucketObject(this, 'Source', { bucket: bucket.name, name: `gcp-broker-${asset.assetHash}.zip`, source: asset.path });
    const functionName = fitName(`ag-broker-${agent.agentName}`, 63, [agent.agentName]);
    this.functionName = functionName;
    this.killSwitchDatabaseId = killDb.nameInput!;
    this.approvalsDatabaseId = approvalsDb.nameInput!;
    this.fn = new Cloudfunctions2Function(this, 'Function', {
      project, location: region, name: functionName,
      description: 'agent-guardrails credential broker (fail closed; one decision record per request).',
      buildConfig: { runtime: 'nodejs22', entryPoint: 'broker', source: { storageSource: { bucket: bucket.name, object: object.name } } },
      serviceConfig: {
        serviceAccountEmail: this.email,
        timeoutSeconds: 15,
        maxInstanceCount: 10,
        ingressSettings: 'ALLOW_ALL', // reachable over HTTPS, but only with an identity token of the runtime (IAM below)
        allTrafficOnLatestRevision: true,
        environmentVariables: {
          BROKER_CONFIG: JSON.stringify(this.config(agent)),
          GCP_PROJECT: project,
          KILL_SWITCH_DATABASE: killDb.nameInput!,
          APPROVALS_DATABASE: approvalsDb.nameInput!,
          APPROVALS_TOPIC: `projects/${project}/topics/${topic.name}`,
        },
      },
    });
    attachGuardrailMetadata(this.fn, owner, Component.BROKER);
    attachBrokerRecord(this.fn, {
      cloud: 'gcp', agent: agent.agentName, environment: agent.environment.name, identity: this.email, invokers: [this.props.runtimeMember],
      ...((this.props.approvers ?? []).length > 0 ? { approvers: [...this.props.approvers!] } : {}),
    });
    // A literal service name (the function's Cloud Run service has the function's name), so the binding is checkable in cdk.tf.json.
    const invoker = new CloudRunV2ServiceIamMember(this, 'InvokeByAgentRuntime', { project, location: region, name: functionName, dependsOn: [this.fn], role: 'roles/run.invoker', member: this.props.runtimeMember });
    attachGuardrailMetadata(invoker, owner, Component.BROKER);
    attachCrossAccount(invoker, optedInProjects([this.props.runtimeMember], agent.environment, project), agent.environment);
    if (this.approveServiceAccount) this.approveEndpoint(agent, owner, { bucket: bucket.name, object: object.name }, approvalsDb);
  }

  /**
   * The approve endpoint: the same prebuilt bundle (entry point `approve`) as its own function under
   * its own service account, `run.invoker` for the approvers only; nothing else reaches it.
   */
  private approveEndpoint(agent: AgentIdentity, owner: OwnerLabels, source: { bucket: string; object: string }, approvalsDb: FirestoreDatabase): void {
    const { project, region } = this.props;
    const approvers = this.props.approvers ?? [];
    otherProjectMembers('gcp.CredentialBroker.approvers', approvers, agent.environment, project);
    const config = this.approveConfig(agent);
    for (const [i, approver] of approvers.entries()) {
      if (config.deniedApprovers.some((d) => d.toLowerCase() === approver.toLowerCase())) {
        fail('AG_APPROVER_IS_AGENT', `gcp.CredentialBroker.approvers[${i}]`, 'must be a person, never the agent runtime, the broker or one of the agent\'s tool service accounts', approver,
          'Name the people who approve (user:<email>); an agent identity approving its own requests defeats the approval.');
      }
    }
    attachGuardrailMetadata(this.approveServiceAccount!, owner, Component.APPROVAL_GATE);
    const functionName = fitName(`ag-approve-${agent.agentName}`, 63, [agent.agentName]);
    const fn = new Cloudfunctions2Function(this, 'ApproveFunction', {
      project, location: region, name: functionName,
      description: 'agent-guardrails approve endpoint (one call = one approval, by the caller Cloud Run verified).',
      buildConfig: { runtime: 'nodejs22', entryPoint: 'approve', source: { storageSource: source } },
      serviceConfig: {
        serviceAccountEmail: this.approveEmail,
        timeoutSeconds: 15,
        maxInstanceCount: 2,
        ingressSettings: 'ALLOW_ALL', // reachable over HTTPS, but only with an approver's identity token (IAM below)
        allTrafficOnLatestRevision: true,
        environmentVariables: { GCP_PROJECT: project, APPROVALS_DATABASE: approvalsDb.nameInput!, APPROVE_CONFIG: JSON.stringify(config) },
      },
    });
    attachGuardrailMetadata(fn, owner, Component.APPROVAL_GATE);
    for (const [i, member] of approvers.entries()) {
      const binding = new CloudRunV2ServiceIamMember(this, `InvokeApproveByApprover${i}`, { project, location: region, name: functionName, dependsOn: [fn], role: 'roles/run.invoker', member });
      attachGuardrailMetadata(binding, owner, Component.APPROVAL_GATE);
      attachCrossAccount(binding, optedInProjects([member], agent.environment, project), agent.environment);
    }
  }

  /** The approve endpoint's configuration (`APPROVE_CONFIG`): its approvers and who may never approve. */
  public approveConfig(agent: AgentIdentity = this.agent!): ApproveEndpointConfig {
    const denied = [...this.config(agent).requesterIdentities, ...(this.approveEmail ? [`serviceAccount:${this.approveEmail}`] : [])];
    return { agent: agent.agentName, environment: agent.environment.name, approvers: [...(this.props.approvers ?? [])], deniedApprovers: denied };
  }

  /** The broker configuration the function reads (`BROKER_CONFIG`). */
  public config(agent: AgentIdentity = this.agent!): BrokerConfig {
    return {
      agent: agent.agentName,
      environment: agent.environment.name,
      sessionSeconds: Math.min(this.baseline.brokerSessionSeconds, GCP_BROKER_TOKEN_SECONDS),
      approvalMaxAgeSeconds: this.baseline.approvalMaxAgeSeconds,
      requesterIdentities: [this.props.runtimeMember, this.member, ...agent.tools.map((t) => `serviceAccount:${agent.emailFor(t.name)}`)],
      openPendingApprovals: this.props.openPendingApprovals ?? true,
      tools: agent.tools.map((t) => toolBrokerConfig(t, agent.emailFor(t.name), 'gcp', this.props.scopes?.[t.name] ?? [CLOUD_PLATFORM])),
    };
  }
}

function validateApprovers(props: CredentialBrokerProps): void {
  for (const [i, member] of (props.approvers ?? []).entries()) {
    const field = `gcp.CredentialBroker.approvers[${i}]`;
    if (member === 'allUsers' || member === 'allAuthenticatedUsers' || member.includes('*') || member.startsWith('domain:') || member.startsWith('principalSet:')) {
      fail('AG_GCP_PUBLIC_MEMBER', field, 'must name one person; the approve endpoint is never open to a set of identities', member, 'Name each approver: "user:alice@example.com".');
    }
    if (member.startsWith('group:')) {
      fail('AG_GCP_APPROVER_MEMBER', field, 'must name a person, not a group (the ID token the endpoint reads names the person, so it cannot check group membership)', member,
        'List the group\'s on-call people as "user:<email>" members.');
    }
    if (!APPROVER_MEMBER.test(member)) {
      fail('AG_GCP_APPROVER_MEMBER', field, 'must be an IAM member "user:<email>" or "serviceAccount:<email>"', member, 'Write the member with its type prefix, e.g. "user:alice@example.com".');
    }
    if (member.toLowerCase() === props.runtimeMember.toLowerCase()) {
      fail('AG_APPROVER_IS_AGENT', field, 'must be a person, never the agent runtime (which asks for the approvals)', member, 'Name the people who approve (user:<email>).');
    }
  }
  const seen = new Set<string>();
  for (const member of props.approvers ?? []) {
    if (seen.has(member.toLowerCase())) fail('AG_GCP_APPROVER_MEMBER', 'gcp.CredentialBroker.approvers', 'must list each approver once', member, 'Remove the duplicate.');
    seen.add(member.toLowerCase());
  }
}
