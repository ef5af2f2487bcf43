import { Construct } from 'constructs';
import { Token } from 'cdktf';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Baseline } from '../../lib/baseline/baseline';
import { AZURE_ACTION_GLOB, forbiddenEntryFor } from '../../lib/baseline/forbidden';
import { grantReaches } from '../../lib/rules/azure/private/azure-rule-helpers';
import { useRoleData } from '../../lib/role-data/role-data';
import { loadCatalog } from '../../lib/catalogs/catalog';
import { fail, GuardrailError } from '../../lib/errors';
import { AccessLevel } from '../../lib/model/access-level';
import { AzureEnvironmentProps, Environment } from '../../lib/model/environment';
import { Component } from '../../lib/model/tags';
import { tierContractViolations } from '../../lib/model/tier-contract';
import { AgentTier } from '../../lib/model/tier';
import { Tool } from '../../lib/model/tool';
import { isBundledReaderChannel } from '../../lib/rules/private/access-classifier';
import { attachGuardrailMetadata, declarationOf, guardrailTags, OwnerLabels } from '../gcp/private/metadata';
import { fitName } from '../gcp/private/names';
import { ACTION_FORMAT, isEscalationOrPivotAction, isReadAction, isReadDataAction } from './private/actions';
import { findBuiltinRole } from './private/builtin-roles';
import { assertionSubject } from './broker-runtime/assertion-subject';
import { IBrokerIssuer } from './broker-issuer';
import { withoutTrailingSlashes } from '../../lib/private/linear-scans';

export interface AgentIdentityProps {
  /** The agent's name: 2–40 chars of `[a-z0-9-]`, starting with a letter. */
  readonly agentName: string;
  /** The agent's tier; its ceiling comes from the baseline. */
  readonly tier: AgentTier;
  /** The environment; its `azure` placement (subscription, resource group, location) bounds every scope. */
  readonly environment: Environment;
  /** The agent's tools; each needs `azure` permissions and gets its own user-assigned identity. */
  readonly tools: Tool[];
  /**
   * The OIDC issuer of the agent runtime's tokens (exact `https://` URL, no wildcards), when the
   * runtime exchanges its own tokens for tool tokens. Give this or `broker`.
   * @default - `broker` must be given
   */
  readonly runtimeIssuer?: string;
  /**
   * The Azure `CredentialBroker` that mints this agent's tool tokens. Each tool identity's federated
   * credential then trusts exactly the broker's issuer, with the subject
   * `agent-guardrails:agent:<agent>:tool:<tool>:environment:<environment>`, and nothing of the runtime:
   * the runtime reaches a tool only through the broker (kill switch, window, approval, decision record).
   * Then call `broker.addAgent(agent)`. Give this or `runtimeIssuer` with `runtimeSubjects`/`runtimeSubjectTemplate`.
   * @default - no broker: the runtime's own issuer and subjects are trusted
   */
  readonly broker?: IBrokerIssuer;
  /**
   * The exact token subject per tool name (e.g. `system:serviceaccount:agents:deploy-operator-restart`).
   * Give this or `runtimeSubjectTemplate`.
   * @default - built from `runtimeSubjectTemplate`
   */
  readonly runtimeSubjects?: { [toolName: string]: string };
  /**
   * One subject for all tools, with the placeholders `{agent}`, `{tool}` and `{environment}`
   * replaced per tool (e.g. `system:serviceaccount:agents:{agent}-{tool}`). Each tool must end up
   * with its own subject. Give this or `runtimeSubjects`.
   * @default - `runtimeSubjects` must be given
   */
  readonly runtimeSubjectTemplate?: string;
  /** The object ids (GUIDs) of the principals who may pull the kill switch (an on-call group, …). */
  readonly revocationPrincipalIds: string[];
  /**
   * The guardrail baseline.
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
  /**
   * The Log Analytics workspace (resource id) that receives the subscription's activity log.
   * @default - a workspace `<agent>-<environment>-audit` is created in the environment's resource group (90 days retention)
   */
  readonly auditWorkspaceId?: string;
  /**
   * Whether this agent creates the diagnostic setting that exports the subscription's activity log.
   * A subscription takes at most five diagnostic settings: when several agents share one, let one
   * of them (or the platform) export it and set this to false on the others.
   * @default true
   */
  readonly exportActivityLog?: boolean;
}

