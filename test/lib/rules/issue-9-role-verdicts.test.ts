import { AZURE_RULES } from '../../../lib/rules/azure';
import { GCP_RULES } from '../../../lib/rules/gcp';
import { withoutGcpRoleVersion } from '../../../lib/rules/gcp/private/gcp-role-knowledge';
import { Finding } from '../../../lib/rules/rule';
import { check, PROJECT, ref, RG_ID, SUBSCRIPTION, tf, TfBuilder } from '../../fixtures/tf/tf-builder';

/**
 * The cases of issue 9's first section: each gave no finding (or the wrong one). Every one now gets
 * the verdict its permissions imply. Operator tools with a window condition, so only the role decides.
 */
const WINDOW = { title: 'window', expression: 'request.time < timestamp("2027-01-01T00:00:00Z")' };
const saMember = (sa: string) => ref(`google_service_account.${sa}`, 'member');
const principal = (identity: string) => ref(`azurerm_user_assigned_identity.${identity}`, 'principal_id');

function verdict(findings: readonly Finding[]): { errors: string[]; warnings: string[] } {
  return {
    errors: [...new Set(findings.filter((f) => f.severity === 'error').map((f) => f.ruleId))].sort(),
    warnings: [...new Set(findings.filter((f) => f.severity === 'warning').map((f) => f.ruleId))].sort(),
  };
}
const gcp = (b: TfBuilder) => verdict(check(b, GCP_RULES));
const azure = (b: TfBuilder) => verdict(check(b, AZURE_RULES));

function gcpGrant(type: string, where: Record<string, unknown>, role: string, agent = true): TfBuilder {
  const b = agent ? tf().agentServiceAccount('tool') : tf().resource('google_service_account', 'tool', { account_id: 'tool', project: PROJECT });
  return b.resource(type, 'grant', { ...where, role, member: saMember('tool'), condition: [WINDOW] });
}
const atProject = (role: string, agent = true) => gcpGrant('google_project_iam_member', { project: PROJECT }, role, agent);
const atFolder = (role: string, agent = true) => gcpGrant('google_folder_iam_member', { folder: 'folders/123' }, role, agent);
const atOrganization = (role: string, agent = true) => gcpGrant('google_organization_iam_member', { org_id: '456' }, role, agent);

describe('issue 9: GCP project-level grants to a tool service account are judged', () => {
  test.each([
    ['roles/resourcemanager.projectIamAdmin', 'GCP-003'],
    ['roles/iam.securityAdmin', 'GCP-003'],
    ['roles/secretmanager.secretAccessor', 'GCP-014'],
  ])('%s at project level: an error (%s)', (role, rule) => {
    expect(gcp(atProject(role)).errors).toContain(rule);
  });
  test.each([
    ['roles/deploymentmanager.editor', 'GCP-006'],
    ['roles/serverless.serviceAgent', 'GCP-003'],
    ['roles/cloudbuild.builds.editor', 'GCP-006'],
    ['roles/dataflow.developer', 'GCP-006'],
  ])('%s at project level: an error (%s)', (role, rule) => {
    expect(gcp(atProject(role)).errors).toEqual([rule]);
  });
  test('roles/run.serviceAgent at project level: an error for the service agent role, and for the token minting and build path its IAM roles page lists (GCP-002, GCP-003, GCP-006)', () => {
    expect(gcp(atProject('roles/run.serviceAgent')).errors).toEqual(['GCP-002', 'GCP-003', 'GCP-006']);
  });
  test.each(['roles/cloudbuild.builds.editor', 'roles/dataflow.developer'])('%s (cloudbuild.builds.create, per its IAM roles page) is reported once, as the build escalation path, for any principal', (role) => {
    for (const agent of [true, false]) {
      const findings = check(atProject(role, agent), GCP_RULES);
      expect(findings.map((f) => [f.ruleId, f.severity, f.detail])).toEqual([['GCP-006', 'error', 'gcp-cloudbuild-builds-create:identity']]);
    }
  });
  test('org-level roles/storage.admin: an error', () => {
    expect(gcp(atOrganization('roles/storage.admin')).errors).toEqual(expect.arrayContaining(['GCP-003', 'GCP-009']));
  });
});

