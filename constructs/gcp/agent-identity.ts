import { Construct } from 'constructs';
import { Fn, TerraformResource, Token } from 'cdktf';
import { BigqueryDatasetIamMember } from '@cdktf/provider-google/lib/bigquery-dataset-iam-member';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { IamDenyPolicy } from '@cdktf/provider-google/lib/iam-deny-policy';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ProjectOrganizationPolicy } from '@cdktf/provider-google/lib/project-organization-policy';
import { PubsubSubscriptionIamMember } from '@cdktf/provider-google/lib/pubsub-subscription-iam-member';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { Baseline } from '../../lib/baseline/baseline';
import { forbiddenEntryFor } from '../../lib/baseline/forbidden';
import { useRoleData } from '../../lib/role-data/role-data';
import { loadCatalog } from '../../lib/catalogs/catalog';
import { unprovableForbiddenGcpPermissions } from '../../lib/rules/gcp/private/gcp-role-knowledge';
import { fail, GuardrailError } from '../../lib/errors';
import { Environment } from '../../lib/model/environment';
import { Component } from '../../lib/model/tags';
import { tierContractViolations } from '../../lib/model/tier-contract';
import { AgentTier } from '../../lib/model/tier';
import { Tool } from '../../lib/model/tool';
import { AccessLevel } from '../../lib/model/access-level';
import { ACT_AS_ROLE, actAsPermissionsOf, forbiddenRuntimeAccount } from './private/act-as';
import { gcpRoles } from './private/gcp-roles';
import { attachCrossAccount, attachGuardrailMetadata, declarationOf, OwnerLabels } from './private/metadata';
import { optedInProjects, otherProjectMembers } from './private/cross-project-members';
import { fitName, shortHash } from './private/names';
import { ACT_AS_DENY_PERMISSION, BOUNDARY_DENIED_PERMISSIONS, isEscalationPermission, isReadPermission, PERMISSION_FORMAT, serviceOf } from './private/permissions';
import { parseResourceTarget, projectOf, ResourceTarget } from './private/resource-target';
import { combineConditions, IamCondition, resourceExpression, windowExpression } from './private/window-condition';

export interface AgentIdentityProps {
  /** The agent's name: 2–30 chars of `[a-z0-9-]`, starting with a letter (it prefixes every service account id). */
  readonly agentName: string;
  /** The agent's tier; its ceiling comes from the baseline. */
  readonly tier: AgentTier;
  /** The environment; its `gcp.project` is the only project the agent's grants may reach. */
  readonly environment: Environment;
  /** The agent's tools; each needs `gcp` permissions and gets its own service account. */
  readonly tools: Tool[];
  /**
   * The broker / agent runtime principal that may mint short-lived tokens for the tool service
   * accounts, as an IAM member: `serviceAccount:broker@p.iam.gserviceaccount.com` or a
   * `principal://` workload identity.
   */
  readonly brokerMember: string;
  /**
   * Who may pull the kill switch (disable the agent's service accounts), as IAM members
   * (`group:oncall@example.com`, `user:…`, `serviceAccount:…`).
   */
  readonly revocationMembers: string[];
  /**
   * The guardrail baseline.
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
  /**
   * Enforce the organization policy constraint `iam.disableServiceAccountKeyCreation` on the
   * environment's project (affects every service account of the project, not only the agent's).
   * @default false
   */
  readonly disableKeyCreation?: boolean;
  /**
   * Services to enable data-access audit logs for (`storage.googleapis.com`, …). An empty list
   * creates no audit config (e.g. when the project's audit configs are managed elsewhere, since
   * `google_project_iam_audit_config` is authoritative per service).
   * @default - the services of the tools' roles and permissions, plus `iam.googleapis.com` and `iamcredentials.googleapis.com` (token minting)
   */
  readonly auditServices?: string[];
}

const AGENT_IDENTITY_SYMBOL = Symbol.for('agent-guardrails.gcp.AgentIdentity');
const AGENT_NAME = /^[a-z][a-z0-9-]{0,28}[a-z0-9]$/;
const ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const BASIC_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer']);
const TOKEN_CREATOR = 'roles/iam.serviceAccountTokenCreator';
/** Kill switch: disabling a service account stops new tokens and rejects its existing ones. */
const KILL_SWITCH_PERMISSIONS = ['iam.serviceAccounts.disable', 'iam.serviceAccounts.get'];

