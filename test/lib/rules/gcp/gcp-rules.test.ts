import { run as celRun } from '@bufbuild/cel';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import * as fc from 'fast-check';
import { Baseline } from '../../../../lib/baseline/baseline';
import { GCP_RULES, vacuousConditionReason } from '../../../../lib/rules/gcp';
import { check, ids, PROJECT, ref, tf, TfBuilder } from '../../../fixtures/tf/tf-builder';

const rule = (id: string) => GCP_RULES.filter((r) => r.id === id);
const member = (sa: string) => ref(`google_service_account.${sa}`, 'member');
const WINDOW = 'request.time.getHours("Europe/Berlin") >= 9 && request.time < timestamp("2027-01-01T00:00:00Z")';

function run(id: string, b: TfBuilder, baseline?: Baseline): string[] {
  return ids(check(b, rule(id), baseline));
}

test('the GCP registry holds GCP-001 … GCP-014 in order, each with metadata', () => {
  expect(GCP_RULES.map((r) => r.id)).toEqual(Array.from({ length: 14 }, (_, i) => `GCP-${String(i + 1).padStart(3, '0')}`));
  for (const r of GCP_RULES) {
    expect(r).toMatchObject({ cloud: 'gcp', reason: expect.any(String), explanation: expect.any(String), fix: expect.any(String), controls: expect.any(Array) });
  }
});

describe('GCP-001: no basic roles via member, binding or authoritative policy', () => {
  test('a narrow role on one bucket passes', () => {
    expect(run('GCP-001', tf().agentServiceAccount('reader').resource('google_storage_bucket_iam_member', 'm', { bucket: 'logs', role: 'roles/storage.objectViewer', member: member('reader') }))).toEqual([]);
  });
  test('owner as a member, editor in a binding, viewer at the organization are caught', () => {
    const b = tf().agentServiceAccount('a')
      .resource('google_project_iam_member', 'owner', { project: PROJECT, role: 'roles/owner', member: member('a') })
      .resource('google_project_iam_binding', 'editor', { project: PROJECT, role: 'roles/editor', members: ['group:dev@example.com'] })
      .resource('google_organization_iam_member', 'viewer', { org_id: '1', role: 'roles/viewer', member: 'user:x@example.com' });
    expect(run('GCP-001', b)).toEqual(['GCP-001[roles/owner]@google_project_iam_member.owner', 'GCP-001[roles/editor]@google_project_iam_binding.editor', 'GCP-001[roles/viewer]@google_organization_iam_member.viewer']);
  });
  test('disguised: owner through an authoritative policy built from data.google_iam_policy', () => {
    const b = tf().agentServiceAccount('a')
      .data('google_iam_policy', 'p', { binding: [{ role: 'roles/storage.objectViewer', members: [member('a')] }, { role: 'roles/owner', members: [member('a')] }] })
      .resource('google_project_iam_policy', 'authoritative', { project: PROJECT, policy_data: ref('data.google_iam_policy.p', 'policy_data') });
    const findings = check(b, rule('GCP-001'));
    expect(ids(findings)).toEqual(['GCP-001[roles/owner]@google_project_iam_policy.authoritative']);
    expect(findings[0]).toMatchObject({ severity: 'error', hard: true, identity: 'gcp:test/google_service_account.a' });
    expect(findings[0].message).toMatch(/basic role roles\/owner .*via iam-policy/);
  });
  test('disguised: owner via a variable default', () => {
    const b = tf().agentServiceAccount('a').variable('r', { type: 'string', default: 'roles/owner' })
      .resource('google_project_iam_member', 'm', { project: PROJECT, role: '${var.r}', member: member('a') });
    expect(run('GCP-001', b)).toEqual(['GCP-001[roles/owner]@google_project_iam_member.m']);
  });
  test('a role the baseline forbids is caught too', () => {
    const baseline = Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', forbidden: { gcp: { roles: ['roles/run.developer'] } } });
    const b = tf().agentServiceAccount('a').resource('google_project_iam_member', 'm', { project: PROJECT, role: 'roles/run.developer', member: member('a') });
    expect(run('GCP-001', b, baseline)).toEqual(['GCP-001[roles/run.developer]@google_project_iam_member.m']);
  });
});