const AGENT_IDENTITY_SYMBOL = Symbol.for('agent-guardrails.azure.AgentIdentity');
const AGENT_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
/** The kill switch: delete this agent's federated credentials and role assignments, and read them. */
const KILL_SWITCH_ACTIONS = [
  'Microsoft.ManagedIdentity/userAssignedIdentities/read',
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read',
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete',
  'Microsoft.Authorization/roleAssignments/read',
  'Microsoft.Authorization/roleAssignments/delete',
];
/** Activity-log categories exported by the audit diagnostic setting. */
const ACTIVITY_LOG_CATEGORIES = ['Administrative', 'Security', 'Policy', 'Alert'];

/**
 * One Azure agent in one environment (a resource group in a subscription): a user-assigned managed
 * identity per tool, federated to the agent runtime, with exactly the tool's role assignments, a kill
 * switch, and the activity log exported.
 *
 * What it creates (every resource carries `"//"."agent-guardrails"` metadata; the identities also
 * carry the `agent-guardrails:*` keys as Azure tags; see `constructs/gcp/private/metadata.ts`):
 * - `azurerm_user_assigned_identity` per tool, in the environment's resource group;
 * - `azurerm_federated_identity_credential` per tool: the exact runtime issuer and subject, audience
 *   `api://AzureADTokenExchange`; no client secrets;
 * - `azurerm_role_assignment`s at the tool's resource or resource-group scope only, for built-in roles
 *   by full `role_definition_id` (`/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`),
 *   or for a per-tool `azurerm_role_definition` holding exactly the tool's actions/data actions, assignable
 *   only in the environment's resource group; an ABAC `condition` of the tool is kept;
 * - the kill switch: `azurerm_role_definition` with only the deletes (and reads) of federated identity
 *   credentials and role assignments, assignable in the resource group, assigned there to the
 *   revocation principals, with a delegation condition that limits role-assignment deletes to this
 *   agent's identities;
 * - `azurerm_monitor_diagnostic_setting` exporting the subscription's activity log to a Log Analytics
 *   workspace (given, or created).
 *
 * Revocation latency: deleting a tool's federated credential stops new token exchanges at once, and
 * deleting its role assignments removes its access, but an access token already issued stays valid
 * until it expires (Microsoft Entra access tokens live 60–90 minutes, about 1 h by default), and
 * role-assignment changes can take up to about 10 minutes to propagate (Azure Resource Manager
 * caches them). Plan on up to ~1.5 h for full effect; the broker's kill-switch flag stops new use
 * immediately.
 *
 * Bad input (Owner/Contributor/User Access Administrator/RBAC Administrator by name or GUID, a
 * wildcard action, an RBAC or identity-pivot action, a scope outside the environment's resource group,
 * a wildcard issuer or subject, a tool above the tier) throws a `GuardrailError` at construction.
 */
export class AgentIdentity extends Construct {
  /** Whether `x` is an Azure AgentIdentity (works across copies of this package). */
  public static isAgentIdentity(x: unknown): x is AgentIdentity {
    return typeof x === 'object' && x !== null && AGENT_IDENTITY_SYMBOL in x;
  }

  public readonly agentName: string;
  public readonly tier: AgentTier;
  public readonly environment: Environment;
  /** The tool identities, in tool order. */
  public readonly identities: UserAssignedIdentity[] = [];
  /** The agent's tools, as declared. */
  public readonly tools: Tool[];
  /** The kill-switch role definition. */
  public readonly killSwitchRole: RoleDefinition;
  /** The broker whose issuer the tool identities trust, when the agent uses one. */
  public readonly broker?: IBrokerIssuer;
  /** The diagnostic setting exporting the activity log (absent when `exportActivityLog` is false). */
  public readonly auditSetting?: MonitorDiagnosticSetting;
  private readonly identitiesByTool = new Map<string, UserAssignedIdentity>();
  private readonly azure: AzureEnvironmentProps;