/**
 * One GCP agent in one environment (one project): a service account per tool with exactly the tool's
 * grants, short-lived access only through the broker, a deny-policy boundary, a kill switch and
 * data-access audit logs.
 *
 * What it creates (every resource carries `"//"."agent-guardrails"` metadata, see
 * `private/metadata.ts`):
 * - `google_service_account` per tool (`<agent>-<tool>`, shortened with a hash to fit 30 chars);
 * - the tool's grants as `*_iam_member` only (never `_binding`/`_policy`): on the resource when the
 *   provider has a resource-level member (bucket, topic, subscription, secret, dataset, Cloud Run
 *   service), else on the project with a `resource.name` condition; permissions go into a per-tool
 *   `google_project_iam_custom_role`. A tool's grants carry its window condition, when it has one;
 * - `roles/iam.serviceAccountTokenCreator` for the broker on each tool service account only, with a
 *   `request.time` condition built from the tool's window (weekday, hour and minute in the window's
 *   time zone, and expiry); no `google_service_account_key`;
 * - a `google_iam_deny_policy` on the project denying the agent's service accounts escalation and
 *   tamper permissions (impersonation, keys, IAM policy and role changes, deny-policy and log-sink
 *   changes, re-enabling a disabled account);
 * - the kill switch: a custom role with only `iam.serviceAccounts.disable` (and `get`), bound on each
 *   tool service account for the revocation members. Disabling a service account makes Google reject
 *   its access tokens, including ones already issued; the deny policy stops the agent from
 *   re-enabling it.
 *   Deny-all path (for an incident that must also cut human-minted tokens of other principals): an
 *   organization admin adds a deny policy on the project with `deniedPrincipals` = the agent's
 *   `principal://iam.googleapis.com/projects/-/serviceAccounts/<email>` identifiers and
 *   `deniedPermissions` = `<service>.googleapis.com/*.*` for each service the tools use
 *   (`denyAllPermissions()` lists them); deny policies take effect within minutes;
 * - `google_project_iam_audit_config` (ADMIN_READ, DATA_READ, DATA_WRITE) for the tools' services;
 * - optionally the `iam.disableServiceAccountKeyCreation` organization policy on the project.
 *
 * Bad input (a basic, admin or impersonation role, a wildcard, an escalation permission, a resource
 * of another project, a read tool holding anything but reads, a tool above the tier) throws a
 * `GuardrailError` at construction. Values that are still tokens are skipped and left to the checks.
 *
 * Good to know:
 * - deploying or updating a Cloud Run service or job needs `iam.serviceAccounts.actAs` on its runtime
 *   account (`policies/catalogs/gcp-act-as-permissions.json`). Such a tool declares that account
 *   (`gcp.runtimeServiceAccount`) and gets `roles/iam.serviceAccountUser` on it alone, in its window;
 *   the deny policy's actAs rule excepts that tool's account and keeps denying actAs to every other
 *   tool, and every other guardrail permission (keys, tokens, setIamPolicy) to all of them. A deny
 *   rule cannot name the target account (deny conditions accept only resource-tag functions,
 *   https://cloud.google.com/iam/docs/reference/rest/v2/policies#DenyRule), so "only that account" is
 *   the allow side's: a grant of actAs on another account to a deploy tool is caught by the checks
 *   (GCP-002, AGENT-001), not by the deny policy. The default compute and App Engine accounts,
 *   service agents and the agent's own accounts are refused as runtime accounts;
 * - conditions on bucket grants need uniform bucket-level access on the bucket;
 * - `google_project_iam_audit_config` is authoritative per service and project: two agents in one
 *   project that audit the same service should leave `auditServices` to one of them;
 * - a deleted custom role id stays reserved for several weeks; renaming an agent or tool avoids a clash.
 */
export class AgentIdentity extends Construct {
  /** Whether `x` is a GCP AgentIdentity (works across copies of this package). */
  public static isAgentIdentity(x: unknown): x is AgentIdentity {
    return typeof x === 'object' && x !== null && AGENT_IDENTITY_SYMBOL in x;
  }

  /**
   * The service account id of a tool: `<agent>-<tool>` when it fits GCP's 6–30 characters, else
   * shortened with a hash of both names (deterministic, so the checks can recompute it).
   */
  public static accountIdFor(agentName: string, toolName: string): string {
    const base = `${agentName}-${toolName}`;
    const id = base.length < 6 ? `${base}-${shortHash([agentName, toolName])}` : fitName(base, 30, [agentName, toolName]);
    return id;
  }