describe('GCP-002: impersonation roles only on one named service account', () => {
  test('token creator on one service account passes', () => {
    const b = tf().agentServiceAccount('tool').resource('google_service_account', 'broker', { account_id: 'broker' })
      .resource('google_service_account_iam_member', 'tc', { service_account_id: ref('google_service_account.tool', 'name'), role: 'roles/iam.serviceAccountTokenCreator', member: member('broker') });
    expect(run('GCP-002', b)).toEqual([]);
  });
  test('token creator at project, service account user at folder, workload identity user at org are caught', () => {
    const b = tf().resource('google_service_account', 'broker', { account_id: 'broker' })
      .resource('google_project_iam_member', 'tc', { project: PROJECT, role: 'roles/iam.serviceAccountTokenCreator', member: member('broker') })
      .resource('google_folder_iam_member', 'sau', { folder: 'folders/1', role: 'roles/iam.serviceAccountUser', member: member('broker') })
      .resource('google_organization_iam_binding', 'wiu', { org_id: '1', role: 'roles/iam.workloadIdentityUser', members: ['principalSet://iam.googleapis.com/x'] });
    expect(run('GCP-002', b)).toEqual([
      'GCP-002[roles/iam.serviceAccountTokenCreator]@google_project_iam_member.tc',
      'GCP-002[roles/iam.serviceAccountUser]@google_folder_iam_member.sau',
      'GCP-002[roles/iam.workloadIdentityUser]@google_organization_iam_binding.wiu',
    ]);
  });
});

describe('GCP-003: no admin or service agent roles for agent service accounts', () => {
  test('narrow roles for agents, and admin roles for non-agent principals, pass', () => {
    const b = tf().agentServiceAccount('a')
      .resource('google_pubsub_topic_iam_member', 'pub', { topic: 't', role: 'roles/pubsub.publisher', member: member('a') })
      .resource('google_project_iam_member', 'human', { project: PROJECT, role: 'roles/storage.admin', member: 'group:platform@example.com' });
    expect(run('GCP-003', b)).toEqual([]);
  });
  test('roles/*.admin and roles/*Admin on an agent are caught, also on one resource', () => {
    const b = tf().agentServiceAccount('a')
      .resource('google_storage_bucket_iam_member', 'sa', { bucket: 'b', role: 'roles/storage.admin', member: member('a') })
      .resource('google_project_iam_member', 'sec', { project: PROJECT, role: 'roles/iam.securityAdmin', member: member('a') });
    expect(run('GCP-003', b)).toEqual(['GCP-003[roles/storage.admin]@google_storage_bucket_iam_member.sa', 'GCP-003[roles/iam.securityAdmin]@google_project_iam_member.sec']);
  });
  test('service agent roles are for Google service agents only: on an agent they are caught even where the data knows them and their permissions alone would pass', () => {
    const b = tf().agentServiceAccount('a')
      // Agent Gateway Service Agent holds one DNS permission: nothing else would report it.
      .resource('google_dns_managed_zone_iam_member', 'dns', { managed_zone: 'z', role: 'roles/agentgateway.serviceAgent', member: member('a'), condition: [{ title: 'w', expression: WINDOW }] })
      .resource('google_project_iam_member', 'run', { project: PROJECT, role: 'roles/serverless.serviceAgent', member: member('a') })
      .resource('google_project_iam_member', 'ext', { project: PROJECT, role: 'roles/composer.ServiceAgentV2Ext', member: member('a') })
      // The service agent itself holds it as Google grants it: not an agent identity, no finding.
      .resource('google_project_iam_member', 'agent', { project: PROJECT, role: 'roles/run.serviceAgent', member: 'serviceAccount:service-123@serverless-robot-prod.iam.gserviceaccount.com' });
    expect(run('GCP-003', b)).toEqual([
      'GCP-003[roles/agentgateway.serviceAgent]@google_dns_managed_zone_iam_member.dns',
      'GCP-003[roles/serverless.serviceAgent]@google_project_iam_member.run',
      'GCP-003[roles/composer.ServiceAgentV2Ext]@google_project_iam_member.ext',
    ]);
    expect(check(b, GCP_RULES).filter((f) => f.resource.endsWith('.dns')).map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['GCP-003:error']);
  });
});

describe('GCP-004: no service account keys', () => {
  test('no key, no finding', () => {
    expect(run('GCP-004', tf().agentServiceAccount('a'))).toEqual([]);
  });
  test('a google_service_account_key is a hard error naming the account', () => {
    const b = tf().agentServiceAccount('a').resource('google_service_account_key', 'k', { service_account_id: ref('google_service_account.a', 'name') });
    const findings = check(b, rule('GCP-004'));
    expect(ids(findings)).toEqual(['GCP-004@google_service_account_key.k']);
    expect(findings[0]).toMatchObject({ hard: true, identity: 'gcp:test/google_service_account.a' });
  });
});

describe('GCP-005: no default compute / App Engine service accounts', () => {
  test('a dedicated service account passes', () => {
    const b = tf().agentServiceAccount('a').resource('google_cloud_run_v2_service', 'svc', { name: 's', template: { service_account: ref('google_service_account.a', 'email') } });
    expect(run('GCP-005', b)).toEqual([]);
  });
  test('grants to and on default accounts, and workloads running as them, are caught', () => {
    const b = tf()
      .resource('google_project_iam_member', 'to', { project: PROJECT, role: 'roles/logging.viewer', member: 'serviceAccount:123456789-compute@developer.gserviceaccount.com' })
      .resource('google_service_account_iam_member', 'on', { service_account_id: `projects/${PROJECT}/serviceAccounts/${PROJECT}@appspot.gserviceaccount.com`, role: 'roles/iam.serviceAccountUser', member: 'user:x@example.com' })
      .resource('google_compute_instance', 'vm', { name: 'vm', service_account: { email: '123456789-compute@developer.gserviceaccount.com', scopes: ['cloud-platform'] } });
    expect(run('GCP-005', b)).toEqual(['GCP-005[grant-to-default]@google_project_iam_member.to', 'GCP-005[grant-on-default]@google_service_account_iam_member.on', 'GCP-005[runs-as-default]@google_compute_instance.vm']);
  });
});