describe('issue 9: a made-up role is never passed silently (GCP-013)', () => {
  test.each([['project', atProject], ['folder', atFolder], ['organization', atOrganization]] as const)('roles/other at %s level: an error for an agent, a warning for anyone else', (_level, at) => {
    const agentFindings = check(at('roles/other'), GCP_RULES).filter((f) => f.ruleId === 'GCP-013');
    expect(agentFindings).toHaveLength(1);
    expect(agentFindings[0]).toMatchObject({ severity: 'error', detail: 'roles/other' });
    expect(agentFindings[0].message).toContain('not in the role data; run `agent-guardrails data pull`');
    const other = check(at('roles/other', false), GCP_RULES).filter((f) => f.ruleId === 'GCP-013');
    expect(other.map((f) => f.severity)).toEqual(['warning']);
  });
  test('a name that reads like an admin, editor or service agent raises a non-agent warning to an error', () => {
    for (const role of ['roles/made.upAdmin', 'roles/made.admin', 'roles/made.editor', 'roles/made.serviceAgent', 'roles/made.upAdmin.v1', 'roles/made.upAdminV2']) {
      expect(check(atProject(role, false), GCP_RULES).filter((f) => f.ruleId === 'GCP-013').map((f) => f.severity)).toEqual(['error']);
    }
  });
  test('a version suffix hides neither an admin name nor a harmless one: the base name counts', () => {
    expect(check(atProject('roles/made.viewer.v1', false), GCP_RULES).filter((f) => f.ruleId === 'GCP-013').map((f) => f.severity)).toEqual(['warning']);
    expect(check(atProject('roles/made.v2', false), GCP_RULES).filter((f) => f.ruleId === 'GCP-013').map((f) => f.severity)).toEqual(['warning']);
    expect(withoutGcpRoleVersion('roles/compute.instanceAdmin.v1')).toBe('roles/compute.instanceAdmin');
    expect(withoutGcpRoleVersion('roles/apigee.apiAdminV2')).toBe('roles/apigee.apiAdmin');
    expect(withoutGcpRoleVersion('roles/composer.ServiceAgentV2Ext')).toBe('roles/composer.ServiceAgentV2Ext');
    // Hostile input: a long run of digits is scanned once.
    expect(withoutGcpRoleVersion(`roles/x.y${'1'.repeat(100_000)}`)).toBe(`roles/x.y${'1'.repeat(100_000)}`);
  });
  test('an agent holding Compute Instance Admin (v1), even on one instance, holds an admin role (GCP-003)', () => {
    const b = tf().agentServiceAccount('tool').resource('google_compute_instance_iam_member', 'grant', {
      zone: 'europe-west1-b', instance_name: 'vm', role: 'roles/compute.instanceAdmin.v1', member: saMember('tool'), condition: [WINDOW],
    });
    expect(gcp(b).errors).toEqual(['GCP-003']);
  });
  test('the name never lowers the verdict: a harmless-sounding unknown role is still an error for an agent', () => {
    expect(check(atProject('roles/made.viewer'), GCP_RULES).filter((f) => f.ruleId === 'GCP-013').map((f) => f.severity)).toEqual(['error']);
  });
  test('a known role, a custom role of the configuration, or a role on one resource is not reported as unknown', () => {
    const b = atProject('roles/logging.logWriter')
      .resource('google_project_iam_custom_role', 'narrow', { project: PROJECT, role_id: 'narrow', title: 'n', permissions: ['storage.objects.get'] })
      .resource('google_project_iam_member', 'custom', { project: PROJECT, role: ref('google_project_iam_custom_role.narrow', 'name'), member: saMember('tool'), condition: [WINDOW] })
      .resource('google_pubsub_topic_iam_member', 'one', { topic: 't', role: 'roles/made.up', member: saMember('tool'), condition: [WINDOW] });
    expect(check(b, GCP_RULES).filter((f) => f.ruleId === 'GCP-013')).toEqual([]);
  });
  test('a custom role referenced by name but defined outside the configuration is unknown too', () => {
    const findings = check(atProject(`projects/${PROJECT}/roles/elsewhere`), GCP_RULES).filter((f) => f.ruleId === 'GCP-013');
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    expect(findings[0].message).toMatch(/custom role is not defined in the configuration/);
  });
});