  public readonly agentName: string;
  public readonly tier: AgentTier;
  public readonly environment: Environment;
  /** The environment's project id. */
  public readonly project: string;
  /** The agent's tools, as declared. */
  public readonly tools: Tool[];
  /** The tool service accounts, in tool order. */
  public readonly serviceAccounts: ServiceAccount[] = [];
  /** The deny policy that bounds the agent's service accounts. */
  public readonly denyPolicy: IamDenyPolicy;
  /** The kill-switch custom role (disable + get on service accounts). */
  public readonly killSwitchRole: ProjectIamCustomRole;
  private readonly accountsByTool = new Map<string, ServiceAccount>();
  private readonly emailsByTool = new Map<string, string>();
  private readonly services = new Set<string>();

  constructor(scope: Construct, id: string, props: AgentIdentityProps) {
    super(scope, id);
    Object.defineProperty(this, AGENT_IDENTITY_SYMBOL, { value: true });
    const baseline = Baseline.resolve(this, props.baseline, `AgentIdentity(${props.agentName}).baseline`);
    if (baseline.roleData !== undefined) useRoleData(baseline.roleData);
    validateAgent(props, baseline);

    this.agentName = props.agentName;
    this.tier = props.tier;
    this.environment = props.environment;
    this.project = props.environment.requireGcp('gcp.AgentIdentity').project;
    this.tools = [...props.tools];
    const agentOwner: OwnerLabels = { agent: props.agentName, tier: props.tier, environment: props.environment.name };

    for (const tool of props.tools) this.addTool(tool, props);

    const emails = [...this.emailsByTool.values()];
    // Deploy tools act as their declared runtime account: the actAs rule excepts only their own
    // service accounts; every other guardrail permission stays denied to them as to every tool.
    const deployTools = props.tools.filter((t) => t.gcp?.runtimeServiceAccount !== undefined).map((t) => this.emailsByTool.get(t.name)!);
    this.denyPolicy = new IamDenyPolicy(this, 'Boundary', {
      parent: projectAttachmentPoint(this.project),
      name: fitName(`${props.agentName}-guardrails`, 63, [props.agentName, 'boundary']),
      displayName: `agent-guardrails boundary for ${props.agentName}`.slice(0, 63),
      rules: [{
        description: `Agent ${props.agentName} (${props.tier}, ${props.environment.name}): no impersonation, keys, IAM or guardrail changes`,
        denyRule: {
          deniedPrincipals: emails.map(denyPrincipal),
          deniedPermissions: BOUNDARY_DENIED_PERMISSIONS.filter((p) => p !== ACT_AS_DENY_PERMISSION),
        },
      }, {
        description: `Agent ${props.agentName}: no acting as a service account${deployTools.length > 0 ? ', but for deploy tools on their declared runtime account (allow policy)' : ''}`,
        denyRule: {
          deniedPrincipals: emails.map(denyPrincipal),
          deniedPermissions: [ACT_AS_DENY_PERMISSION],
          ...(deployTools.length > 0 ? { exceptionPrincipals: deployTools.map(denyPrincipal) } : {}),
        },
      }],
      dependsOn: this.serviceAccounts,
    });
    attachGuardrailMetadata(this.denyPolicy, agentOwner, Component.BOUNDARY);

    this.killSwitchRole = new ProjectIamCustomRole(this, 'KillSwitchRole', {
      project: this.project,
      roleId: customRoleId([props.agentName, 'kill', 'switch']),
      title: `agent-guardrails kill switch for ${props.agentName}`.slice(0, 100),
      description: 'Disable (and read) the agent\'s tool service accounts; nothing else.',
      permissions: [...KILL_SWITCH_PERMISSIONS],
    });
    attachGuardrailMetadata(this.killSwitchRole, agentOwner, Component.KILL_SWITCH);
    const killSwitchRoleName = `projects/${this.project}/roles/${this.killSwitchRole.roleIdInput}`;
    props.tools.forEach((tool) => {
      props.revocationMembers.forEach((member, i) => {
        const binding = new ServiceAccountIamMember(this, `KillSwitch-${tool.name}-${i}`, {
          serviceAccountId: this.serviceAccountResourceName(tool.name),
          role: killSwitchRoleName,
          member,
          dependsOn: [this.killSwitchRole, this.accountsByTool.get(tool.name)!],
        });
        attachGuardrailMetadata(binding, { ...agentOwner, tool: tool.name }, Component.KILL_SWITCH);
        attachCrossAccount(binding, optedInProjects([member], props.environment, this.project), props.environment);
      });
    });

    if (props.disableKeyCreation ?? false) {
      const orgPolicy = new ProjectOrganizationPolicy(this, 'DisableKeyCreation', {
        project: this.project,
        constraint: 'iam.disableServiceAccountKeyCreation',
        booleanPolicy: { enforced: true },
      });
      attachGuardrailMetadata(orgPolicy, agentOwner, Component.BOUNDARY);
    }

    const auditServices = props.auditServices ?? [...new Set([...this.services, 'iam.googleapis.com', 'iamcredentials.googleapis.com'])].sort();
    for (const service of auditServices) {
      const audit = new ProjectIamAuditConfig(this, `Audit-${service}`, {
        project: this.project,
        service,
        auditLogConfig: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
      });
      attachGuardrailMetadata(audit, agentOwner, Component.AUDIT);
    }
  }