  constructor(scope: Construct, id: string, props: AgentIdentityProps) {
    super(scope, id);
    Object.defineProperty(this, AGENT_IDENTITY_SYMBOL, { value: true });
    const baseline = Baseline.resolve(this, props.baseline, `AgentIdentity(${props.agentName}).baseline`);
    if (baseline.roleData !== undefined) useRoleData(baseline.roleData);
    this.azure = props.environment.requireAzure('azure.AgentIdentity');
    validateAgent(props, this.azure, baseline);
    this.agentName = props.agentName;
    this.tier = props.tier;
    this.environment = props.environment;
    this.tools = [...props.tools];
    this.broker = props.broker;
    const agentOwner: OwnerLabels = { agent: props.agentName, tier: props.tier, environment: props.environment.name };
    const subjects = subjectsFor(props);

    for (const tool of props.tools) this.addTool(tool, props, subjects[tool.name]);

    const rgId = this.resourceGroupId;
    this.killSwitchRole = new RoleDefinition(this, 'KillSwitchRole', {
      name: `agent-guardrails ${props.agentName} ${props.environment.name} kill switch`,
      scope: rgId,
      description: `Delete the federated credentials and role assignments of agent ${props.agentName} (${props.environment.name}); nothing else.`,
      permissions: [{ actions: [...KILL_SWITCH_ACTIONS], notActions: [], dataActions: [], notDataActions: [] }],
      assignableScopes: [rgId],
    });
    attachGuardrailMetadata(this.killSwitchRole, agentOwner, Component.KILL_SWITCH);
    const principalIds = this.identities.map((i) => i.principalId);
    props.revocationPrincipalIds.forEach((principalId, i) => {
      const assignment = new RoleAssignment(this, `KillSwitch-${i}`, {
        scope: rgId,
        roleDefinitionId: this.killSwitchRole.roleDefinitionResourceId,
        principalId,
        description: `Kill switch of agent ${props.agentName} (${props.environment.name})`,
        condition: killSwitchCondition(principalIds),
        conditionVersion: '2.0',
      });
      attachGuardrailMetadata(assignment, agentOwner, Component.KILL_SWITCH);
    });

    if (!(props.exportActivityLog ?? true)) return;
    let workspaceId = props.auditWorkspaceId;
    if (workspaceId === undefined) {
      const workspace = new LogAnalyticsWorkspace(this, 'AuditWorkspace', {
        name: fitName(`${props.agentName}-${props.environment.name}-audit`, 63, [props.agentName, props.environment.name]),
        resourceGroupName: this.azure.resourceGroup,
        location: this.azure.location,
        sku: 'PerGB2018',
        retentionInDays: 90,
        tags: guardrailTags(agentOwner, Component.AUDIT),
      });
      attachGuardrailMetadata(workspace, agentOwner, Component.AUDIT);
      workspaceId = workspace.id;
    }
    this.auditSetting = new MonitorDiagnosticSetting(this, 'ActivityLog', {
      name: `agent-guardrails-${props.agentName}-${props.environment.name}`.slice(0, 260),
      targetResourceId: `/subscriptions/${this.azure.subscriptionId}`,
      logAnalyticsWorkspaceId: workspaceId,
      enabledLog: ACTIVITY_LOG_CATEGORIES.map((category) => ({ category })),
    });
    attachGuardrailMetadata(this.auditSetting, agentOwner, Component.AUDIT);
  }

  /** The environment's resource group id. */
  public get resourceGroupId(): string {
    return `/subscriptions/${this.azure.subscriptionId}/resourceGroups/${this.azure.resourceGroup}`;
  }

  /** The user-assigned identity of a tool. */
  public identityFor(toolName: string): UserAssignedIdentity {
    const identity = this.identitiesByTool.get(toolName);
    if (!identity) fail('AG_AZ_UNKNOWN_TOOL', `azure.AgentIdentity(${this.agentName}).identityFor`, 'must name a tool of this agent', toolName, `Use one of: ${[...this.identitiesByTool.keys()].join(', ')}.`);
    return identity;
  }

