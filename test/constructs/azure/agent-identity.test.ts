import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AgentIdentity, AgentIdentityProps } from '../../../constructs/azure';
import { GUARDRAILS_METADATA_KEY } from '../../../constructs/gcp/private/metadata';
import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { GuardrailError } from '../../../lib/errors';
import { AGENT_RULES } from '../../../lib/rules/agent';
import { AZURE_RULES } from '../../../lib/rules/azure';
import { runRules } from '../../../lib/rules/run-rules';
import { AgentTier, ChangeWindow, DECLARATION_METADATA_KEY, Environment, TAG_KEYS, Tool } from '../../../lib/model';

const SUB = '11111111-2222-3333-4444-555555555555';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prod`;
const APP = `${RG}/providers/Microsoft.App/containerApps/api`;
const ONCALL = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const prod = Environment.of({ name: 'prod', azure: { subscriptionId: SUB, resourceGroup: 'rg-prod', location: 'westeurope' } });
const window = ChangeWindow.workdays('Europe/Berlin', '09:00', '17:00');

function tools(): Tool[] {
  return [
    Tool.read('read-metrics', { azure: { roles: ['Reader'], scope: RG } }),
    Tool.destructive('restart-app', { azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/restart/action'], scope: APP }, window }),
  ];
}

function props(overrides: Partial<AgentIdentityProps> = {}): AgentIdentityProps {
  return {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment: prod,
    tools: tools(),
    runtimeIssuer: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
    runtimeSubjectTemplate: 'system:serviceaccount:agents:{agent}-{tool}',
    revocationPrincipalIds: [ONCALL],
    ...overrides,
  };
}

function synth(p: AgentIdentityProps = props()) {
  const stack = new TerraformStack(Testing.app(), 'azure');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  const agent = new AgentIdentity(stack, 'Agent', p);
  const json = JSON.parse(Testing.synth(stack, true));
  return { json, raw: stack.toTerraform(), agent };
}

const of = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});

/** Error findings of the Azure and agent rules on a synthesized stack (`stack.toTerraform()`). */
function checkErrors(raw: any): string[] {
  return runRules(inventoryFromTerraformJson(raw), [...AZURE_RULES, ...AGENT_RULES], Baseline.default())
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
}

function refuse(code: string, overrides: Partial<AgentIdentityProps>): GuardrailError {
  try {
    synth(props(overrides));
  } catch (e) {
    if (GuardrailError.isGuardrailError(e)) {
      expect(e.code).toBe(code);
      return e;
    }
    throw e;
  }
  throw new Error(`expected ${code}`);
}

describe('azure.AgentIdentity: one managed identity per tool', () => {
  const { json, raw } = synth();

  test('the Azure and agent rules find no error in what the construct creates', () => {
    expect(checkErrors(raw)).toEqual([]);
  });

  test('one user-assigned identity per tool, tagged with the agent-guardrails keys', () => {
    const ids = of(json, 'azurerm_user_assigned_identity');
    expect(ids.map((i) => i.name).sort()).toEqual(['deploy-operator-read-metrics-prod', 'deploy-operator-restart-app-prod']);
    const restart = ids.find((i) => i.name === 'deploy-operator-restart-app-prod');
    expect(restart).toMatchObject({ resource_group_name: 'rg-prod', location: 'westeurope' });
    expect(restart.tags).toEqual({
      [TAG_KEYS.agent]: 'deploy-operator', [TAG_KEYS.tool]: 'restart-app', [TAG_KEYS.tier]: 'operator',
      [TAG_KEYS.environment]: 'prod', [TAG_KEYS.component]: 'tool-identity',
    });
    for (const key of Object.keys(restart.tags)) expect(key).not.toMatch(/[<>%&\\?/]/); // Azure tag-name rules
  });

  test('the declaration sits in "//"."agent-guardrails" of each identity', () => {
    const identity = Object.values<any>(raw.resource.azurerm_user_assigned_identity).find((i) => i.name === 'deploy-operator-restart-app-prod');
    expect(identity['//'][GUARDRAILS_METADATA_KEY][DECLARATION_METADATA_KEY]).toMatchObject({
      agent: 'deploy-operator', tool: 'restart-app', accessLevel: 'destructive', requiresApproval: true, hasWindow: true,
      actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/restart/action'], resources: [APP],
    });
  });

  test('one federated credential per tool: exact issuer and subject, Entra exchange audience', () => {
    const creds = of(json, 'azurerm_federated_identity_credential');
    expect(creds.map((c) => c.subject).sort()).toEqual(['system:serviceaccount:agents:deploy-operator-read-metrics', 'system:serviceaccount:agents:deploy-operator-restart-app']);
    for (const c of creds) {
      expect(c.issuer).toBe('https://westeurope.oic.prod-aks.azure.com/tenant/cluster/');
      expect(c.audience).toEqual(['api://AzureADTokenExchange']);
      expect(c.parent_id).toMatch(/^\$\{azurerm_user_assigned_identity\..+\.id\}$/);
    }
  });

  test('built-in roles are assigned by full role-definition id from the data file', () => {
    const reader = of(json, 'azurerm_role_assignment').find((a) => a.description?.includes(': Reader'));
    expect(reader).toMatchObject({ scope: RG, principal_type: 'ServicePrincipal', role_definition_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7` });
    expect(reader.role_definition_name).toBeUndefined();
  });

  test('actions go into a per-tool custom role, assignable only in the resource group, assigned on the resource', () => {
    const def = of(json, 'azurerm_role_definition').find((d) => d.name.includes('restart-app'));
    expect(def.assignable_scopes).toEqual([RG]);
    expect(def.scope).toBe(RG);
    expect(def.permissions).toEqual([{ actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/restart/action'], data_actions: [], not_actions: [], not_data_actions: [] }]);
    const assignment = of(json, 'azurerm_role_assignment').find((a) => a.description?.endsWith('restart-app of agent deploy-operator: custom role'));
    expect(assignment.scope).toBe(APP);
    expect(assignment.role_definition_id).toMatch(/role_definition_resource_id\}$/);
  });

  test('kill switch: only credential and role-assignment deletes (+ reads), in the resource group, for the revocation principals', () => {
    const def = of(json, 'azurerm_role_definition').find((d) => d.name.endsWith('kill switch'));
    expect(def.assignable_scopes).toEqual([RG]);
    expect(def.permissions[0].actions.sort()).toEqual([
      'Microsoft.Authorization/roleAssignments/delete', 'Microsoft.Authorization/roleAssignments/read',
      'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete',
      'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read',
      'Microsoft.ManagedIdentity/userAssignedIdentities/read',
    ]);
    expect(def.permissions[0].data_actions).toEqual([]);
    const assignment = of(json, 'azurerm_role_assignment').find((a) => a.principal_id === ONCALL);
    expect(assignment).toMatchObject({ scope: RG, condition_version: '2.0' });
    expect(assignment.condition).toContain("!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})");
    expect(assignment.condition).toMatch(/@Resource\[Microsoft\.Authorization\/roleAssignments:PrincipalId\] ForAnyOfAnyValues:GuidEquals \{\$\{azurerm_user_assigned_identity\..+principal_id\}, \$\{azurerm_user_assigned_identity\..+principal_id\}\}/);
    // No agent identity holds the kill switch.
    const agentPrincipals = of(json, 'azurerm_role_assignment').filter((a) => a.role_definition_id?.includes(Object.keys(json.resource.azurerm_role_definition).find((k) => k.includes('KillSwitch'))!));
    expect(agentPrincipals.map((a) => a.principal_id)).toEqual([ONCALL]);
  });

  test('audit: the subscription activity log goes to a created Log Analytics workspace', () => {
    const [setting] = of(json, 'azurerm_monitor_diagnostic_setting');
    expect(setting.target_resource_id).toBe(`/subscriptions/${SUB}`);
    expect(setting.log_analytics_workspace_id).toMatch(/^\$\{azurerm_log_analytics_workspace\..+\.id\}$/);
    expect(setting.enabled_log.map((l: any) => l.category)).toEqual(['Administrative', 'Security', 'Policy', 'Alert']);
    const withWorkspace = synth(props({ auditWorkspaceId: `${RG}/providers/Microsoft.OperationalInsights/workspaces/central` })).json;
    expect(of(withWorkspace, 'azurerm_log_analytics_workspace')).toEqual([]);
    expect(of(withWorkspace, 'azurerm_monitor_diagnostic_setting')[0].log_analytics_workspace_id).toBe(`${RG}/providers/Microsoft.OperationalInsights/workspaces/central`);
  });

  test('exportActivityLog: false leaves the subscription\'s activity log to another agent or the platform', () => {
    const { json: j, agent } = synth(props({ exportActivityLog: false }));
    expect(of(j, 'azurerm_monitor_diagnostic_setting')).toEqual([]);
    expect(of(j, 'azurerm_log_analytics_workspace')).toEqual([]);
    expect(agent.auditSetting).toBeUndefined();
  });

  test('every resource carries agent-guardrails metadata; no client secrets', () => {
    for (const [type, resources] of Object.entries<any>(raw.resource)) {
      for (const r of Object.values<any>(resources)) expect({ type, agent: r['//']?.[GUARDRAILS_METADATA_KEY]?.[TAG_KEYS.agent] }).toEqual({ type, agent: 'deploy-operator' });
    }
    expect(Object.keys(json.resource).filter((t) => /password|secret|certificate/.test(t))).toEqual([]);
  });

  test('a role by GUID and an ABAC condition are kept', () => {
    const blob = Tool.destructive('write-reports', { // blob and container deletes: destructive in the checks' catalog
      azure: {
        roles: ['ba92f5b4-2d11-453d-a403-e96b0029c9fe'],
        scope: `${RG}/providers/Microsoft.Storage/storageAccounts/acct`,
        condition: "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'reports'",
      },
    });
    const { json: j, raw: r } = synth(props({ tools: [blob] }));
    expect(checkErrors(r)).toEqual([]);
    const [a] = of(j, 'azurerm_role_assignment').filter((x) => x.description?.includes('Storage Blob Data Contributor'));
    expect(a).toMatchObject({ condition_version: '2.0', role_definition_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe` });
  });
});

describe('azure.AgentIdentity: refuses bad input at construction', () => {
  const withRole = (role: string) => ({ tools: [Tool.write('act', { azure: { roles: [role], scope: RG } })] });

  test.each([
    ['Owner', 'AG_AZ_PRIVILEGED_ROLE'],
    ['contributor', 'AG_AZ_PRIVILEGED_ROLE'],
    ['User Access Administrator', 'AG_AZ_PRIVILEGED_ROLE'],
    ['Role Based Access Control Administrator', 'AG_AZ_PRIVILEGED_ROLE'],
    ['8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'AG_AZ_PRIVILEGED_ROLE'], // Owner by GUID
    ['b24988ac-6180-42a0-ab88-20f7382dd24c', 'AG_AZ_PRIVILEGED_ROLE'], // Contributor by GUID
    ['Managed Identity Operator', 'AG_AZ_PRIVILEGED_ROLE'],
    // Reach the caches' and the search service's keys through a wildcard (Microsoft.Cache/redis/*, redisEnterprise/*, Microsoft.Search/searchServices/*).
    ['Redis Cache Contributor', 'AG_AZ_PRIVILEGED_ROLE'],
    ['Azure Managed Redis Contributor', 'AG_AZ_PRIVILEGED_ROLE'],
    ['Search Service Contributor', 'AG_AZ_PRIVILEGED_ROLE'],
    ['Some Made Up Role', 'AG_AZ_UNKNOWN_ROLE'],
  ])('role %s → %s', (role, code) => {
    refuse(code, withRole(role));
  });

  test.each([
    ['*', 'AG_AZ_WILDCARD'],
    ['Microsoft.Storage/*', 'AG_AZ_WILDCARD'],
    ['Microsoft.Authorization/roleAssignments/write', 'AG_AZ_ESCALATION'],
    ['microsoft.authorization/roledefinitions/write', 'AG_AZ_ESCALATION'],
    ['Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write', 'AG_AZ_ESCALATION'],
    ['Microsoft.Compute/virtualMachines/runCommand/action', 'AG_AZ_ESCALATION'],
    ['Microsoft.Storage/storageAccounts/listKeys/action', 'AG_AZ_ESCALATION'],
    ['Microsoft.Insights/diagnosticSettings/delete', 'AG_AZ_ESCALATION'],
  ])('action %s → %s', (action, code) => {
    refuse(code, { tools: [Tool.write('act', { azure: { actions: [action], scope: RG } })] });
  });

  test.each([
    ['/'],
    [`/subscriptions/${SUB}`],
    ['/providers/Microsoft.Management/managementGroups/root'],
  ])('scope %s is too wide', (scope) => {
    const e = refuse('AG_AZ_SCOPE_TOO_WIDE', { tools: [Tool.read('peek', { azure: { roles: ['Reader'], scope } })] });
    expect(e.message).toContain('never the root, a management group or a subscription');
  });

  test('environment isolation: another resource group or subscription is refused', () => {
    refuse('AG_AZ_OTHER_SCOPE', { tools: [Tool.read('peek', { azure: { roles: ['Reader'], scope: `/subscriptions/${SUB}/resourceGroups/rg-dev` } })] });
    refuse('AG_AZ_OTHER_SCOPE', { tools: [Tool.read('peek', { azure: { roles: ['Reader'], scope: `/subscriptions/99999999-2222-3333-4444-555555555555/resourceGroups/rg-prod` } })] });
    // A prefix trick: rg-prod-shadow is another resource group.
    refuse('AG_AZ_OTHER_SCOPE', { tools: [Tool.read('peek', { azure: { roles: ['Reader'], scope: `${RG}-shadow` } })] });
  });

  test('federation: wildcard or shared subjects and non-https issuers are refused', () => {
    refuse('AG_AZ_SUBJECT_WILDCARD', { runtimeSubjectTemplate: 'system:serviceaccount:agents:*' });
    refuse('AG_AZ_SUBJECT_SHARED', { runtimeSubjectTemplate: 'system:serviceaccount:agents:{agent}' });
    refuse('AG_AZ_ISSUER', { runtimeIssuer: 'http://issuer.example.com' });
    refuse('AG_AZ_SUBJECTS', { runtimeSubjects: { 'read-metrics': 'a', 'restart-app': 'b' } }); // both given
    refuse('AG_AZ_SUBJECTS', { runtimeSubjectTemplate: undefined, runtimeSubjects: { 'read-metrics': 'sub-a' } });
  });

  test('tier contract: an advisor may hold proposal actions only', () => {
    const propose = Tool.write('open-ticket', { azure: { actions: ['Microsoft.Support/supportTickets/write'], scope: RG } });
    expect(() => synth(props({ tier: AgentTier.ADVISOR, tools: [tools()[0], propose] }))).not.toThrow();
    const e = refuse('AG_TIER_CONTRACT', { tier: AgentTier.ADVISOR, tools: [tools()[0], Tool.write('restart', { azure: { actions: ['Microsoft.App/containerApps/revisions/restart/action'], scope: APP } })] });
    expect(e.message).toContain('holds writes beyond proposal actions');
  });

  test('tier contract, read tools that write, and bad principal ids are refused', () => {
    refuse('AG_TIER_CONTRACT', { tier: AgentTier.OBSERVER });
    refuse('AG_AZ_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { azure: { actions: ['Microsoft.App/containerApps/write'], scope: APP } })] });
    refuse('AG_AZ_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { azure: { roles: ['Storage Blob Data Contributor'], scope: RG } })] });
    // Disguised: "reader" roles that also grant support tickets, workspace searches or NotActions carve-outs.
    refuse('AG_AZ_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { azure: { roles: ['Monitoring Reader'], scope: RG } })] });
    refuse('AG_AZ_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { azure: { roles: ['Log Analytics Reader'], scope: RG } })] });
    refuse('AG_AZ_PRINCIPAL_ID', { revocationPrincipalIds: ['oncall-group'] });
    refuse('AG_KILL_SWITCH_MEMBERS', { revocationPrincipalIds: [] });
    refuse('AG_ENV_NO_AZURE', { environment: Environment.of({ name: 'prod' }) });
  });

  test('explicit subjects per tool are used as given', () => {
    const { json } = synth(props({ runtimeSubjectTemplate: undefined, runtimeSubjects: { 'read-metrics': 'repo:acme/ops:environment:prod-metrics', 'restart-app': 'repo:acme/ops:environment:prod-restart' } }));
    expect(of(json, 'azurerm_federated_identity_credential').map((c) => c.subject).sort()).toEqual(['repo:acme/ops:environment:prod-metrics', 'repo:acme/ops:environment:prod-restart']);
  });
});

describe('azure.AgentIdentity: values that are still tokens are skipped at construction and synthesized as references', () => {
  test('token subscription, resource group, scope and principal id', () => {
    const stack = new TerraformStack(Testing.app(), 'tokens');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    const env = Environment.of({ name: 'prod', azure: { subscriptionId: v('subscription'), resourceGroup: v('rg'), location: 'westeurope' } });
    new AgentIdentity(stack, 'Agent', props({
      environment: env,
      tools: [Tool.read('read-app', { azure: { actions: ['Microsoft.App/containerApps/read'], scope: v('app') } })],
      revocationPrincipalIds: [v('oncall')],
    }));
    const json = JSON.parse(Testing.synth(stack, true));
    const def = of(json, 'azurerm_role_definition').find((d) => d.name.includes('read-app'));
    expect(def.assignable_scopes).toEqual(['/subscriptions/${var.subscription}/resourceGroups/${var.rg}']);
    const custom = of(json, 'azurerm_role_assignment').find((a) => a.description?.includes('custom role'));
    expect(custom.scope).toBe('${var.app}');
    expect(of(json, 'azurerm_role_assignment').find((a) => a.principal_id === '${var.oncall}')).toBeDefined();
  });
});