  /** The service account of a tool. */
  public serviceAccountFor(toolName: string): ServiceAccount {
    const sa = this.accountsByTool.get(toolName);
    if (!sa) fail('AG_GCP_UNKNOWN_TOOL', `gcp.AgentIdentity(${this.agentName}).serviceAccountFor`, 'must name a tool of this agent', toolName, `Use one of: ${[...this.accountsByTool.keys()].join(', ')}.`);
    return sa;
  }

  /** The email of a tool's service account (a literal, known at synth). */
  public emailFor(toolName: string): string {
    this.serviceAccountFor(toolName);
    return this.emailsByTool.get(toolName)!;
  }

  /** `<service>.googleapis.com/*.*` for the services the tools use: the deny-all path of the kill switch. */
  public denyAllPermissions(): string[] {
    return [...this.services].sort().map((s) => `${s}/*.*`);
  }

  private serviceAccountResourceName(toolName: string): string {
    return `projects/${this.project}/serviceAccounts/${this.emailsByTool.get(toolName)}`;
  }

  private addTool(tool: Tool, props: AgentIdentityProps): void {
    const gcp = tool.gcp!;
    const owner: OwnerLabels = { agent: props.agentName, tool: tool.name, tier: props.tier, environment: props.environment.name };
    const accountId = AgentIdentity.accountIdFor(props.agentName, tool.name);
    if (!ACCOUNT_ID.test(accountId)) {
      fail('AG_GCP_ACCOUNT_ID', `gcp.AgentIdentity(${props.agentName}).tools[${tool.name}]`, 'derives an invalid service account id', accountId, 'Use agent and tool names of [a-z0-9-] that start with a letter.');
    }
    const clash = [...this.accountsByTool.entries()].find(([, sa]) => sa.accountIdInput === accountId);
    if (clash) {
      fail('AG_GCP_ACCOUNT_ID_CLASH', `gcp.AgentIdentity(${props.agentName}).tools[${tool.name}]`, `derives the same service account id as tool ${clash[0]}`, accountId, 'Rename one of the tools.');
    }
    const email = `${accountId}@${this.project}.iam.gserviceaccount.com`;
    const roles = gcp.roles ?? [];
    const permissions = gcp.permissions ?? [];
    const sa = new ServiceAccount(this, `${tool.name}-sa`, {
      accountId,
      project: this.project,
      displayName: `${props.agentName} / ${tool.name} (${tool.accessLevel})`.slice(0, 100),
      description: `agent-guardrails agent=${props.agentName} tool=${tool.name} tier=${props.tier} environment=${props.environment.name}`,
    });
    const runtime = gcp.runtimeServiceAccount;
    const runtimeResource = runtime === undefined ? undefined : `projects/${this.project}/serviceAccounts/${runtime}`;
    attachGuardrailMetadata(sa, owner, Component.TOOL_IDENTITY, declarationOf(owner, tool,
      [...roles, ...permissions, ...(runtime === undefined ? [] : [ACT_AS_ROLE])], [gcp.resource, ...(runtimeResource === undefined ? [] : [runtimeResource])], props.environment));
    this.serviceAccounts.push(sa);
    this.accountsByTool.set(tool.name, sa);
    this.emailsByTool.set(tool.name, email);
    for (const r of [...roles, ...permissions]) {
      const service = serviceOf(r);
      if (service) this.services.add(service);
    }

    const target = Token.isUnresolved(gcp.resource) ? undefined : parseResourceTarget(gcp.resource);
    const window = windowExpression(tool.window);
    const grantRoles = [...roles];
    const dependsOn: TerraformResource[] = [sa];
    if (permissions.length > 0) {
      const customRole = new ProjectIamCustomRole(this, `${tool.name}-role`, {
        project: this.project,
        roleId: customRoleId([props.agentName, tool.name]),
        title: `agent-guardrails ${props.agentName} ${tool.name}`.slice(0, 100),
        description: `Exactly the permissions of tool ${tool.name} of agent ${props.agentName} (${tool.accessLevel}).`,
        permissions: [...permissions],
      });
      attachGuardrailMetadata(customRole, owner, Component.TOOL_IDENTITY);
      grantRoles.push(`projects/${this.project}/roles/${customRole.roleIdInput}`);
      dependsOn.push(customRole);
    }
    const member = `serviceAccount:${email}`;
    grantRoles.forEach((role, i) => {
      const grant = this.grant(`${tool.name}-grant-${i}`, target, gcp.resource, role, member, window, tool, dependsOn);
      attachGuardrailMetadata(grant, owner, Component.TOOL_IDENTITY);
    });

    if (runtimeResource !== undefined) {
      // actAs on the declared runtime account only (deploying a revision attaches it to code), in the tool's window.
      const actAs = new ServiceAccountIamMember(this, `${tool.name}-act-as`, {
        serviceAccountId: runtimeResource,
        role: ACT_AS_ROLE,
        member,
        condition: combineConditions('agent-guardrails', `Tool ${tool.name}: change window`, [window]),
        dependsOn: [sa],
      });
      attachGuardrailMetadata(actAs, owner, Component.TOOL_IDENTITY);
    }

    const brokerCondition = combineConditions('agent-guardrails-window', `Change window of tool ${tool.name}`, [window]);
    const tokenCreator = new ServiceAccountIamMember(this, `${tool.name}-broker`, {
      serviceAccountId: this.serviceAccountResourceName(tool.name),
      role: TOKEN_CREATOR,
      member: props.brokerMember,
      condition: brokerCondition,
      dependsOn: [sa],
    });
    attachGuardrailMetadata(tokenCreator, owner, Component.BROKER);
    attachCrossAccount(tokenCreator, optedInProjects([props.brokerMember], props.environment, this.project), props.environment);
  }