describe('issue 9: scope counts — roles/viewer on one resource is a warning naming the narrower role', () => {
  test.each([
    ['google_cloud_run_service_iam_member', { location: 'europe-west1', service: 'api' }, 'roles/run.viewer'],
    ['google_cloud_run_v2_service_iam_member', { location: 'europe-west1', name: 'api' }, 'roles/run.viewer'],
    ['google_artifact_registry_repository_iam_member', { location: 'europe-west1', repository: 'images' }, 'roles/artifactregistry.reader'],
  ])('%s', (type, where, narrower) => {
    const findings = check(gcpGrant(type, where, 'roles/viewer'), GCP_RULES);
    expect(verdict(findings).errors).toEqual([]);
    const basic = findings.filter((f) => f.ruleId === 'GCP-001');
    expect(basic).toHaveLength(1);
    expect(basic[0].severity).toBe('warning');
    expect(basic[0].message).toContain(narrower);
  });
  test('roles/owner on one resource and roles/editor on a service account stay errors', () => {
    expect(gcp(gcpGrant('google_cloud_run_service_iam_member', { location: 'eu', service: 'api' }, 'roles/owner')).errors).toContain('GCP-001');
    const onSa = tf().agentServiceAccount('tool').resource('google_service_account', 'other', { account_id: 'other' })
      .resource('google_service_account_iam_member', 'grant', { service_account_id: ref('google_service_account.other', 'name'), role: 'roles/editor', member: saMember('tool') });
    expect(gcp(onSa).errors).toContain('GCP-001');
  });
  test('roles/viewer at project level is still a hard error', () => {
    const f = check(atProject('roles/viewer'), GCP_RULES).filter((x) => x.ruleId === 'GCP-001');
    expect(f[0]).toMatchObject({ severity: 'error', hard: true });
  });
});

function azureAssignment(role: string, scope: string, agent = true): TfBuilder {
  const b = agent ? tf().agentIdentity('tool') : tf().resource('azurerm_user_assigned_identity', 'tool', { name: 'tool', location: 'westeurope', resource_group_name: 'agents-prod' });
  return b.resource('azurerm_role_assignment', 'grant', { scope, role_definition_name: role, principal_id: principal('tool') });
}
const SUB = `/subscriptions/${SUBSCRIPTION}`;
const MG = '/providers/Microsoft.Management/managementGroups/platform';

describe('issue 9: Azure data-plane and pivot roles at subscription scope are errors for anyone', () => {
  test.each(['Key Vault Secrets User', 'Virtual Machine Contributor', 'Storage Blob Data Owner'])('%s at subscription scope', (role) => {
    expect(azure(azureAssignment(role, SUB)).errors).toContain('AZ-005');
    expect(azure(azureAssignment(role, SUB, false)).errors).toContain('AZ-005');
    expect(azure(azureAssignment(role, MG, false)).errors).toContain('AZ-005');
  });
  test('the same roles on the resource group pass AZ-005 for a non-agent', () => {
    expect(azure(azureAssignment('Key Vault Secrets User', RG_ID, false)).errors).toEqual([]);
  });
  test('Reader at subscription scope for a non-agent is not an AZ-005 error (no data plane)', () => {
    expect(azure(azureAssignment('Reader', SUB, false)).errors).toEqual([]);
  });
});

describe('issue 9: Azure custom roles holding listKeys or run command', () => {
  const custom = (action: string) => tf().resource('azurerm_role_definition', 'custom', {
    name: 'custom', scope: RG_ID, permissions: [{ actions: [action] }], assignable_scopes: [RG_ID],
  });
  test('a custom role holding listKeys is reported on the definition', () => {
    expect(azure(custom('Microsoft.Storage/storageAccounts/listKeys/action')).warnings).toContain('AZ-004');
  });
  test('a custom role holding run command assigned at subscription scope is an error', () => {
    const b = custom('Microsoft.Compute/virtualMachines/runCommand/action')
      .resource('azurerm_user_assigned_identity', 'ops', { name: 'ops', location: 'westeurope', resource_group_name: 'agents-prod' })
      .resource('azurerm_role_assignment', 'grant', { scope: SUB, role_definition_id: ref('azurerm_role_definition.custom', 'role_definition_resource_id'), principal_id: principal('ops') });
    expect(azure(b).errors).toContain('AZ-005');
  });
});

