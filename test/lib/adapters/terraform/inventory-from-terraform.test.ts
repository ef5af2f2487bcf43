import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inventoryFromCdktfOut, inventoryFromTerraformFile, inventoryFromTerraformJson, isTerraformInput } from '../../../../lib/adapters/terraform';
import { GuardrailError } from '../../../../lib/errors';
import { inventoryOf, PROJECT, ref, RG_ID, tf } from '../../../fixtures/tf/tf-builder';

const SA_EMAIL = `reader@${PROJECT}.iam.gserviceaccount.com`;

describe('Terraform adapter: GCP', () => {
  test('a labelled service account becomes an agent identity with its labels and declaration', () => {
    const b = tf().resource('google_service_account', 'reader', { account_id: 'reader' }, {
      'agent-guardrails:agent': 'support', 'agent-guardrails:tool': 'read-logs', 'agent-guardrails:tier': 'observer',
      'agent-guardrails:environment': 'prod', 'agent-guardrails:component': 'tool-identity',
      'agent-guardrails:declaration': { agent: 'support', tool: 'read-logs', tier: 'observer', environment: 'prod', accessLevel: 'read', actions: ['roles/logging.viewer'], resources: [`projects/${PROJECT}`], dataSources: [], requiresApproval: false, hasWindow: false },
    });
    const [identity] = inventoryOf(b).identities;
    expect(identity).toMatchObject({
      id: 'gcp:test/google_service_account.reader', kind: 'gcp-service-account', name: 'reader', isAgent: true,
      labels: { agent: 'support', tool: 'read-logs', tier: 'observer', environment: 'prod', component: 'tool-identity' },
      declaration: { tool: 'read-logs', actions: ['roles/logging.viewer'] },
      source: { resource: 'google_service_account.reader', stack: 'test', path: 'test/reader' },
    });
  });

  test('members written as a reference, an email or `.member` all reach the service account', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_project_iam_member', 'by_ref', { project: PROJECT, role: 'roles/logging.viewer', member: `serviceAccount:${ref('google_service_account.reader', 'email')}` })
      .resource('google_project_iam_member', 'by_member', { project: PROJECT, role: 'roles/logging.viewer', member: ref('google_service_account.reader', 'member') })
      .resource('google_project_iam_member', 'by_email', { project: PROJECT, role: 'roles/logging.viewer', member: `serviceAccount:${SA_EMAIL}` });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => g.identityId)).toEqual(Array(3).fill('gcp:test/google_service_account.reader'));
    expect(inv.grants[0]).toMatchObject({ principal: `serviceAccount:${SA_EMAIL}`, role: 'roles/logging.viewer', resources: [`projects/${PROJECT}`], scopeLevel: 'project', via: 'iam-member' });
    expect(inv.grants[0].actions).toEqual([]); // Logs Viewer holds no security-relevant permission, the only ones the catalog lists for it
    expect(inv.unresolved).toEqual([]);
  });

  test('bindings, authoritative policies and data.google_iam_policy yield one grant per member', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_storage_bucket_iam_binding', 'bind', { bucket: 'logs', role: 'roles/storage.objectViewer', members: [ref('google_service_account.reader', 'member'), 'group:ops@example.com'] })
      .data('google_iam_policy', 'owners', { binding: [{ role: 'roles/owner', members: [ref('google_service_account.reader', 'member')], condition: { title: 't', expression: 'true' } }] })
      .resource('google_project_iam_policy', 'authoritative', { project: PROJECT, policy_data: ref('data.google_iam_policy.owners', 'policy_data') })
      .resource('google_folder_iam_policy', 'literal', { folder: 'folders/42', policy_data: JSON.stringify({ bindings: [{ role: 'roles/editor', members: ['user:a@example.com'] }] }) });
    const grants = inventoryOf(b).grants;
    expect(grants.map((g) => [g.via, g.role, g.principal, g.resources[0], g.scopeLevel])).toEqual([
      ['iam-binding', 'roles/storage.objectViewer', `serviceAccount:${SA_EMAIL}`, 'projects/_/buckets/logs', 'resource'],
      ['iam-binding', 'roles/storage.objectViewer', 'group:ops@example.com', 'projects/_/buckets/logs', 'resource'],
      ['iam-policy', 'roles/owner', `serviceAccount:${SA_EMAIL}`, `projects/${PROJECT}`, 'project'],
      ['iam-policy', 'roles/editor', 'user:a@example.com', 'folders/42', 'folder'],
    ]);
    expect(grants[2].condition).toBe('true');
  });

  test('resource-level grants are named like GCP resource names, meta-arguments aside; labels of the grant are kept', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_cloud_run_v2_service_iam_member', 'run', { depends_on: ['google_service_account.reader'], location: 'europe-west1', name: 'checkout', project: PROJECT, role: 'roles/run.invoker', member: ref('google_service_account.reader', 'member') })
      .resource('google_service_account_iam_member', 'broker', { service_account_id: ref('google_service_account.reader', 'name'), role: 'roles/iam.serviceAccountTokenCreator', member: 'serviceAccount:agent-broker@other.iam.gserviceaccount.com' }, { 'agent-guardrails:agent': 'support', 'agent-guardrails:component': 'broker' })
      .resource('google_artifact_registry_repository_iam_member', 'repo', { location: 'eu', repository: 'images', role: 'roles/artifactregistry.reader', member: ref('google_service_account.reader', 'member'), count: 1 });
    const grants = inventoryOf(b).grants;
    expect(grants.map((g) => g.resources[0])).toEqual([
      `projects/${PROJECT}/locations/europe-west1/services/checkout`,
      `projects/${PROJECT}/serviceAccounts/${SA_EMAIL}`,
      `projects/${PROJECT}/locations/eu/repositories/images`,
    ]);
    expect(grants[1].labels).toEqual({ agent: 'support', component: 'broker' });
    expect(grants[0].labels).toBeUndefined();
  });

  test('organization and folder grants carry their level', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_organization_iam_member', 'org', { org_id: '123', role: 'roles/browser', member: ref('google_service_account.reader', 'member') })
      .resource('google_folder_iam_member', 'folder', { folder: '456', role: 'roles/browser', member: ref('google_service_account.reader', 'member') });
    expect(inventoryOf(b).grants.map((g) => [g.scopeLevel, g.resources[0]])).toEqual([['organization', 'organizations/123'], ['folder', 'folders/456']]);
  });

  test('custom roles are expanded into the grant and attached to the identity', () => {
    const b = tf().agentServiceAccount('writer')
      .resource('google_project_iam_custom_role', 'tool_role', { role_id: 'toolRole', title: 't', permissions: ['pubsub.topics.publish'] })
      .resource('google_pubsub_topic_iam_member', 'publish', { topic: 'events', role: ref('google_project_iam_custom_role.tool_role', 'id'), member: ref('google_service_account.writer', 'member') });
    const inv = inventoryOf(b);
    expect(inv.grants[0]).toMatchObject({ role: `projects/${PROJECT}/roles/toolRole`, actions: ['pubsub.topics.publish'], resources: [`projects/${PROJECT}/topics/events`] });
    expect(inv.policies[0]).toMatchObject({ kind: 'gcp-custom-role', permissions: ['pubsub.topics.publish'], attachedTo: ['gcp:test/google_service_account.writer'] });
  });

  test('keys, workload identity providers and deny policies are read', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_service_account_key', 'key', { service_account_id: ref('google_service_account.reader', 'name') })
      .resource('google_iam_workload_identity_pool', 'pool', { workload_identity_pool_id: 'ci' })
      .resource('google_iam_workload_identity_pool_provider', 'gh', { workload_identity_pool_id: ref('google_iam_workload_identity_pool.pool', 'workload_identity_pool_id'), workload_identity_pool_provider_id: 'gh', attribute_condition: 'assertion.repository == "org/repo"', oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' } })
      .resource('google_service_account_iam_member', 'wif', { service_account_id: ref('google_service_account.reader', 'name'), role: 'roles/iam.workloadIdentityUser', member: 'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/ci/attribute.repository/org/repo' })
      .resource('google_iam_deny_policy', 'deny', { parent: 'x', name: 'agent-deny', rules: [{ deny_rule: { denied_principals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${SA_EMAIL}`], denied_permissions: ['iam.googleapis.com/roles.update'] } }] });
    const inv = inventoryOf(b);
    const sa = inv.identities[0];
    expect(sa.longLivedKeys.map((k) => k.resource)).toEqual(['google_service_account_key.key']);
    expect(sa.federations).toEqual([expect.objectContaining({ issuer: 'https://token.actions.githubusercontent.com', attributeCondition: 'assertion.repository == "org/repo"' })]);
    expect(inv.policies.find((p) => p.kind === 'gcp-deny-policy')).toMatchObject({ attachedTo: [sa.id], statements: [{ effect: 'Deny', actions: ['iam.roles.update'] }] });
    expect(inv.grants.find((g) => g.role === 'roles/iam.workloadIdentityUser')).toMatchObject({ scopeLevel: 'resource', resources: [`projects/${PROJECT}/serviceAccounts/${SA_EMAIL}`] });
    expect(inv.others.map((o) => o.type)).toEqual(expect.arrayContaining(['google_service_account_key', 'google_iam_workload_identity_pool_provider', 'google_iam_deny_policy']));
  });

  test('a principalSet member written with ${pool.name} reaches its pool\'s providers, however the provider names the pool; other pools\' do not', () => {
    const provider = (name: string, pool: string, condition: string) => ({ workload_identity_pool_id: pool, workload_identity_pool_provider_id: name, attribute_condition: condition, oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' } });
    const b = tf().agentServiceAccount('reader')
      .resource('google_iam_workload_identity_pool', 'gh', { workload_identity_pool_id: 'github' })
      .resource('google_iam_workload_identity_pool', 'other', { workload_identity_pool_id: 'other' })
      .resource('google_iam_workload_identity_pool_provider', 'by_attr', provider('a', ref('google_iam_workload_identity_pool.gh', 'workload_identity_pool_id'), "assertion.sub.startsWith('repo:acme')"))
      .resource('google_iam_workload_identity_pool_provider', 'by_id', provider('b', ref('google_iam_workload_identity_pool.gh', 'id'), 'assertion.repository == "acme/infra"'))
      .resource('google_iam_workload_identity_pool_provider', 'literal', provider('c', 'github', 'assertion.repository_owner_id == "42"'))
      .resource('google_iam_workload_identity_pool_provider', 'elsewhere', provider('d', ref('google_iam_workload_identity_pool.other', 'workload_identity_pool_id'), 'true'))
      .resource('google_service_account_iam_member', 'wif', { service_account_id: ref('google_service_account.reader', 'name'), role: 'roles/iam.workloadIdentityUser', member: `principalSet://iam.googleapis.com/${ref('google_iam_workload_identity_pool.gh', 'name')}/attribute.repository/acme/infra` });
    const [sa] = inventoryOf(b).identities;
    // The unpinned provider's condition now reaches the agent's identity (the agent rules judge who may become it).
    expect(sa.federations.map((f) => [f.source.resource, f.attributeCondition])).toEqual([
      ['google_iam_workload_identity_pool_provider.by_attr', "assertion.sub.startsWith('repo:acme')"],
      ['google_iam_workload_identity_pool_provider.by_id', 'assertion.repository == "acme/infra"'],
      ['google_iam_workload_identity_pool_provider.literal', 'assertion.repository_owner_id == "42"'],
    ]);
  });

  test('BigQuery dataset access entries are grants on the dataset: legacy roles as their dataset roles, each member field as its IAM member', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_bigquery_dataset', 'ds', { dataset_id: 'orders', access: [
        { role: 'READER', user_by_email: ref('google_service_account.reader', 'email') },
        { role: 'OWNER', special_group: 'projectOwners' },
        { role: 'roles/bigquery.dataEditor', group_by_email: 'etl@example.com' },
        { view: { project_id: PROJECT, dataset_id: 'reports', table_id: 'v' } },
      ] })
      .resource('google_bigquery_dataset_access', 'pub', { dataset_id: ref('google_bigquery_dataset.ds', 'dataset_id'), role: 'WRITER', special_group: 'allAuthenticatedUsers' })
      .variable('who', { type: 'string' })
      .resource('google_bigquery_dataset_access', 'unknown', { dataset_id: 'orders', role: 'READER', iam_member: '${var.who}' });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => [g.source.resource, g.role, g.principal, g.identityId, g.resources[0], g.scopeLevel])).toEqual([
      ['google_bigquery_dataset.ds', 'roles/bigquery.dataViewer', `serviceAccount:${SA_EMAIL}`, 'gcp:test/google_service_account.reader', `projects/${PROJECT}/datasets/orders`, 'resource'],
      ['google_bigquery_dataset.ds', 'roles/bigquery.dataOwner', `projectOwner:${PROJECT}`, undefined, `projects/${PROJECT}/datasets/orders`, 'resource'],
      ['google_bigquery_dataset.ds', 'roles/bigquery.dataEditor', 'group:etl@example.com', undefined, `projects/${PROJECT}/datasets/orders`, 'resource'],
      ['google_bigquery_dataset_access.pub', 'roles/bigquery.dataEditor', 'allAuthenticatedUsers', undefined, `projects/${PROJECT}/datasets/orders`, 'resource'],
      ['google_bigquery_dataset_access.unknown', 'roles/bigquery.dataViewer', '${var.who}', undefined, `projects/${PROJECT}/datasets/orders`, 'resource'],
    ]);
    // A member not known offline could be allUsers: reported, never assumed safe.
    expect(inv.unresolved.map((u) => u.what.split(' ')[0])).toEqual(['google_bigquery_dataset_access.unknown.iam_member']);
  });

  test('a deny rule applies to its denied principals minus its exception principals', () => {
    const principal = (email: string) => `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;
    const b = tf().agentServiceAccount('reader').agentServiceAccount('deployer')
      .resource('google_iam_deny_policy', 'deny', { parent: 'x', name: 'agent-deny', rules: [
        { deny_rule: { denied_principals: [principal(SA_EMAIL), principal(`deployer@${PROJECT}.iam.gserviceaccount.com`)], denied_permissions: ['iam.googleapis.com/roles.update'] } },
        { deny_rule: { denied_principals: [principal(SA_EMAIL), principal(`deployer@${PROJECT}.iam.gserviceaccount.com`)], denied_permissions: ['iam.googleapis.com/serviceAccounts.actAs'], exception_principals: [principal(`deployer@${PROJECT}.iam.gserviceaccount.com`)] } },
      ] });
    const inv = inventoryOf(b);
    const [reader, deployer] = ['reader', 'deployer'].map((n) => inv.identities.find((i) => i.name === n)!.id);
    const deny = inv.policies.filter((p) => p.kind === 'gcp-deny-policy');
    expect(deny).toEqual([
      expect.objectContaining({ attachedTo: [reader, deployer], statements: [{ effect: 'Deny', actions: ['iam.roles.update'] }] }),
      expect.objectContaining({ attachedTo: [reader], statements: [{ effect: 'Deny', actions: ['iam.serviceAccounts.actAs'] }] }),
    ]);
  });

  test('a deny rule\'s exception permissions are read under both names (IAM\'s pool and OAuth-client permissions keep their prefix)', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_iam_deny_policy', 'deny', { parent: 'x', name: 'agent-deny', rules: [{ deny_rule: {
        denied_principals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${SA_EMAIL}`],
        denied_permissions: ['iam.googleapis.com/*'], exception_permissions: ['iam.googleapis.com/workloadIdentityPoolProviders.create', 'iam.googleapis.com/roles.get'] } }] });
    const deny = inventoryOf(b).policies.find((p) => p.kind === 'gcp-deny-policy')!;
    expect(deny.statements).toEqual([{ effect: 'Deny', actions: ['iam.*'], notActions: [
      'iam.workloadIdentityPoolProviders.create', 'iam.googleapis.com/workloadIdentityPoolProviders.create', 'iam.roles.get', 'iam.googleapis.com/roles.get',
    ] }]);
  });

  test('a deny principal written as an email names the first account, in file order, whose name and "@" begin it', () => {
    const principal = (email: string) => `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;
    const deny = (b: ReturnType<typeof tf>) => inventoryOf(b.resource('google_iam_deny_policy', 'deny', { parent: 'x', name: 'agent-deny', rules: [
      { deny_rule: { denied_principals: [principal(`a@b@${PROJECT}.iam.gserviceaccount.com`), principal(`c@${PROJECT}.iam.gserviceaccount.com`), principal('nobody')], denied_permissions: ['iam.googleapis.com/roles.update'] } },
    ] }));
    const account = (b: ReturnType<typeof tf>, name: string, accountId: string) => b.resource('google_service_account', name, { account_id: accountId });
    // Names holding "@" are no valid account ids, but input: both kinds compete in file order.
    const atFirst = deny(account(account(account(tf(), 'x', 'a@b'), 'y', 'a'), 'z', 'c'));
    expect(atFirst.policies.find((p) => p.kind === 'gcp-deny-policy')!.attachedTo).toEqual(['gcp:test/google_service_account.x', 'gcp:test/google_service_account.z']);
    const plainFirst = deny(account(account(tf(), 'y', 'a'), 'x', 'a@b'));
    expect(plainFirst.policies.find((p) => p.kind === 'gcp-deny-policy')!.attachedTo).toEqual(['gcp:test/google_service_account.y']);
  });

  test('a key names its account by reference or by full email, never by a suffix of another name', () => {
    const b = tf().agentServiceAccount('tool').agentServiceAccount('read_tool')
      .resource('google_service_account_key', 'by_email', { service_account_id: `projects/${PROJECT}/serviceAccounts/read-tool@${PROJECT}.iam.gserviceaccount.com` });
    const [tool, readTool] = inventoryOf(b).identities;
    expect([tool.longLivedKeys.length, readTool.longLivedKeys.length]).toEqual([0, 1]);
  });

  test('variables with defaults resolve; without default, functions and outside references are unresolved (fail closed)', () => {
    const b = tf().agentServiceAccount('reader')
      .variable('role', { type: 'string', default: 'roles/logging.viewer' })
      .variable('who', { type: 'string' })
      .resource('google_project_iam_member', 'defaulted', { project: PROJECT, role: '${var.role}', member: ref('google_service_account.reader', 'member') })
      .resource('google_project_iam_member', 'no_default', { project: PROJECT, role: 'roles/logging.viewer', member: '${var.who}' })
      .resource('google_project_iam_member', 'fn', { project: PROJECT, role: '${lower("ROLES/OWNER")}', member: ref('google_service_account.reader', 'member') })
      .resource('google_project_iam_member', 'outside', { project: PROJECT, role: 'roles/logging.viewer', member: ref('google_service_account.elsewhere', 'member') });
    const inv = inventoryOf(b);
    expect(inv.grants[0].role).toBe('roles/logging.viewer');
    expect(inv.unresolved.map((u) => u.what)).toEqual([
      'google_project_iam_member.no_default.member uses variable who, which has no default',
      'google_project_iam_member.fn.role uses the expression ${lower("ROLES/OWNER")}, which cannot be evaluated offline',
      'google_project_iam_member.outside.member references google_service_account.elsewhere, which is not in this configuration',
    ]);
  });
});

describe('Terraform adapter: Azure', () => {
  test('a tagged user-assigned identity is an agent identity; its federated credentials attach to it', () => {
    const b = tf().agentIdentity('reader', 'observer')
      .resource('azurerm_federated_identity_credential', 'fic', { name: 'gh', parent_id: ref('azurerm_user_assigned_identity.reader', 'id'), issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:org/repo:environment:prod', audience: ['api://AzureADTokenExchange'] });
    const [identity] = inventoryOf(b).identities;
    expect(identity).toMatchObject({ kind: 'azure-user-assigned-identity', name: 'reader', isAgent: true, labels: { tier: 'observer', environment: 'prod' } });
    expect(identity.federations).toEqual([expect.objectContaining({ issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:org/repo:environment:prod', audiences: ['api://AzureADTokenExchange'] })]);
  });

  test('role assignments by name, by GUID and by custom definition; scope levels from literal ids and references', () => {
    const b = tf().agentIdentity('tool')
      .resource('azurerm_resource_group', 'rg', { name: 'agents-prod', location: 'westeurope' })
      .resource('azurerm_storage_account', 'sa', { name: 'data', resource_group_name: ref('azurerm_resource_group.rg', 'name') })
      .resource('azurerm_role_definition', 'custom', { name: 'tool-role', scope: RG_ID, permissions: [{ actions: ['Microsoft.Storage/storageAccounts/read'], not_actions: [], data_actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'] }], assignable_scopes: [RG_ID] })
      .resource('azurerm_role_assignment', 'by_name', { scope: ref('azurerm_resource_group.rg', 'id'), role_definition_name: 'Reader', principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') })
      .resource('azurerm_role_assignment', 'by_guid', { scope: ref('azurerm_storage_account.sa', 'id'), role_definition_id: `/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635`, principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') })
      .resource('azurerm_role_assignment', 'custom', { scope: '/subscriptions/x', role_definition_id: ref('azurerm_role_definition.custom', 'role_definition_resource_id'), principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') })
      .resource('azurerm_role_assignment', 'mg', { scope: '/providers/Microsoft.Management/managementGroups/root-mg', role_definition_name: 'Reader', principal_id: 'aaaa' })
      .resource('azurerm_role_assignment', 'root', { scope: '/', role_definition_name: 'Reader', principal_id: 'aaaa' });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => [g.role, g.scopeLevel, g.identityId ?? g.principal])).toEqual([
      ['Reader', 'resource-group', 'azure:test/azurerm_user_assigned_identity.tool'],
      ['Owner', 'resource', 'azure:test/azurerm_user_assigned_identity.tool'],
      ['tool-role', 'subscription', 'azure:test/azurerm_user_assigned_identity.tool'],
      ['Reader', 'management-group', 'aaaa'],
      ['Reader', 'root', 'aaaa'],
    ]);
    expect(inv.grants[2].actions).toEqual(['Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read']);
    expect(inv.policies[0]).toMatchObject({ kind: 'azure-role-definition', assignableScopes: [RG_ID], attachedTo: ['azure:test/azurerm_user_assigned_identity.tool'] });
    expect(inv.unresolved).toEqual([]);
  });

  test('the id of a resource whose parent is named, not referenced by id (azurerm 3 storage_account_name), is a resource scope', () => {
    const b = tf().agentIdentity('tool')
      .resource('azurerm_storage_container', 'raw', { name: 'raw', storage_account_name: 'acmedata' })
      .resource('azurerm_role_assignment', 'ra', { scope: ref('azurerm_storage_container.raw', 'resource_manager_id'), role_definition_name: 'Storage Blob Data Reader', principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') });
    const inv = inventoryOf(b);
    expect(inv.grants[0].scopeLevel).toBe('resource');
    expect(inv.unresolved).toEqual([]);
  });

  test('a scope that is a variable without default is unresolved and has no level', () => {
    const b = tf().agentIdentity('tool').variable('scope', { type: 'string' })
      .resource('azurerm_role_assignment', 'ra', { scope: '${var.scope}', role_definition_name: 'Reader', principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') });
    const inv = inventoryOf(b);
    expect(inv.grants[0].scopeLevel).toBeUndefined();
    expect(inv.unresolved.map((u) => u.what)).toEqual(['azurerm_role_assignment.ra.scope uses variable scope, which has no default']);
  });
});

describe('Terraform adapter: files and folders', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tf-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads a cdktf.out folder through its manifest, one stack per file', () => {
    const doc = tf().agentServiceAccount('reader').build();
    fs.mkdirSync(path.join(dir, 'stacks', 'gcp-prod'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'stacks', 'gcp-prod', 'cdk.tf.json'), JSON.stringify(doc));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { 'gcp-prod': { name: 'gcp-prod', synthesizedStackPath: 'stacks/gcp-prod/cdk.tf.json' } } }));
    expect(isTerraformInput(dir)).toBe(true);
    const inv = inventoryFromCdktfOut(dir);
    expect(inv.identities[0].id).toBe('gcp:gcp-prod/google_service_account.reader');
    expect(inv.identities[0].source).toMatchObject({ stack: 'gcp-prod', file: path.join(dir, 'stacks', 'gcp-prod', 'cdk.tf.json') });
  });

  test('a CDK cloud assembly is not a Terraform input; bad files are clear errors', () => {
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '43.0.0', artifacts: {} }));
    expect(isTerraformInput(dir)).toBe(false);
    expect(isTerraformInput('x/cdk.tf.json')).toBe(true);
    const bad = path.join(dir, 'cdk.tf.json');
    fs.writeFileSync(bad, '{ not json');
    expect(() => inventoryFromTerraformFile(bad)).toThrow(/AG_TF_UNREADABLE/);
    expect(() => inventoryFromTerraformJson([])).toThrow(GuardrailError);
  });
});

describe('Terraform adapter: Azure role lookups', () => {
  test('a built-in role looked up through data.azurerm_role_definition is that role; unknown GUIDs are unresolved', () => {
    const b = tf().agentIdentity('tool')
      .data('azurerm_role_definition', 'owner', { name: 'Owner', scope: RG_ID })
      .resource('azurerm_role_assignment', 'via_data', { scope: RG_ID, role_definition_id: ref('data.azurerm_role_definition.owner', 'id'), principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') })
      .resource('azurerm_role_assignment', 'unknown', { scope: RG_ID, role_definition_id: '/providers/Microsoft.Authorization/roleDefinitions/00000000-1111-2222-3333-444444444444', principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id') });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => g.role)).toEqual(['Owner', '/providers/Microsoft.Authorization/roleDefinitions/00000000-1111-2222-3333-444444444444']);
    expect(inv.unresolved.map((u) => u.what)).toEqual([expect.stringMatching(/^azurerm_role_assignment\.unknown\.role_definition_id is .*not in policies\/azure-builtin-roles\.json/)]);
  });
});

describe('Terraform adapter: Key Vault access policies', () => {
  test('separate and inline access policies become grants of the equivalent RBAC data actions on the vault', () => {
    const b = tf().agentIdentity('tool')
      .resource('azurerm_key_vault', 'kv', { name: 'kv', resource_group_name: 'agents-prod', access_policy: [{ tenant_id: 't', object_id: 'someone-else', key_permissions: ['Get', 'UnwrapKey'] }] })
      .resource('azurerm_key_vault_access_policy', 'tool', { key_vault_id: ref('azurerm_key_vault.kv', 'id'), tenant_id: 't', object_id: ref('azurerm_user_assigned_identity.tool', 'principal_id'), secret_permissions: ['Get', 'List'] });
    const grants = inventoryOf(b).grants;
    expect(grants.map((g) => [g.identityId ?? g.principal, g.actions, g.resources[0], g.scopeLevel])).toEqual([
      ['someone-else', ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/unwrap/action'], '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/agents-prod/providers/azurerm_key_vault/kv', 'resource'],
      ['azure:test/azurerm_user_assigned_identity.tool', ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'], '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/agents-prod/providers/azurerm_key_vault/kv', 'resource'],
    ]);
  });
});

describe('Terraform adapter: modules', () => {
  const withModules = (b: ReturnType<typeof tf>, module: Record<string, unknown>) => inventoryFromTerraformJson({ ...b.build(), module });
  const judged = (inv: ReturnType<typeof inventoryFromTerraformJson>) => inv.unresolved.map((u) => [u.cloud, u.source.resource, u.severity ?? 'error', u.what.split(' ')[0]]);

  test('a module call handed nothing identity- or IAM-related is a warning for the clouds it may touch (its grants are elsewhere)', () => {
    // A registry version pin makes it no safer: its content is still unseen.
    const inv = withModules(tf(), { net: { source: 'terraform-google-modules/network/google', version: '9.1.0', network_name: 'vpc', project_id: PROJECT } });
    expect(judged(inv)).toEqual([['gcp', 'module.net', 'warning', 'module.net.source']]);
  });

  test('a module whose cloud nothing names (a local source, no provider at the root) is reported on both clouds, never on none', () => {
    // The module may configure its own provider and grant anything there: a configuration of only such calls must not pass unseen.
    const inv = inventoryFromTerraformJson({ module: { iam: { source: './modules/iam', project: PROJECT } } });
    expect(judged(inv)).toEqual([['gcp', 'module.iam', 'warning', 'module.iam.source'], ['azure', 'module.iam', 'warning', 'module.iam.source']]);
  });

  test('handed an agent service account (by reference, through a local, by email, or through a for_each splat) it is an error', () => {
    const b = tf().agentServiceAccount('reader')
      .resource('google_service_account', 'nodes', { account_id: 'gke-nodes', project: PROJECT })
      .local('accounts', { reader: `serviceAccount:${ref('google_service_account.reader', 'email')}` });
    const inv = withModules(b, {
      direct: { source: './modules/iam', roles: ['roles/logging.viewer'], member: ref('google_service_account.reader', 'member') },
      via_local: { source: './modules/iam', members: '${values(local.accounts)}' },
      by_email: { source: 'git::https://example.com/iam.git?ref=v1', sa: `reader@${PROJECT}.iam.gserviceaccount.com` },
      not_agent: { source: 'terraform-google-modules/kubernetes-engine/google', service_account: ref('google_service_account.nodes', 'email') },
      iam_only: { source: 'terraform-google-modules/iam/google//modules/projects_iam', bindings: { 'roles/viewer': ['group:ops@example.com'] } },
    });
    expect(judged(inv)).toEqual([
      ['gcp', 'module.direct', 'error', 'module.direct.member'],
      ['gcp', 'module.via_local', 'error', 'module.via_local.members'],
      ['gcp', 'module.by_email', 'error', 'module.by_email.sa'],
      ['gcp', 'module.not_agent', 'warning', 'module.not_agent.service_account'],
      ['gcp', 'module.iam_only', 'warning', 'module.iam_only.bindings'],
    ]);
    expect(inv.unresolved[0].what).toContain('google_service_account.reader (an agent identity)');
  });

  test('Azure: an agent identity\'s principal id handed to a module is an error; a role input without one is a warning', () => {
    const b = tf().agentIdentity('tool').resource('azurerm_user_assigned_identity', 'app', { name: 'app', location: 'westeurope', resource_group_name: 'agents-prod' });
    const inv = withModules(b, {
      rbac: { source: 'Azure/avm-res-authorization-roleassignment/azurerm', role_assignments: { a: { principal_id: ref('azurerm_user_assigned_identity.tool', 'principal_id'), role_definition_name: 'Reader' } } },
      app: { source: 'Azure/avm-res-web-site/azurerm', managed_identities: { user_assigned_resource_ids: [ref('azurerm_user_assigned_identity.app', 'id')] } },
      roles: { source: './rbac', role_definition_name: 'Reader', scope: RG_ID },
    });
    expect(judged(inv)).toEqual([
      ['azure', 'module.rbac', 'error', 'module.rbac.role_assignments'],
      ['azure', 'module.app', 'warning', 'module.app.managed_identities'],
      // A local source names no cloud: both of the configuration's providers.
      ['gcp', 'module.roles', 'warning', 'module.roles.role_definition_name'],
      ['azure', 'module.roles', 'warning', 'module.roles.role_definition_name'],
    ]);
  });

  test('a grant to a module\'s output: a warning when the member\'s kind is written and can be neither public nor ours; else an error', () => {
    const sa = { source: 'terraform-google-modules/service-accounts/google', version: '4.4.0', project_id: PROJECT, names: ['orders'] };
    const b = tf()
      .resource('google_project_iam_member', 'typed', { project: PROJECT, role: 'roles/logging.logWriter', member: 'serviceAccount:${module.sa.email}' })
      .resource('google_project_iam_binding', 'typed_list', { project: PROJECT, role: 'roles/logging.logWriter', members: ['group:${module.sa.group}', 'principalSet://iam.googleapis.com/${module.pool.name}/*'] })
      // The attacks: a whole member (could be allUsers), a domain, the public principal set, a variable mixed in.
      .resource('google_project_iam_member', 'whole', { project: PROJECT, role: 'roles/storage.objectViewer', member: '${module.sa.iam_email}' })
      .resource('google_project_iam_member', 'domain', { project: PROJECT, role: 'roles/storage.objectViewer', member: 'domain:${module.sa.domain}' })
      .resource('google_project_iam_member', 'public_set', { project: PROJECT, role: 'roles/storage.objectViewer', member: 'principalSet://goog/${module.sa.public}' })
      .variable('suffix', { type: 'string' })
      .resource('google_project_iam_member', 'mixed', { project: PROJECT, role: 'roles/logging.logWriter', member: 'serviceAccount:${module.sa.email}${var.suffix}' })
      .resource('azurerm_role_assignment', 'principal', { scope: RG_ID, role_definition_name: 'Reader', principal_id: '${module.id.principal_id}' })
      .resource('azurerm_role_assignment', 'scope', { scope: '${module.rg.resource_id}', role_definition_name: 'Reader', principal_id: '00000000-0000-0000-0000-000000000001' });
    const inv = withModules(b, { sa, pool: { source: './pool' }, id: { source: 'Azure/avm-res-managedidentity-userassignedidentity/azurerm' }, rg: { source: 'Azure/avm-res-resources-resourcegroup/azurerm' } });
    expect(judged(inv).filter(([, r]) => !r.startsWith('module.'))).toEqual([
      ['gcp', 'google_project_iam_member.typed', 'warning', 'google_project_iam_member.typed.member'],
      ['gcp', 'google_project_iam_member.whole', 'error', 'google_project_iam_member.whole.member'],
      ['gcp', 'google_project_iam_member.domain', 'error', 'google_project_iam_member.domain.member'],
      ['gcp', 'google_project_iam_member.public_set', 'error', 'google_project_iam_member.public_set.member'],
      ['gcp', 'google_project_iam_member.mixed', 'error', 'google_project_iam_member.mixed.member'],
      ['gcp', 'google_project_iam_binding.typed_list', 'warning', 'google_project_iam_binding.typed_list.members'],
      ['gcp', 'google_project_iam_binding.typed_list', 'warning', 'google_project_iam_binding.typed_list.members'],
      ['azure', 'azurerm_role_assignment.principal', 'warning', 'azurerm_role_assignment.principal.principal_id'],
      // A scope from a module could be the subscription or "/": its level is unknown, an error.
      ['azure', 'azurerm_role_assignment.scope', 'error', 'azurerm_role_assignment.scope.scope'],
    ]);
    expect(inv.unresolved[0].what).toContain('uses an output of module.sa');
  });

  test('inputs past the walk budget fail closed (an error), in bounded time', () => {
    const big = Array.from({ length: 60_000 }, (_, i) => `v${i}`);
    const inv = withModules(tf(), { a: { source: './a', list: big }, b: { source: './b', list: big } });
    expect(judged(inv)).toEqual([
      ['gcp', 'module.a', 'warning', 'module.a.source'], ['azure', 'module.a', 'warning', 'module.a.source'],
      ['gcp', 'module.b', 'error', 'module.b.source'], ['azure', 'module.b', 'error', 'module.b.source'],
    ]);
  });
});

describe('Terraform adapter: for_each', () => {
  const member = `serviceAccount:${ref('google_service_account.reader', 'email')}`;
  const roles = (b: ReturnType<typeof tf>) => inventoryOf(b).grants.map((g) => [g.source.resource, g.role, g.identityId]);

  test('one grant per element of a literal set, a variable\'s default or a local, addressed as Terraform does', () => {
    const b = tf().agentServiceAccount('reader')
      .variable('roles', { type: 'set(string)', default: ['roles/monitoring.viewer'] })
      .resource('google_project_iam_member', 'lit', { for_each: '${toset(["roles/logging.logWriter", "roles/logging.logWriter", "roles/editor"])}', project: PROJECT, role: '${each.value}', member })
      .resource('google_project_iam_member', 'var', { for_each: '${toset(var.roles)}', project: PROJECT, role: '${each.key}', member });
    const inv = inventoryOf(b);
    expect(roles(b)).toEqual([
      ['google_project_iam_member.lit["roles/logging.logWriter"]', 'roles/logging.logWriter', 'gcp:test/google_service_account.reader'],
      ['google_project_iam_member.lit["roles/editor"]', 'roles/editor', 'gcp:test/google_service_account.reader'],
      ['google_project_iam_member.var["roles/monitoring.viewer"]', 'roles/monitoring.viewer', 'gcp:test/google_service_account.reader'],
    ]);
    expect(inv.unresolved).toEqual([]);
  });

  test('a map: each.key, each.value and each.value.<attribute> of an object element', () => {
    const b = tf().agentServiceAccount('reader').local('grants', { logs: { role: 'roles/logging.viewer' }, owner: { role: 'roles/owner' } });
    b.resource('google_project_iam_member', 'm', { for_each: '${local.grants}', project: PROJECT, role: '${each.value.role}', member });
    b.resource('google_project_iam_member', 'q', { for_each: '${local.grants}', project: PROJECT, role: '${each.value["role"]}', member });
    expect(roles(b).map((r) => [r[0], r[1]])).toEqual([
      ['google_project_iam_member.m["logs"]', 'roles/logging.viewer'], ['google_project_iam_member.m["owner"]', 'roles/owner'],
      ['google_project_iam_member.q["logs"]', 'roles/logging.viewer'], ['google_project_iam_member.q["owner"]', 'roles/owner'],
    ]);
  });

  test('a collection not known offline leaves the block as written: each.value is reported, never assumed safe', () => {
    const b = tf().agentServiceAccount('reader').variable('roles', { type: 'set(string)' })
      .resource('google_project_iam_member', 'm', { for_each: '${var.roles}', project: PROJECT, role: '${each.value}', member })
      .resource('google_project_iam_member', 'f', { for_each: '${{ for r in ["roles/owner"] : r => r }}', project: PROJECT, role: '${each.value}', member });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => g.source.resource)).toEqual(['google_project_iam_member.m', 'google_project_iam_member.f']);
    expect(inv.unresolved.map((u) => u.what)).toEqual([
      'google_project_iam_member.m.role uses the expression ${each.value}, which cannot be evaluated offline',
      'google_project_iam_member.f.role uses the expression ${each.value}, which cannot be evaluated offline',
    ]);
  });

  test('hostile: nested conversions and huge collections stay bounded and fail closed', () => {
    const deep = `\${${'toset('.repeat(5000)}["roles/owner"]${')'.repeat(5000)}}`;
    const many = `\${toset(${JSON.stringify(Array.from({ length: 10_001 }, (_, i) => `roles/r${i}`))})}`;
    const b = tf().agentServiceAccount('reader')
      .resource('google_project_iam_member', 'deep', { for_each: deep, project: PROJECT, role: '${each.value}', member })
      .resource('google_project_iam_member', 'many', { for_each: many, project: PROJECT, role: '${each.value}', member });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => g.source.resource)).toEqual(['google_project_iam_member.deep', 'google_project_iam_member.many']);
    expect(inv.unresolved).toHaveLength(2);
  });

  test('hostile: a large body times many keys is not copied past the budget; the block stays as written and is reported', () => {
    const keys = `\${toset(${JSON.stringify(Array.from({ length: 5_000 }, (_, i) => `roles/r${i}`))})}`;
    const padding = Array.from({ length: 1_000 }, (_, i) => `label-${i}`);
    const b = tf().agentServiceAccount('reader')
      .resource('google_project_iam_member', 'wide', { for_each: keys, project: PROJECT, role: '${each.value}', member, padding })
      .resource('google_project_iam_member', 'after', { for_each: '${toset(["roles/owner"])}', project: PROJECT, role: '${each.value}', member });
    const inv = inventoryOf(b);
    // 5,000 copies of a 1,000-value body exceed the copy budget: neither block is expanded, both roles are reported.
    expect(inv.grants.map((g) => g.source.resource)).toEqual(['google_project_iam_member.wide', 'google_project_iam_member.after']);
    expect(inv.unresolved).toHaveLength(2);
  });
});

describe('Terraform adapter: count, instance references and dynamic blocks', () => {
  test('count: one grant per index; local.x[count.index] resolves; instances are referenced as type.name["key"]', () => {
    const b = tf().local('roles', ['roles/logging.logWriter', 'roles/editor']).local('accounts', ['api', 'worker'])
      .resource('google_service_account', 'sa', { for_each: '${toset(local.accounts)}', account_id: '${each.key}' })
      .resource('google_project_iam_member', 'r', { count: '${length(local.roles)}', project: PROJECT, role: '${local.roles[count.index]}', member: `serviceAccount:\${google_service_account.sa["api"].email}` })
      .resource('google_project_iam_member', 'each', { for_each: '${toset(local.accounts)}', project: PROJECT, role: 'roles/logging.logWriter', member: 'serviceAccount:${google_service_account.sa[each.key].email}' });
    const inv = inventoryOf(b);
    expect(inv.unresolved).toEqual([]);
    expect(inv.grants.map((g) => [g.source.resource, g.role, g.identityId])).toEqual([
      ['google_project_iam_member.r[0]', 'roles/logging.logWriter', 'gcp:test/google_service_account.sa["api"]'],
      ['google_project_iam_member.r[1]', 'roles/editor', 'gcp:test/google_service_account.sa["api"]'],
      ['google_project_iam_member.each["api"]', 'roles/logging.logWriter', 'gcp:test/google_service_account.sa["api"]'],
      ['google_project_iam_member.each["worker"]', 'roles/logging.logWriter', 'gcp:test/google_service_account.sa["worker"]'],
    ]);
  });

  test('dynamic blocks are made from a known collection (iterator named by the label or `iterator`) and reported when it is not known', () => {
    const b = tf().variable('extra', { type: 'map(string)' })
      .data('google_iam_policy', 'p', {
        binding: [{ role: 'roles/logging.viewer', members: ['group:a@example.com'] }],
        dynamic: { binding: { for_each: { 'roles/owner': 'group:b@example.com' }, iterator: 'b', content: { role: '${b.key}', members: ['${b.value}'] } } },
      })
      .resource('google_project_iam_policy', 'p', { project: PROJECT, policy_data: ref('data.google_iam_policy.p', 'policy_data') })
      .data('google_iam_policy', 'q', { dynamic: [{ binding: { for_each: '${var.extra}', content: { role: '${binding.key}', members: ['${binding.value}'] } } }] })
      .resource('google_project_iam_policy', 'q', { project: PROJECT, policy_data: ref('data.google_iam_policy.q', 'policy_data') });
    const inv = inventoryOf(b);
    expect(inv.grants.map((g) => [g.source.resource, g.role, g.principal])).toEqual([
      ['google_project_iam_policy.p', 'roles/logging.viewer', 'group:a@example.com'],
      ['google_project_iam_policy.p', 'roles/owner', 'group:b@example.com'],
    ]);
    expect(inv.unresolved.map((u) => u.what)).toEqual([
      'data.google_iam_policy.q.dynamic.binding.for_each is a collection not known offline, so the nested blocks it makes (and what they grant) cannot be read',
    ]);
  });
});