  private grant(id: string, target: ResourceTarget | undefined, resource: string, role: string, member: string, window: string | undefined, tool: Tool, dependsOn: TerraformResource[]): TerraformResource {
    const base = { role, member, dependsOn };
    const conditionFor = (...expressions: Array<string | undefined>): IamCondition | undefined =>
      combineConditions('agent-guardrails', `Tool ${tool.name}: ${[expressions[0] && 'declared resource', window && 'change window'].filter(Boolean).join(' and ') || 'grant'}`, expressions);
    if (!target) {
      // An unresolved resource: project-level, narrowed by condition; the synth-time rules check the value.
      return new ProjectIamMember(this, id, { ...base, project: this.project, condition: conditionFor(resourceExpression(resource), window) });
    }
    const condition = conditionFor(undefined, window);
    switch (target.kind) {
      case 'project':
        return new ProjectIamMember(this, id, { ...base, project: target.project, condition });
      case 'bucket':
        return new StorageBucketIamMember(this, id, { ...base, bucket: target.bucket, condition });
      case 'topic':
        return new PubsubTopicIamMember(this, id, { ...base, project: target.project, topic: target.topic, condition });
      case 'subscription':
        return new PubsubSubscriptionIamMember(this, id, { ...base, project: target.project, subscription: target.subscription, condition });
      case 'secret':
        return new SecretManagerSecretIamMember(this, id, { ...base, project: target.project, secretId: target.secret, condition });
      case 'dataset':
        return new BigqueryDatasetIamMember(this, id, { ...base, project: target.project, datasetId: target.dataset, condition });
      case 'run-service':
        return new CloudRunV2ServiceIamMember(this, id, { ...base, project: target.project, location: target.location, name: target.service, condition });
      case 'project-resource':
        return new ProjectIamMember(this, id, { ...base, project: target.project, condition: conditionFor(resourceExpression(target.name), window) });
    }
  }
}