describe('issue 9: an Azure role the data does not know is never passed silently (AZ-008)', () => {
  test.each([['subscription', SUB], ['management group', MG]])('a made-up role at %s scope: error for an agent, warning otherwise', (_l, scope) => {
    const agent = check(azureAssignment('Made Up Reader', scope), AZURE_RULES).filter((f) => f.ruleId === 'AZ-008');
    expect(agent.map((f) => f.severity)).toEqual(['error']);
    expect(agent[0].message).toContain('not in the role data; run `agent-guardrails data pull`');
    expect(check(azureAssignment('Made Up Reader', scope, false), AZURE_RULES).filter((f) => f.ruleId === 'AZ-008').map((f) => f.severity)).toEqual(['warning']);
    expect(check(azureAssignment('Made Up Contributor', scope, false), AZURE_RULES).filter((f) => f.ruleId === 'AZ-008').map((f) => f.severity)).toEqual(['error']);
  });
  test('known roles, and unknown roles on one resource, are not reported as unknown', () => {
    expect(check(azureAssignment('Reader', SUB, false), AZURE_RULES).filter((f) => f.ruleId === 'AZ-008')).toEqual([]);
    expect(check(azureAssignment('Made Up Reader', `${RG_ID}/providers/Microsoft.Storage/storageAccounts/data`, false), AZURE_RULES).filter((f) => f.ruleId === 'AZ-008')).toEqual([]);
  });
});

describe('issue 9: Azure custom-role wildcards are judged against the privileged-action catalog (AZ-002)', () => {
  const custom = (permissions: Record<string, string[]>) => tf().resource('azurerm_role_definition', 'custom', {
    name: 'custom', scope: RG_ID, permissions: [permissions], assignable_scopes: [RG_ID],
  });
  const az002 = (permissions: Record<string, string[]>) => check(custom(permissions), AZURE_RULES).filter((f) => f.ruleId === 'AZ-002').map((f) => `${f.severity} ${f.detail}`);
  test('Microsoft.Storage/* reaches listKeys: an error naming it', () => {
    const f = check(custom({ actions: ['Microsoft.Storage/*'] }), AZURE_RULES).filter((x) => x.ruleId === 'AZ-002');
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0].message).toContain('Microsoft.Storage/storageAccounts/listKeys/action');
  });
  test('*/action reaches run command and listKeys: an error', () => {
    expect(az002({ actions: ['*/action'] })).toEqual(['error */action']);
  });
  test('Microsoft.Compute/virtualMachines/* reaches run command; Microsoft.Authorization/* reaches role-assignment writes', () => {
    expect(az002({ actions: ['Microsoft.Compute/virtualMachines/*', 'Microsoft.Authorization/*'] })).toEqual(['error Microsoft.Compute/virtualMachines/*', 'error Microsoft.Authorization/*']);
  });
  test('Microsoft.Authorization/*/read alone, and */read, are not reported', () => {
    expect(az002({ actions: ['Microsoft.Authorization/*/read', '*/read'] })).toEqual([]);
  });
  test('a wildcard that reaches nothing privileged is a warning; one whose privileged actions not_actions remove is too', () => {
    expect(az002({ actions: ['Microsoft.Insights/alertRules/*'] })).toEqual(['warning Microsoft.Insights/alertRules/*']);
    // A slot has its own publishing credentials and host keys (slots/publishxml, slots/config/list, slots/host/listkeys).
    expect(az002({ actions: ['Microsoft.Web/sites/slots/*'] })).toEqual(['error Microsoft.Web/sites/slots/*']);
    expect(az002({ actions: ['Microsoft.Storage/storageAccounts/*'], not_actions: ['Microsoft.Storage/storageAccounts/listKeys/action', 'Microsoft.Storage/storageAccounts/regenerateKey/action', 'Microsoft.Storage/storageAccounts/listAccountSas/action', 'Microsoft.Storage/storageAccounts/listServiceSas/action'] }))
      .toEqual(['warning Microsoft.Storage/storageAccounts/*']);
  });
  test('"*" stays an error, also with a few not_actions', () => {
    expect(az002({ actions: ['*'], not_actions: ['Microsoft.Authorization/*/Write'] })).toEqual(['error *']);
  });
});