describe('GCP-006: custom roles hold no escalation permissions', () => {
  /** functions.create in a custom role plus serviceAccountUser on a runtime account that reads secrets project-wide: one path split over two grants. */
  const splitPath = () => tf().agentServiceAccount('deployer').resource('google_service_account', 'runtime', { account_id: 'runtime' })
    .resource('google_project_iam_member', 'runtime_secrets', { project: PROJECT, role: 'roles/secretmanager.secretAccessor', member: member('runtime') })
    .resource('google_project_iam_custom_role', 'fn', { role_id: 'fnCreate', title: 'f', permissions: ['cloudfunctions.functions.create'] })
    .resource('google_project_iam_member', 'create', { project: PROJECT, role: ref('google_project_iam_custom_role.fn', 'id'), member: member('deployer') })
    .resource('google_service_account_iam_member', 'actas', { service_account_id: ref('google_service_account.runtime', 'name'), role: 'roles/iam.serviceAccountUser', member: member('deployer') });
  test('a narrow custom role passes', () => {
    const b = tf().resource('google_project_iam_custom_role', 'r', { role_id: 'narrow', title: 'n', permissions: ['storage.objects.get', 'storage.objects.list'] });
    expect(run('GCP-006', b)).toEqual([]);
  });
  test('setIamPolicy (by pattern), getAccessToken and the functions.create + actAs path are caught', () => {
    const b = tf()
      .resource('google_project_iam_custom_role', 'r', { role_id: 'sneaky', title: 's', permissions: ['storage.buckets.setIamPolicy', 'iam.serviceAccounts.getAccessToken'] })
      .resource('google_organization_iam_custom_role', 'fn', { org_id: '1', role_id: 'deployer', title: 'd', permissions: ['cloudfunctions.functions.create', 'iam.serviceAccounts.actAs'] });
    expect(run('GCP-006', b)).toEqual([
      'GCP-006[storage.buckets.setIamPolicy]@google_project_iam_custom_role.r',
      'GCP-006[iam.serviceAccounts.getAccessToken]@google_project_iam_custom_role.r',
      'GCP-006[iam.serviceAccounts.actAs]@google_organization_iam_custom_role.fn',
      'GCP-006[gcp-cloudfunctions-create-actas]@google_organization_iam_custom_role.fn',
    ]);
  });
  test('adding or re-mapping a workload identity pool provider (named iam.googleapis.com/workloadIdentityPoolProviders.*) is caught', () => {
    // A provider with an attacker's issuer or attribute mapping federates outside identities into every account the pool may impersonate.
    const b = tf().resource('google_project_iam_custom_role', 'wif', { role_id: 'wif', title: 'w', permissions: ['iam.googleapis.com/workloadIdentityPoolProviders.create', 'iam.googleapis.com/workloadIdentityPoolProviders.update', 'iam.googleapis.com/workloadIdentityPoolProviders.get'] });
    expect(run('GCP-006', b)).toEqual([
      'GCP-006[iam.googleapis.com/workloadIdentityPoolProviders.create]@google_project_iam_custom_role.wif',
      'GCP-006[iam.googleapis.com/workloadIdentityPoolProviders.update]@google_project_iam_custom_role.wif',
    ]);
  });
  test('a path split across grants of one identity (functions.create in a custom role + serviceAccountUser on a runtime account) is caught', () => {
    const b = splitPath();
    expect(run('GCP-006', b)).toEqual(['GCP-006[gcp-cloudfunctions-create-actas:identity]@google_service_account.deployer']);
  });
  test('acting as an account that holds no more than a workload (one secret) is the deployment, not escalation; an account not in the configuration is not known', () => {
    const base = () => tf().agentServiceAccount('deployer').resource('google_service_account', 'runtime', { account_id: 'runtime' })
      .resource('google_secret_manager_secret_iam_member', 'one', { secret_id: 'db', role: 'roles/secretmanager.secretAccessor', member: member('runtime') })
      .resource('google_project_iam_member', 'logs', { project: PROJECT, role: 'roles/logging.logWriter', member: member('runtime') })
      .resource('google_project_iam_member', 'deploy', { project: PROJECT, role: 'roles/run.developer', member: member('deployer') });
    const weak = base().resource('google_service_account_iam_member', 'actas', { service_account_id: ref('google_service_account.runtime', 'name'), role: 'roles/iam.serviceAccountUser', member: member('deployer') });
    expect(run('GCP-006', weak)).toEqual([]);
    const unknown = base().resource('google_service_account_iam_member', 'actas', { service_account_id: `projects/${PROJECT}/serviceAccounts/ci-admin@${PROJECT}.iam.gserviceaccount.com`, role: 'roles/iam.serviceAccountUser', member: member('deployer') });
    expect(run('GCP-006', unknown)).toEqual(['GCP-006[gcp-run-services-create-actas:identity]@google_service_account.deployer']);
    const chained = base().resource('google_service_account_iam_member', 'actas', { service_account_id: ref('google_service_account.runtime', 'name'), role: 'roles/iam.serviceAccountUser', member: member('deployer') })
      .resource('google_project_iam_member', 'runtime_sa_user', { project: PROJECT, role: 'roles/iam.serviceAccountTokenCreator', member: member('runtime') });
    expect(run('GCP-006', chained)).toEqual(['GCP-006[gcp-run-services-create-actas:identity]@google_service_account.deployer']);
  });
  test('a deny policy on the identity that denies actAs breaks the split path', () => {
    const b = splitPath()
      .resource('google_iam_deny_policy', 'boundary', { parent: 'x', name: 'boundary', rules: [{ deny_rule: { denied_principals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/deployer@${PROJECT}.iam.gserviceaccount.com`], denied_permissions: ['iam.googleapis.com/serviceAccounts.actAs'] } }] });
    expect(run('GCP-006', b)).toEqual([]);
  });
  test('a deny rule whose denied group excepts actAs does not break the path (the exception stays allowed)', () => {
    // Denying `serviceAccounts.*` except actAs leaves actAs allowed: the path through it still holds.
    const b = splitPath()
      .resource('google_iam_deny_policy', 'boundary', { parent: 'x', name: 'boundary', rules: [{ deny_rule: {
        denied_principals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/deployer@${PROJECT}.iam.gserviceaccount.com`],
        denied_permissions: ['iam.googleapis.com/serviceAccounts.*'], exception_permissions: ['iam.googleapis.com/serviceAccounts.actAs'] } }] });
    expect(run('GCP-006', b)).toEqual(['GCP-006[gcp-cloudfunctions-create-actas:identity]@google_service_account.deployer']);
  });
  test('a path inside one bound custom role is reported once, on the role', () => {
    const b = tf().agentServiceAccount('deployer')
      .resource('google_project_iam_custom_role', 'fn', { role_id: 'fnDeploy', title: 'f', permissions: ['run.services.create', 'iam.serviceAccounts.actAs'] })
      .resource('google_project_iam_member', 'm', { project: PROJECT, role: ref('google_project_iam_custom_role.fn', 'id'), member: member('deployer') });
    expect(run('GCP-006', b)).toEqual(['GCP-006[iam.serviceAccounts.actAs]@google_project_iam_custom_role.fn', 'GCP-006[gcp-run-services-create-actas]@google_project_iam_custom_role.fn']);
  });
  test('a permission the baseline forbids is caught on any grant', () => {
    const baseline = Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', forbidden: { gcp: { permissions: ['storage.objects.delete'] } } });
    const b = tf().agentServiceAccount('a')
      .resource('google_project_iam_custom_role', 'r', { role_id: 'cleaner', title: 'c', permissions: ['storage.objects.get', 'storage.objects.delete'] })
      .resource('google_storage_bucket_iam_member', 'm', { bucket: 'b', role: ref('google_project_iam_custom_role.r', 'id'), member: member('a') });
    expect(run('GCP-006', b, baseline)).toEqual(['GCP-006[storage.objects.delete]@google_storage_bucket_iam_member.m']);
  });

  test('a predefined role the catalog lists only in part may hold what the baseline forbids: reported, not passed (an exact security-relevant permission is decided)', () => {
    const strict = (permissions: string[]) => Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', forbidden: { gcp: { permissions } } });
    const b = tf().agentServiceAccount('a').resource('google_storage_bucket_iam_member', 'm', { bucket: 'b', role: 'roles/storage.objectUser', member: member('a') });
    expect(run('GCP-006', b, strict(['storage.objects.delete']))).toEqual(['GCP-006[roles/storage.objectUser:forbidden-unknown]@google_storage_bucket_iam_member.m']);
    // The entry lists every security-relevant permission the role holds: setIamPolicy is not among them.
    expect(run('GCP-006', b, strict(['storage.objects.setIamPolicy']))).toEqual([]);
  });
  test('an admin role the catalog judges by its flag alone (listing none of its permissions) may hold any forbidden permission: reported for every principal', () => {
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', forbidden: { gcp: { permissions: ['storage.hmacKeys.create'] } } });
    // A human group, not an agent: GCP-003 does not apply, so only the forbidden-permission check stands between it and HMAC keys.
    const b = tf().resource('google_project_iam_member', 'm', { project: PROJECT, role: 'roles/storage.admin', member: 'group:ops@example.com' });
    expect(run('GCP-006', b, strict)).toEqual(['GCP-006[roles/storage.admin:forbidden-unknown]@google_project_iam_member.m']);
  });
});