/** Deny policies name service accounts as `principal://iam.googleapis.com/projects/-/serviceAccounts/<email>`. */
function denyPrincipal(email: string): string {
  return `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;
}

/** The URL-encoded attachment point of a project-level deny policy. */
function projectAttachmentPoint(project: string): string {
  const raw = `cloudresourcemanager.googleapis.com/projects/${project}`;
  return Token.isUnresolved(project) ? Fn.urlencode(raw) : encodeURIComponent(raw);
}

/** Custom role ids take `[a-zA-Z0-9_.]{3,64}`. */
function customRoleId(parts: string[]): string {
  return fitName(`ag_${parts.join('_')}`.replace(/-/g, '_'), 64, parts, '_');
}

function validateAgent(props: AgentIdentityProps, baseline: Baseline): void {
  const agent = `gcp.AgentIdentity(${props.agentName})`;
  if (!AGENT_NAME.test(props.agentName)) {
    fail('AG_AGENT_NAME', 'gcp.AgentIdentity.agentName', 'must be 2–30 chars of [a-z0-9-], starting with a letter', props.agentName, 'Use a short kebab-case name such as "support-observer".');
  }
  const project = props.environment.requireGcp(agent).project;
  const catalog = new Set(loadCatalog('proposal-actions').gcp ?? []);
  const isProposalOnly = (tool: Tool) => (tool.gcp?.roles ?? []).length === 0 && (tool.gcp?.permissions ?? []).length > 0 && (tool.gcp?.permissions ?? []).every((p) => catalog.has(p));
  const violations = tierContractViolations(props.agentName, props.tier, props.tools, baseline, isProposalOnly);
  if (violations.length > 0) throw new GuardrailError('AG_TIER_CONTRACT', violations.join(' | '));

  validateMember(`${agent}.brokerMember`, props.brokerMember, /^(serviceAccount:[^@\s]+@[^@\s]+|principal:\/\/\S+)$/, 'Name one principal: "serviceAccount:broker@<project>.iam.gserviceaccount.com" or a principal:// workload identity.');
  if (props.revocationMembers.length === 0) {
    fail('AG_KILL_SWITCH_MEMBERS', `${agent}.revocationMembers`, 'must name at least one member', props.revocationMembers, 'Name the on-call group, e.g. "group:oncall@example.com".');
  }
  const agentEmails = new Set(props.tools.map((t) => `serviceAccount:${AgentIdentity.accountIdFor(props.agentName, t.name)}@${project}.iam.gserviceaccount.com`));
  for (const m of props.revocationMembers) {
    validateMember(`${agent}.revocationMembers`, m, /^(user|group|serviceAccount):[^@\s]+@[^@\s]+$|^principal(Set)?:\/\/\S+$/, 'Use "group:oncall@example.com", "user:…" or "serviceAccount:…".');
    if (agentEmails.has(m)) {
      fail('AG_KILL_SWITCH_SELF', `${agent}.revocationMembers`, 'must not include the agent\'s own service accounts', m, 'An agent may never hold its own kill switch: name humans or a separate revocation principal.');
    }
  }
  otherProjectMembers(`${agent}.brokerMember`, [props.brokerMember], props.environment, project);
  otherProjectMembers(`${agent}.revocationMembers`, props.revocationMembers, props.environment, project);
  const brokerEmail = /^serviceAccount:(\S+)$/.exec(props.brokerMember)?.[1];
  const agentAccounts = new Set([...agentEmails].map((m) => m.slice('serviceAccount:'.length)).concat(brokerEmail === undefined ? [] : [brokerEmail]));
  for (const tool of props.tools) {
    validateTool(agent, project, tool, baseline);
    validateRuntimeAccount(`${agent}.tools[${tool.name}].gcp.runtimeServiceAccount`, project, tool, agentAccounts);
  }
}

/**
 * A tool whose permissions deploy or update code (Cloud Run, Cloud Functions) needs actAs on the
 * resource's runtime account: it must declare that account, and the account must be one an agent
 * may act as. A tool that needs no actAs may not declare one (no silent widening).
 */
function validateRuntimeAccount(field: string, project: string, tool: Tool, agentAccounts: ReadonlySet<string>): void {
  const runtime = tool.gcp?.runtimeServiceAccount;
  if (runtime !== undefined && Token.isUnresolved(runtime)) return;
  const needs = actAsPermissionsOf(tool);
  if (needs.length > 0 && runtime === undefined) {
    fail('AG_GCP_ACT_AS_UNDECLARED', field, `must name the service account ${tool.gcp!.resource} runs as: ${needs.join(', ')} also need iam.serviceAccounts.actAs on it`, runtime,
      'Declare the resource\'s own user-managed runtime service account (e.g. "checkout-runtime@<project>.iam.gserviceaccount.com"); the tool may then act as that account only.');
  }
  if (runtime === undefined) return;
  if (needs.length === 0) {
    fail('AG_GCP_ACT_AS_UNNEEDED', field, 'must only be set when the tool\'s permissions need actAs (deploying or updating a Cloud Run service or job, or a function)', runtime,
      'Remove runtimeServiceAccount: the tool never acts as a service account.');
  }
  if (Token.isUnresolved(project)) return;
  const why = forbiddenRuntimeAccount(runtime, project, agentAccounts);
  if (why !== undefined) {
    fail('AG_GCP_ACT_AS_FORBIDDEN', field, `must be a service account an agent may act as; this is ${why}`, runtime,
      'Give the resource its own user-managed service account with only the roles the workload needs, and declare that one.');
  }
}

function validateMember(field: string, member: string, format: RegExp, fix: string): void {
  if (Token.isUnresolved(member)) return;
  if (member === 'allUsers' || member === 'allAuthenticatedUsers' || member.startsWith('domain:') || member.includes('*')) {
    fail('AG_GCP_PUBLIC_MEMBER', field, 'must name one principal, not a public or domain-wide set', member, fix);
  }
  if (!format.test(member)) fail('AG_GCP_MEMBER', field, 'must be an IAM member string', member, fix);
}

function validateTool(agent: string, project: string, tool: Tool, baseline: Baseline): void {
  const field = `${agent}.tools[${tool.name}].gcp`;
  const gcp = tool.gcp;
  if (!gcp) fail('AG_GCP_TOOL_NO_PERMISSIONS', field, 'is required for a GCP agent', undefined, 'Give the tool gcp: { roles or permissions, resource }.');
  const roles = gcp.roles ?? [];
  const permissions = gcp.permissions ?? [];
  if (roles.length === 0 && permissions.length === 0) {
    fail('AG_GCP_TOOL_EMPTY', field, 'must hold roles or permissions', gcp, 'Declare the predefined roles or the exact permissions of the tool.');
  }
  if (!Token.isUnresolved(gcp.resource)) {
    const target = parseResourceTarget(gcp.resource);
    if (!target) {
      fail('AG_GCP_RESOURCE', `${field}.resource`, 'must name one resource of the environment\'s project (no organizations, folders or wildcards)', gcp.resource, `Use a resource name such as "projects/${project}/topics/t" or "projects/_/buckets/b".`);
    }
    const targetProject = projectOf(target);
    if (targetProject !== undefined && !Token.isUnresolved(project) && targetProject !== project) {
      fail('AG_GCP_OTHER_PROJECT', `${field}.resource`, `must be in the environment's project ${project}`, gcp.resource, 'One environment per identity: declare a separate agent for the other environment.');
    }
  }
  for (const role of roles) validateRole(field, project, role, tool, baseline);
  for (const permission of permissions) validatePermission(field, permission, tool, baseline);
}