describe('issue 9: azuread_application_federated_identity_credential is read like the azurerm one (AZ-006)', () => {
  const appCredential = (issuer: string, subject: string) => tf()
    .resource('azuread_application', 'app', { display_name: 'deployer' })
    .resource('azuread_application_federated_identity_credential', 'gh', {
      application_id: ref('azuread_application.app', 'id'), display_name: 'gh', audiences: ['api://AzureADTokenExchange'], issuer, subject,
    });
  test('subject "*" is an error', () => {
    expect(check(appCredential('https://token.actions.githubusercontent.com', '*'), AZURE_RULES).filter((f) => f.ruleId === 'AZ-006').map((f) => f.severity)).toEqual(['error']);
  });
  test('a wildcard issuer is an error', () => {
    expect(check(appCredential('https://*.example.com', 'repo:org/repo:environment:prod'), AZURE_RULES).filter((f) => f.ruleId === 'AZ-006')).toHaveLength(1);
  });
  test('an exact issuer and subject pass', () => {
    expect(check(appCredential('https://token.actions.githubusercontent.com', 'repo:org/repo:environment:prod'), AZURE_RULES).filter((f) => f.ruleId === 'AZ-006')).toEqual([]);
  });
});

describe('issue 9: a workload identity condition must pin a claim an outsider cannot choose (GCP-007)', () => {
  const provider = (condition: string, mapping?: Record<string, string>) => tf().resource('google_iam_workload_identity_pool_provider', 'gh', {
    workload_identity_pool_id: 'ci', workload_identity_pool_provider_id: 'gh', attribute_condition: condition,
    ...(mapping ? { attribute_mapping: mapping } : {}), oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' },
  });
  const gcp007 = (condition: string, mapping?: Record<string, string>) => check(provider(condition, mapping), GCP_RULES).filter((f) => f.ruleId === 'GCP-007').map((f) => f.detail ?? '');
  test.each([
    "assertion.sub.startsWith('workflow:')",
    'assertion.workflow == "deploy"',
    'assertion.actor == "octocat"',
    'assertion.ref == "refs/heads/main" && assertion.workflow == "deploy"',
    "assertion.sub.startsWith('repo:my-org')",
    "assertion.repository.startsWith('my-org')",
    'assertion.repository == "org/repo" || assertion.actor == "octocat"',
    'assertion.repository != "org/other"',
  ])('reported: %s', (condition) => {
    expect(gcp007(condition)).toEqual(['unpinned']);
  });
  test.each([
    'assertion.repository == "org/repo"',
    "assertion.repository_owner_id == '1234567' && assertion.workflow == 'deploy'",
    'assertion.sub == "repo:org/repo:environment:prod"',
    "assertion.sub.startsWith('repo:my-org/')",
    "assertion.repository in ['org/a', 'org/b']",
    '"org/repo" == assertion.repository',
  ])('accepted: %s', (condition) => {
    expect(gcp007(condition)).toEqual([]);
  });
  test('an attribute mapped from a pinning claim counts; one mapped from workflow does not', () => {
    expect(gcp007('attribute.repo == "org/repo"', { 'google.subject': 'assertion.sub', 'attribute.repo': 'assertion.repository' })).toEqual([]);
    expect(gcp007('attribute.wf == "deploy"', { 'google.subject': 'assertion.sub', 'attribute.wf': 'assertion.workflow' })).toEqual(['unpinned']);
  });
});

describe('issue 9: the shipped catalog cites its sources', () => {
  test('every GCP and Azure catalog entry names the documentation page it was written from', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const gcpDoc = require('../../../policies/gcp-roles.json') as { roles: Record<string, { source?: string }> };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const azureDoc = require('../../../policies/azure-builtin-roles.json') as { roles: { source?: string }[] };
    for (const r of Object.values(gcpDoc.roles)) expect(r.source).toMatch(/^https:\/\/cloud\.google\.com\/iam\/docs\//);
    // Microsoft's built-in roles pages: the RBAC category pages, or a service's own "Azure built-in roles for …" page
    // (e.g. azure-arc/vmware-vsphere/built-in-roles), which lists the same role definitions and is newer for some roles.
    for (const r of azureDoc.roles) expect(r.source).toMatch(/^https:\/\/learn\.microsoft\.com\/azure\/(role-based-access-control\/built-in-roles(\/|$)|[a-z0-9-]+(\/[a-z0-9-]+)*\/built-in-roles$)/);
  });
});