describe('GCP-007: workload identity pool providers have an attribute_condition', () => {
  const provider = (condition?: string) => tf().resource('google_iam_workload_identity_pool_provider', 'gh', {
    workload_identity_pool_id: 'ci', workload_identity_pool_provider_id: 'gh', ...(condition !== undefined ? { attribute_condition: condition } : {}),
    oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' },
  });
  test('a provider restricted to one repository passes', () => {
    expect(run('GCP-007', provider('assertion.repository == "org/repo"'))).toEqual([]);
  });
  test('missing, empty or "true" conditions are caught', () => {
    expect(run('GCP-007', provider())).toEqual(['GCP-007@google_iam_workload_identity_pool_provider.gh']);
    expect(run('GCP-007', provider(' '))).toHaveLength(1);
    expect(run('GCP-007', provider('true'))).toHaveLength(1);
  });
  test('AWS (one account), SAML (one IdP) and X.509 (one trust store) providers pin the owner themselves; an AWS provider without a literal account does not', () => {
    const other = (name: string, body: Record<string, unknown>) => tf().resource('google_iam_workload_identity_pool_provider', name, { workload_identity_pool_id: 'ci', workload_identity_pool_provider_id: name, ...body });
    expect(run('GCP-007', other('aws', { aws: { account_id: '123456789012' }, attribute_condition: "attribute.aws_role == 'arn:aws:sts::123456789012:assumed-role/ci'" }))).toEqual([]);
    expect(run('GCP-007', other('aws', { aws: [{ account_id: '123456789012' }] }))).toEqual([]);
    expect(run('GCP-007', other('saml', { saml: { idp_metadata_xml: '<EntityDescriptor/>' } }))).toEqual([]);
    expect(run('GCP-007', other('x509', { x509: { trust_store: { trust_anchors: [{ pem_certificate: 'x' }] } } }))).toEqual([]);
    expect(run('GCP-007', other('aws', { aws: { account_id: '' } }))).toEqual(['GCP-007@google_iam_workload_identity_pool_provider.aws']);
    expect(run('GCP-007', other('aws', { aws: { account_id: '${var.account}' } }).variable('account', { type: 'string', default: '123456789012' }))).toEqual([]);
    expect(run('GCP-007', other('aws', { aws: { account_id: '${var.account}' } }).variable('account', { type: 'string' }))).toEqual(['GCP-007@google_iam_workload_identity_pool_provider.aws']);
  });
  test('a parenthesised group pins when each of its alternatives does; one open alternative inside it is caught', () => {
    expect(run('GCP-007', provider("(assertion.repository == 'org/a' || assertion.repository == 'org/b') && assertion.ref == 'refs/heads/main'"))).toEqual([]);
    expect(run('GCP-007', provider("(assertion.repository == 'org/a' || assertion.workflow == 'deploy') && assertion.ref == 'refs/heads/main'")))
      .toEqual(['GCP-007[unpinned]@google_iam_workload_identity_pool_provider.gh']);
    expect(run('GCP-007', provider("((assertion.workflow == 'a' || (assertion.actor == 'b' && assertion.ref == 'c')))"))).toHaveLength(1);
  });
});