function validateRole(field: string, project: string, role: string, tool: Tool, baseline: Baseline): void {
  if (Token.isUnresolved(role)) return;
  const f = `${field}.roles`;
  if (role.includes('*')) fail('AG_GCP_WILDCARD', f, 'must not contain wildcards', role, 'Name the exact role.');
  if (BASIC_ROLES.has(role)) fail('AG_GCP_BASIC_ROLE', f, 'must not hold a basic role', role, 'Use a narrow predefined role on one resource, or list the exact permissions.');
  const forbiddenRole = forbiddenEntryFor(baseline.forbiddenGcpRoles, role);
  if (forbiddenRole) fail('AG_GCP_FORBIDDEN_ROLE', f, `holds a role forbidden by baseline ${baseline.id} (forbidden.gcp.roles: ${forbiddenRole})`, role, 'Use a narrower role or exact permissions.');
  const forbiddenInRole = (gcpRoles()[role]?.permissions ?? []).find((p) => forbiddenEntryFor(baseline.forbiddenGcpPermissions, p));
  if (forbiddenInRole) {
    fail('AG_GCP_FORBIDDEN_PERMISSION', f, `holds a role with a permission forbidden by baseline ${baseline.id} (${forbiddenInRole}; forbidden.gcp.permissions: ${forbiddenEntryFor(baseline.forbiddenGcpPermissions, forbiddenInRole)})`, role,
      'Use a narrower role, or list the exact permissions the tool needs.');
  }
  const unprovable = unprovableForbiddenGcpPermissions(role, baseline.forbiddenGcpPermissions);
  if (unprovable.length > 0) {
    fail('AG_GCP_FORBIDDEN_PERMISSION', f, `holds a role whose permissions the role data does not list in full, so it may hold what baseline ${baseline.id} forbids (forbidden.gcp.permissions: ${unprovable.slice(0, 3).join(', ')})`, role,
      'Pull the role data (`agent-guardrails data pull gcp`, baseline roleData), or list the exact permissions the tool needs.');
  }
  const custom = role.match(/^projects\/([^/]+)\/roles\/[a-zA-Z0-9_.]{3,64}$/);
  if (custom) {
    if (!Token.isUnresolved(project) && custom[1] !== project) fail('AG_GCP_OTHER_PROJECT', f, `must be a custom role of the environment's project ${project}`, role, 'Use a role of this project.');
    return;
  }
  if (!/^roles\/[a-zA-Z0-9_.]+$/.test(role) && !/^organizations\/\d+\/roles\/[a-zA-Z0-9_.]{3,64}$/.test(role)) {
    fail('AG_GCP_ROLE', f, 'must be a role name', role, 'Write "roles/<service>.<role>" or "projects/<project>/roles/<id>".');
  }
  const known = gcpRoles()[role];
  const privileged = known ? known.flags.some((x) => x === 'admin' || x === 'impersonation' || x === 'escalation') : /(admin|owner)$/i.test(role);
  if (privileged) {
    fail('AG_GCP_PRIVILEGED_ROLE', f, 'must not hold an admin, impersonation or escalation role', role, 'Grant a narrow role (viewer, accessor, publisher, …) or the exact permissions the tool needs.');
  }
  if (tool.accessLevel === AccessLevel.READ) {
    // Fail closed: a role whose permissions we do not know reads only if its name says so.
    // A role the data lists only in part reads only if it is flagged read-only (reviewed); an unknown one only if its name says so.
    const reads = known === undefined ? /(\.viewer|Viewer|\.reader|Reader)$/.test(role)
      : known.permissionsComplete ? known.permissions.every(isReadPermission) : known.flags.includes('read-only');
    if (!reads) {
      const writes = known?.permissionsComplete ? known.permissions.filter((p) => !isReadPermission(p)) : [role];
      fail('AG_GCP_READ_TOOL_MUTATES', f, `of a read tool must only read (it also grants ${writes.slice(0, 3).join(', ')})`, role, 'Use a viewer role, or list the exact get/list permissions, or make the tool write/destructive.');
    }
  }
}