  private addTool(tool: Tool, props: AgentIdentityProps, subject: string): void {
    const az = tool.azure!;
    const owner: OwnerLabels = { agent: props.agentName, tool: tool.name, tier: props.tier, environment: props.environment.name };
    const roles = az.roles ?? [];
    const actions = az.actions ?? [];
    const dataActions = az.dataActions ?? [];
    const identity = new UserAssignedIdentity(this, `${tool.name}-identity`, {
      name: fitName(`${props.agentName}-${tool.name}-${props.environment.name}`, 128, [props.agentName, tool.name, props.environment.name]),
      resourceGroupName: this.azure.resourceGroup,
      location: this.azure.location,
      tags: guardrailTags(owner, Component.TOOL_IDENTITY),
    });
    // Built-in roles are declared by name (the checks expand names from policies/azure-builtin-roles.json).
    const declaredRoles = roles.map((r) => findBuiltinRole(r)?.name ?? r);
    attachGuardrailMetadata(identity, owner, Component.TOOL_IDENTITY, declarationOf(owner, tool, [...declaredRoles, ...actions, ...dataActions], [az.scope], props.environment));
    this.identities.push(identity);
    this.identitiesByTool.set(tool.name, identity);

    const credential = new FederatedIdentityCredential(this, `${tool.name}-federation`, {
      name: fitName(`${tool.name}-${props.broker ? 'broker' : 'runtime'}`, 120, [tool.name]),
      resourceGroupName: this.azure.resourceGroup,
      parentId: identity.id,
      issuer: props.broker?.issuer ?? props.runtimeIssuer!,
      subject,
      audience: [FEDERATION_AUDIENCE],
    });
    // The runtime's (broker's) way in, like the token-creator binding on GCP.
    attachGuardrailMetadata(credential, owner, Component.BROKER);

    const condition = az.condition === undefined ? {} : { condition: az.condition, conditionVersion: '2.0' };
    roles.forEach((role, i) => {
      const builtin = findBuiltinRole(role);
      const guid = builtin?.id ?? role.toLowerCase();
      const assignment = new RoleAssignment(this, `${tool.name}-assignment-${i}`, {
        scope: az.scope,
        roleDefinitionId: `/subscriptions/${this.azure.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
        principalId: identity.principalId,
        principalType: 'ServicePrincipal',
        description: `Tool ${tool.name} of agent ${props.agentName}: ${builtin?.name ?? role}`,
        ...condition,
      });
      attachGuardrailMetadata(assignment, owner, Component.TOOL_IDENTITY);
    });
    if (actions.length > 0 || dataActions.length > 0) {
      const definition = new RoleDefinition(this, `${tool.name}-role`, {
        name: `agent-guardrails ${props.agentName} ${tool.name} ${props.environment.name}`,
        scope: this.resourceGroupId,
        description: `Exactly the actions of tool ${tool.name} of agent ${props.agentName} (${tool.accessLevel}).`,
        permissions: [{ actions: [...actions], notActions: [], dataActions: [...dataActions], notDataActions: [] }],
        assignableScopes: [this.resourceGroupId],
      });
      attachGuardrailMetadata(definition, owner, Component.TOOL_IDENTITY);
      const assignment = new RoleAssignment(this, `${tool.name}-assignment-custom`, {
        scope: az.scope,
        roleDefinitionId: definition.roleDefinitionResourceId,
        principalId: identity.principalId,
        principalType: 'ServicePrincipal',
        description: `Tool ${tool.name} of agent ${props.agentName}: custom role`,
        ...condition,
      });
      attachGuardrailMetadata(assignment, owner, Component.TOOL_IDENTITY);
    }
  }
}

/**
 * The kill switch may delete role assignments only of this agent's identities (a delegation
 * condition on `roleAssignments/delete`); reads and credential deletes are unconditioned.
 */
export function killSwitchCondition(principalIds: string[]): string {
  return [
    '(',
    " (!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'}))",
    ' OR',
    ` (@Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAnyValues:GuidEquals {${principalIds.join(', ')}})`,
    ')',
  ].join('\n');
}

function subjectsFor(props: AgentIdentityProps): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tool of props.tools) {
    const subject = props.broker ? assertionSubject(props.agentName, tool.name, props.environment.name) : props.runtimeSubjects?.[tool.name]
      ?? props.runtimeSubjectTemplate?.replace(/\{agent\}/g, props.agentName).replace(/\{tool\}/g, tool.name).replace(/\{environment\}/g, props.environment.name);
    out[tool.name] = subject!;
  }
  return out;
}

function validateAgent(props: AgentIdentityProps, azure: AzureEnvironmentProps, baseline: Baseline): void {
  const agent = `azure.AgentIdentity(${props.agentName})`;
  if (!AGENT_NAME.test(props.agentName)) {
    fail('AG_AGENT_NAME', 'azure.AgentIdentity.agentName', 'must be 2–40 chars of [a-z0-9-], starting with a letter', props.agentName, 'Use a short kebab-case name such as "deploy-operator".');
  }
  const catalog = new Set((loadCatalog('proposal-actions').azure ?? []).map((a) => a.toLowerCase()));
  const isProposalOnly = (tool: Tool) => {
    const all = [...(tool.azure?.actions ?? []), ...(tool.azure?.dataActions ?? [])];
    return (tool.azure?.roles ?? []).length === 0 && all.length > 0 && all.every((a) => catalog.has(a.toLowerCase()));
  };
  const violations = tierContractViolations(props.agentName, props.tier, props.tools, baseline, isProposalOnly);
  if (violations.length > 0) throw new GuardrailError('AG_TIER_CONTRACT', violations.join(' | '));

  validateFederation(agent, props);
  if (props.revocationPrincipalIds.length === 0) {
    fail('AG_KILL_SWITCH_MEMBERS', `${agent}.revocationPrincipalIds`, 'must name at least one principal', props.revocationPrincipalIds, 'Pass the object id of the on-call group.');
  }
  for (const id of props.revocationPrincipalIds) {
    if (!Token.isUnresolved(id) && !GUID.test(id)) {
      fail('AG_AZ_PRINCIPAL_ID', `${agent}.revocationPrincipalIds`, 'must hold object ids (GUIDs)', id, 'Pass the Microsoft Entra object id of the group or user, not its name.');
    }
  }
  for (const tool of props.tools) validateTool(agent, azure, tool, baseline);
}

function validateFederation(agent: string, props: AgentIdentityProps): void {
  if (props.broker) {
    const given = { runtimeIssuer: props.runtimeIssuer, runtimeSubjects: props.runtimeSubjects, runtimeSubjectTemplate: props.runtimeSubjectTemplate };
    if (Object.values(given).some((v) => v !== undefined)) {
      fail('AG_AZ_BROKER_FEDERATION', `${agent}.broker`, 'replaces the runtime federation: runtimeIssuer, runtimeSubjects and runtimeSubjectTemplate must not be given with it', given,
        'Drop the runtime issuer and subjects: with a broker, the tool identities trust only the broker\'s issuer (the runtime calls the broker).');
    }
    return;
  }
  const issuer = props.runtimeIssuer;
  if (issuer === undefined) {
    fail('AG_AZ_ISSUER', `${agent}.runtimeIssuer`, 'or broker must be given', issuer, 'Pass the broker (CredentialBroker), or the issuer of the runtime\'s OIDC tokens.');
  }
  if (!Token.isUnresolved(issuer) && (!/^https:\/\/[^\s*?]+$/.test(issuer) || issuer.includes('*'))) {
    fail('AG_AZ_ISSUER', `${agent}.runtimeIssuer`, 'must be one exact https:// issuer URL', issuer, 'Pass the issuer of the runtime\'s OIDC tokens, e.g. the AKS cluster\'s OIDC issuer URL.');
  }
  if ((props.runtimeSubjects === undefined) === (props.runtimeSubjectTemplate === undefined)) {
    fail('AG_AZ_SUBJECTS', `${agent}.runtimeSubjects`, 'or runtimeSubjectTemplate must be given (exactly one)', { runtimeSubjects: props.runtimeSubjects, runtimeSubjectTemplate: props.runtimeSubjectTemplate }, 'Pass one exact subject per tool, or a template such as "system:serviceaccount:agents:{agent}-{tool}".');
  }
  const subjects = subjectsFor(props);
  const seen = new Map<string, string>();
  for (const tool of props.tools) {
    const subject = subjects[tool.name];
    const field = `${agent}.runtimeSubjects[${tool.name}]`;
    if (subject === undefined || subject === '') fail('AG_AZ_SUBJECTS', field, 'must be given for every tool', subject, 'Add the tool\'s subject.');
    if (Token.isUnresolved(subject)) continue;
    if (/[*?]/.test(subject) || /\{[a-z]+\}/.test(subject)) {
      fail('AG_AZ_SUBJECT_WILDCARD', field, 'must be one exact subject (no wildcards or unknown placeholders)', subject, 'Federated credentials match subjects exactly: name the one runtime identity of this tool.');
    }
    const other = seen.get(subject);
    if (other) fail('AG_AZ_SUBJECT_SHARED', field, `is the same as tool ${other}'s`, subject, 'One tool = one identity: give each tool its own runtime subject (e.g. include {tool} in the template).');
    seen.set(subject, tool.name);
  }
}

function validateTool(agent: string, azure: AzureEnvironmentProps, tool: Tool, baseline: Baseline): void {
  const field = `${agent}.tools[${tool.name}].azure`;
  const az = tool.azure;
  if (!az) fail('AG_AZ_TOOL_NO_PERMISSIONS', field, 'is required for an Azure agent', undefined, 'Give the tool azure: { roles or actions/dataActions, scope }.');
  const roles = az.roles ?? [];
  const actions = az.actions ?? [];
  const dataActions = az.dataActions ?? [];
  if (roles.length === 0 && actions.length === 0 && dataActions.length === 0) {
    fail('AG_AZ_TOOL_EMPTY', field, 'must hold roles, actions or dataActions', az, 'Declare the built-in roles or the exact actions of the tool.');
  }
  validateScope(`${field}.scope`, azure, az.scope);
  for (const role of roles) validateRole(`${field}.roles`, role, tool, baseline);
  for (const [list, kind] of [[actions, 'actions'], [dataActions, 'dataActions']] as const) {
    for (const action of list) validateAction(`${field}.${kind}`, action, kind, tool, baseline);
  }
}

/** Resource or resource-group scope inside the environment's resource group; never wider. */
function validateScope(field: string, azure: AzureEnvironmentProps, scope: string): void {
  if (Token.isUnresolved(scope)) return;
  if (scope.includes('*')) fail('AG_AZ_SCOPE', field, 'must not contain wildcards', scope, 'Name the resource or resource group.');
  const rg = `/subscriptions/${azure.subscriptionId}/resourceGroups/${azure.resourceGroup}`;
  const normalised = withoutTrailingSlashes(scope).toLowerCase();
  if (normalised === '' || normalised === '/' || normalised.startsWith('/providers/microsoft.management/managementgroups') || /^\/subscriptions\/[^/]+$/.test(normalised)) {
    fail('AG_AZ_SCOPE_TOO_WIDE', field, 'must be a resource or resource-group scope, never the root, a management group or a subscription', scope, `Scope the assignment to ${rg} or a resource inside it.`);
  }
  if (!Token.isUnresolved(azure.subscriptionId) && !Token.isUnresolved(azure.resourceGroup)) {
    const rgLower = rg.toLowerCase();
    if (normalised !== rgLower && !normalised.startsWith(`${rgLower}/providers/`)) {
      fail('AG_AZ_OTHER_SCOPE', field, `must be inside the environment's resource group ${rg}`, scope, 'One environment per identity: declare a separate agent for the other environment.');
    }
  }
}

function validateRole(field: string, role: string, tool: Tool, baseline: Baseline): void {
  if (Token.isUnresolved(role)) return;
  if (role.includes('*')) fail('AG_AZ_WILDCARD', field, 'must not contain wildcards', role, 'Name the exact role.');
  const builtin = findBuiltinRole(role);
  if (!builtin && !GUID.test(role)) {
    fail('AG_AZ_UNKNOWN_ROLE', field, 'must be a known built-in role name or a role-definition GUID', role, 'Use the role\'s GUID (it is the same in every tenant), or list the exact actions for a custom role.');
  }
  const forbiddenRole = [role, ...(builtin ? [builtin.name, builtin.id] : [])].map((r) => forbiddenEntryFor(baseline.forbiddenAzureRoles, r, AZURE_ACTION_GLOB)).find((x) => x !== undefined);
  if (forbiddenRole) {
    fail('AG_AZ_FORBIDDEN_ROLE', field, `holds a role forbidden by baseline ${baseline.id} (forbidden.azure.roles: ${forbiddenRole})`, role, 'Use a narrower role or exact actions.');
  }
  // The role's actions after its NotActions, wildcards both ways (as AZ-001 judges assignments).
  const forbiddenInRole = builtin && baseline.forbiddenAzureActions.find((entry) => grantReaches(builtin, entry)
    || grantReaches({ actions: builtin.dataActions, notActions: builtin.notDataActions }, entry));
  if (forbiddenInRole) {
    fail('AG_AZ_FORBIDDEN_ACTION', field, `holds a role that grants ${forbiddenInRole}, which baseline ${baseline.id} forbids (forbidden.azure.actions)`, role,
      'Use a narrower role, or list the exact actions the tool needs.');
  }
  if (builtin && (builtin.flags.includes('privileged') || builtin.flags.includes('role-assignment') || builtin.flags.includes('identity-pivot'))) {
    fail('AG_AZ_PRIVILEGED_ROLE', field, `must not hold ${builtin.name} (privileged, role-assignment or identity-pivot role)`, role, 'Use a narrow data or reader role on one resource, or the exact actions the tool needs.');
  }
  if (tool.accessLevel === AccessLevel.READ && builtin) {
    // As the checks see it: every action a read, every data action a read; no NotActions carve-outs.
    // Azure bundles Microsoft.Support/* (support tickets) into its reader roles: accepted here, and
    // reported as a warning by AGENT-003 at synth (the same predicate decides both).
    const writes = [...builtin.actions.filter((a) => !isReadAction(a) && !isBundledReaderChannel('azure', a, builtin.name)), ...builtin.dataActions.filter((a) => !isReadDataAction(a)), ...builtin.notActions.map((a) => `NotActions ${a}`)];
    if (writes.length > 0) {
      fail('AG_AZ_READ_TOOL_MUTATES', field, `of a read tool must only read (it also grants ${writes.slice(0, 3).join(', ')})`, role, 'Use the exact …/read actions the tool needs, or make the tool write/destructive.');
    }
  }
}

function validateAction(field: string, action: string, kind: 'actions' | 'dataActions', tool: Tool, baseline: Baseline): void {
  if (Token.isUnresolved(action)) return;
  if (action.includes('*')) fail('AG_AZ_WILDCARD', field, 'must not contain wildcards', action, 'List the exact actions (wildcards also match actions added later).');
  if (!ACTION_FORMAT.test(action)) fail('AG_AZ_ACTION', field, 'must be an action like Microsoft.Provider/resource/operation', action, 'Write actions as "Microsoft.App/containerApps/read".');
  const forbiddenBy = forbiddenEntryFor(baseline.forbiddenAzureActions, action, AZURE_ACTION_GLOB);
  if (forbiddenBy) {
    fail('AG_AZ_FORBIDDEN_ACTION', field, `holds an action forbidden by baseline ${baseline.id} (forbidden.azure.actions: ${forbiddenBy})`, action, 'Remove it.');
  }
  if (isEscalationOrPivotAction(action)) {
    fail('AG_AZ_ESCALATION', field, 'must not hold an RBAC, identity-pivot, key or audit-tamper action', action, 'Agents never change role assignments, use other identities, list keys or touch diagnostic settings; remove it.');
  }
  const readOnly = kind === 'actions' ? isReadAction(action) : isReadDataAction(action);
  if (tool.accessLevel === AccessLevel.READ && !readOnly) {
    fail('AG_AZ_READ_TOOL_MUTATES', field, 'of a read tool must only read', action, 'Keep …/read actions, or make the tool write/destructive.');
  }
}