describe('GCP-008: no allUsers / allAuthenticatedUsers', () => {
  test('named members pass', () => {
    expect(run('GCP-008', tf().resource('google_storage_bucket_iam_member', 'm', { bucket: 'b', role: 'roles/storage.objectViewer', member: 'group:x@example.com' }))).toEqual([]);
  });
  test('allUsers in a member and allAuthenticatedUsers in a binding are caught', () => {
    const b = tf()
      .resource('google_storage_bucket_iam_member', 'pub', { bucket: 'b', role: 'roles/storage.objectViewer', member: 'allUsers' })
      .resource('google_pubsub_topic_iam_binding', 'auth', { topic: 't', role: 'roles/pubsub.publisher', members: ['group:x@example.com', 'allAuthenticatedUsers'] });
    expect(run('GCP-008', b)).toEqual(['GCP-008[allUsers]@google_storage_bucket_iam_member.pub', 'GCP-008[allAuthenticatedUsers]@google_pubsub_topic_iam_binding.auth']);
  });
  test('disguised: public through legacy Cloud Storage ACLs', () => {
    const b = tf()
      .resource('google_storage_bucket_access_control', 'acl', { bucket: 'b', role: 'READER', entity: 'allUsers' })
      .resource('google_storage_bucket_acl', 'acls', { bucket: 'b', role_entity: ['OWNER:project-owners-1', 'READER:allAuthenticatedUsers'] })
      .resource('google_storage_default_object_access_control', 'ok', { bucket: 'b', role: 'READER', entity: 'group-ops@example.com' });
    expect(run('GCP-008', b)).toEqual(['GCP-008[allUsers]@google_storage_bucket_access_control.acl', 'GCP-008[allAuthenticatedUsers]@google_storage_bucket_acl.acls']);
  });
});