function validatePermission(field: string, permission: string, tool: Tool, baseline: Baseline): void {
  if (Token.isUnresolved(permission)) return;
  const f = `${field}.permissions`;
  if (permission.includes('*')) fail('AG_GCP_WILDCARD', f, 'must not contain wildcards', permission, 'List the exact permissions.');
  if (!PERMISSION_FORMAT.test(permission)) fail('AG_GCP_PERMISSION', f, 'must be a permission like service.resource.verb', permission, 'Write permissions as "storage.objects.get".');
  const forbiddenBy = forbiddenEntryFor(baseline.forbiddenGcpPermissions, permission);
  if (forbiddenBy) fail('AG_GCP_FORBIDDEN_PERMISSION', f, `holds a permission forbidden by baseline ${baseline.id} (forbidden.gcp.permissions: ${forbiddenBy})`, permission, 'Remove it.');
  if (isEscalationPermission(permission)) {
    fail('AG_GCP_ESCALATION', f, 'must not hold an escalation or guardrail-tamper permission', permission, 'Agents never change IAM, impersonate, mint keys or touch audit sinks; remove it.');
  }
  if (tool.accessLevel === AccessLevel.READ && !isReadPermission(permission)) {
    fail('AG_GCP_READ_TOOL_MUTATES', f, 'of a read tool must only read', permission, 'Keep get/list permissions, or make the tool write/destructive.');
  }
}