describe('GCP-009: no organization or folder grants to agent identities', () => {
  test('project and resource grants to agents pass; org grants to humans are not this rule', () => {
    const b = tf().agentServiceAccount('a')
      .resource('google_project_iam_member', 'p', { project: PROJECT, role: 'roles/logging.logWriter', member: member('a') })
      .resource('google_organization_iam_member', 'h', { org_id: '1', role: 'roles/browser', member: 'group:x@example.com' });
    expect(run('GCP-009', b)).toEqual([]);
  });
  test('organization and folder grants to an agent are caught', () => {
    const b = tf().agentServiceAccount('a')
      .resource('google_organization_iam_member', 'o', { org_id: '1', role: 'roles/browser', member: member('a') })
      .resource('google_folder_iam_binding', 'f', { folder: '2', role: 'roles/logging.viewer', members: [member('a')] });
    expect(run('GCP-009', b)).toEqual(['GCP-009[roles/browser]@google_organization_iam_member.o', 'GCP-009[roles/logging.viewer]@google_folder_iam_binding.f']);
  });
});

describe('GCP-010: conditions that narrow nothing do not count as narrowing', () => {
  const grant = (expression: string) => tf().agentServiceAccount('a')
    .resource('google_project_iam_member', 'm', { project: PROJECT, role: 'roles/storage.objectViewer', member: member('a'), condition: { title: 'c', expression } });
  test('a condition naming one bucket (as the constructs write it), or bounding time only, passes', () => {
    expect(run('GCP-010', grant('(resource.name == "projects/_/buckets/logs" || resource.name.startsWith("projects/_/buckets/logs/")) && ' + WINDOW))).toEqual([]);
    expect(run('GCP-010', grant('request.time < timestamp("2027-01-01T00:00:00Z")'))).toEqual([]);
  });
  test('on a grant bound to one bucket a condition that narrows nothing within it is a warning (the grant reaches that bucket only)', () => {
    const b = tf().agentServiceAccount('a').resource('google_storage_bucket_iam_member', 'b', {
      bucket: 'logs', role: 'roles/storage.objectViewer', member: member('a'),
      condition: { title: 'prefix', expression: 'resource.name.startsWith("projects/_/buckets/logs/objects/app/") || api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("app/")' },
    });
    expect(check(b, rule('GCP-010')).map((f) => [f.detail, f.severity])).toEqual([['roles/storage.objectViewer', 'warning']]);
  });
  test('a prefix without a "/" boundary is a warning: it also matches look-alike buckets', () => {
    const findings = check(grant('resource.name.startsWith("projects/_/buckets/logs")'), rule('GCP-010'));
    expect(findings.map((f) => [f.detail, f.severity])).toEqual([['lookalike:roles/storage.objectViewer', 'warning']]);
  });
  test.each([
    ['every bucket', 'resource.name.startsWith("projects/_/buckets/")'],
    ['every bucket, hidden behind a time bound', `resource.name.startsWith("projects/_/buckets/") && ${WINDOW}`],
    ['empty prefix', 'resource.name.startsWith("")'],
    ['the whole project', `resource.name.startsWith("projects/${PROJECT}/")`],
    ['always true', 'true'],
    ['an alternative that is always true', 'resource.name == "projects/_/buckets/logs" || true'],
    ['an alternative bounded by time only', 'resource.name == "projects/_/buckets/logs" || request.time < timestamp("2027-01-01T00:00:00Z")'],
  ])('%s is caught', (_what, expression) => {
    expect(run('GCP-010', grant(expression))).toEqual(['GCP-010[roles/storage.objectViewer]@google_project_iam_member.m']);
  });
});

describe('GCP-011: operator bindings carry a request.time condition; observer bindings are get/list only', () => {
  test('an operator write with a window condition, and operator telemetry/read roles without one, pass', () => {
    const b = tf().agentServiceAccount('op', 'operator')
      .resource('google_pubsub_topic_iam_member', 'pub', { topic: 't', role: 'roles/pubsub.publisher', member: member('op'), condition: { title: 'w', expression: WINDOW } })
      .resource('google_project_iam_member', 'log', { project: PROJECT, role: 'roles/logging.logWriter', member: member('op') })
      .resource('google_project_iam_member', 'jobs', { project: PROJECT, role: 'roles/bigquery.jobUser', member: member('op') })
      .resource('google_storage_bucket_iam_member', 'read', { bucket: 'b', role: 'roles/storage.objectViewer', member: member('op') });
    expect(run('GCP-011', b)).toEqual([]);
  });
  test('disguised: time conditions every instant passes, or a start time alone, do not count', () => {
    for (const expression of ['request.time.getHours("Europe/Berlin") >= 0', 'request.time.getDayOfWeek("UTC") <= 6 && request.time.getHours("UTC") < 24', 'request.time > timestamp("2020-01-01T00:00:00Z")']) {
      const b = tf().agentServiceAccount('op', 'operator')
        .resource('google_pubsub_topic_iam_member', 'pub', { topic: 't', role: 'roles/pubsub.publisher', member: member('op'), condition: { title: 'w', expression } });
      expect(run('GCP-011', b)).toEqual(['GCP-011[roles/pubsub.publisher]@google_pubsub_topic_iam_member.pub']);
    }
  });
  test('an operator write without a time condition is caught', () => {
    const b = tf().agentServiceAccount('op', 'operator')
      .resource('google_pubsub_topic_iam_member', 'pub', { topic: 't', role: 'roles/pubsub.publisher', member: member('op') });
    expect(run('GCP-011', b)).toEqual(['GCP-011[roles/pubsub.publisher]@google_pubsub_topic_iam_member.pub']);
  });
  test('observer viewer roles, narrow get/list custom roles and the metric writer pass', () => {
    const b = tf().agentServiceAccount('obs', 'observer')
      .resource('google_project_iam_custom_role', 'r', { role_id: 'getlist', title: 'g', permissions: ['storage.objects.get', 'storage.objects.list'] })
      .resource('google_storage_bucket_iam_member', 'custom', { bucket: 'b', role: ref('google_project_iam_custom_role.r', 'id'), member: member('obs') })
      .resource('google_storage_bucket_iam_member', 'objects', { bucket: 'b', role: 'roles/storage.objectViewer', member: member('obs') })
      .resource('google_project_iam_member', 'metrics', { project: PROJECT, role: 'roles/monitoring.metricWriter', member: member('obs') });
    expect(run('GCP-011', b)).toEqual([]);
  });
  test('observer writes (also hidden in a viewer role), and roles whose permissions are not known, are caught', () => {
    const b = tf().agentServiceAccount('obs', 'observer')
      .resource('google_pubsub_topic_iam_member', 'pub', { topic: 't', role: 'roles/pubsub.publisher', member: member('obs') })
      .resource('google_project_iam_member', 'logs', { project: PROJECT, role: 'roles/logging.viewer', member: member('obs') })
      .resource('google_project_iam_member', 'unknown', { project: PROJECT, role: 'roles/compute.instanceAdmin.v1', member: member('obs') });
    const findings = check(b, rule('GCP-011'));
    expect(ids(findings)).toEqual(['GCP-011[roles/pubsub.publisher]@google_pubsub_topic_iam_member.pub', 'GCP-011[roles/logging.viewer]@google_project_iam_member.logs', 'GCP-011[roles/compute.instanceAdmin.v1]@google_project_iam_member.unknown']);
    expect(findings[1].message).toMatch(/roles\/logging\.viewer.*not known to be get\/list only/);
  });
});

describe('GCP-012: unresolvable IAM values are reported (fail closed)', () => {
  test('literal and defaulted values pass', () => {
    const b = tf().agentServiceAccount('a').variable('r', { default: 'roles/logging.viewer' })
      .resource('google_project_iam_member', 'm', { project: PROJECT, role: '${var.r}', member: member('a') });
    expect(run('GCP-012', b)).toEqual([]);
  });
  test('a member from a variable without default and a role from a function are caught', () => {
    const b = tf().agentServiceAccount('a').variable('who', { type: 'string' })
      .resource('google_project_iam_member', 'v', { project: PROJECT, role: 'roles/logging.viewer', member: '${var.who}' })
      .resource('google_project_iam_member', 'f', { project: PROJECT, role: '${join("", ["roles/", "owner"])}', member: member('a') });
    expect(run('GCP-012', b)).toEqual(['GCP-012[member]@google_project_iam_member.v', 'GCP-012[role]@google_project_iam_member.f']);
  });
  test('a module call: an error only when handed an agent identity, else a warning the baseline switch makes an error', () => {
    const b = tf().agentServiceAccount('a')
      .module('iam', { source: 'terraform-google-modules/iam/google//modules/projects_iam', version: '8.0.0', projects: [PROJECT], bindings: { 'roles/owner': [member('a')] } })
      .module('net', { source: 'terraform-google-modules/network/google', version: '9.1.0', network_name: 'vpc' });
    const severities = (baseline?: Baseline) => check(b, rule('GCP-012'), baseline).map((f) => `${f.resource}:${f.severity}`);
    // The attack: a module handed the agent can bind it roles/owner where the checks cannot see.
    expect(severities()).toEqual(['module.iam:error', 'module.net:warning']);
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', terraform: { unresolvedReferences: 'error' } });
    expect(severities(strict)).toEqual(['module.iam:error', 'module.net:error']);
    // The AWS switch is about templates, not Terraform: it leaves module calls as they are.
    const awsOnly = Baseline.fromObject({ id: 'aws-only', version: '1.0.0', extends: 'agent-guardrails', aws: { unresolvedReferences: 'error' } });
    expect(severities(awsOnly)).toEqual(['module.iam:error', 'module.net:warning']);
  });
});

describe('GCP precision: least-privilege configurations pass every GCP rule', () => {
  test('narrow roles on one resource, project telemetry, BigQuery job user, narrow custom roles, window-bound operator writes', () => {
    const b = tf().agentServiceAccount('obs', 'observer').agentServiceAccount('op', 'operator')
      .resource('google_service_account', 'broker', { account_id: 'broker' }, { 'agent-guardrails:agent': 'support', 'agent-guardrails:component': 'broker' })
      .resource('google_storage_bucket_iam_member', 'read', { bucket: 'logs', role: 'roles/storage.objectViewer', member: member('obs') })
      .resource('google_project_iam_member', 'logw', { project: PROJECT, role: 'roles/logging.logWriter', member: member('obs') })
      .resource('google_project_iam_member', 'metw', { project: PROJECT, role: 'roles/monitoring.metricWriter', member: member('op') })
      .resource('google_project_iam_member', 'jobs', { project: PROJECT, role: 'roles/bigquery.jobUser', member: member('op') })
      .resource('google_project_iam_custom_role', 'publish', { role_id: 'publishOnly', title: 'p', permissions: ['pubsub.topics.publish'] })
      .resource('google_pubsub_topic_iam_member', 'pub', { topic: 'events', role: ref('google_project_iam_custom_role.publish', 'id'), member: member('op'), condition: { title: 'w', expression: WINDOW } })
      .resource('google_service_account_iam_member', 'tc', { service_account_id: ref('google_service_account.op', 'name'), role: 'roles/iam.serviceAccountTokenCreator', member: member('broker'), condition: { title: 'w', expression: WINDOW } });
    expect(ids(check(b, GCP_RULES))).toEqual([]);
  });
});

describe('GCP-010 proven with a CEL evaluator (@bufbuild/cel)', () => {
  const at = new Date('2026-06-01T10:00:00Z');
  const celTrue = (expression: string, resourceName: string) => celRun(expression, { request: { time: timestampFromDate(at) }, resource: { name: resourceName } }) === true;
  const EXPIRY = 'request.time < timestamp("2027-01-01T00:00:00Z")';
  const vacuous = [
    'resource.name.startsWith("projects/_/buckets/")',
    `resource.name.startsWith("projects/_/buckets/") && ${EXPIRY}`,
    'resource.name.startsWith("")',
    'resource.name == "projects/_/buckets/logs" || true',
  ];
  test.each(vacuous)('%s lets an attacker bucket through, and the rule reports it', (expression) => {
    expect(celTrue(expression, 'projects/_/buckets/attacker-exfil')).toBe(true);
    expect(vacuousConditionReason(expression)).toBeDefined();
  });
  test('the construct-style condition admits the bucket and its objects, not a look-alike bucket, and the rule accepts it', () => {
    const expression = `(resource.name == "projects/_/buckets/logs" || resource.name.startsWith("projects/_/buckets/logs/")) && ${EXPIRY}`;
    expect(celTrue(expression, 'projects/_/buckets/logs/objects/a.txt')).toBe(true);
    expect(celTrue(expression, 'projects/_/buckets/logs-archive')).toBe(false);
    expect(celTrue(expression, 'projects/_/buckets/attacker-exfil')).toBe(false);
    expect(vacuousConditionReason(expression)).toBeUndefined();
  });
});

describe('GCP-010: the condition analysis never accepts a condition that lets another bucket through (fast-check + CEL)', () => {
  const at = new Date('2026-06-01T10:00:00Z');
  const atoms = fc.constantFrom(
    'resource.name == "projects/_/buckets/logs"',
    'resource.name.startsWith("projects/_/buckets/logs/")',
    'resource.name.startsWith("projects/_/buckets/")',
    'resource.name.startsWith("projects/")',
    'resource.name.startsWith("")',
    '!resource.name.startsWith("projects/_/buckets/secrets/")',
    'true',
    'request.time < timestamp("2099-01-01T00:00:00Z")',
  );
  const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, atoms, fc.tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`)),
  })).e;
  test('accepted conditions that name a resource reject an attacker bucket', () => {
    fc.assert(fc.property(expr, (e) => {
      const namesResource = e.includes('resource.name');
      if (!namesResource || vacuousConditionReason(e) !== undefined) return true;
      const admitted = celRun(e, { request: { time: timestampFromDate(at) }, resource: { name: 'projects/_/buckets/attacker-exfil' } });
      return admitted === false;
    }), { numRuns: 3000 });
  });
});
