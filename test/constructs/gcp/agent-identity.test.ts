import { AgentIdentity } from '../../../constructs/gcp';
import { GUARDRAILS_METADATA_KEY } from '../../../constructs/gcp/private/metadata';
import { GuardrailError } from '../../../lib/errors';
import { AgentTier, ChangeWindow, DECLARATION_METADATA_KEY, Environment, TAG_KEYS, Tool } from '../../../lib/model';
import { windowExpression } from '../../../constructs/gcp/private/window-condition';
import { API_RUNTIME, baseProps, checkErrors, evaluate, PROJECT, readLogs, resourcesOf, restartService, synthGcp, WINDOW } from './gcp-fixtures';

const SA_READ = `deploy-operator-read-logs@${PROJECT}.iam.gserviceaccount.com`;

function thrown(fn: () => unknown): GuardrailError {
  try {
    fn();
  } catch (e) {
    if (GuardrailError.isGuardrailError(e)) return e;
    throw e;
  }
  throw new Error('expected a GuardrailError');
}

describe('gcp.AgentIdentity: one service account per tool', () => {
  const { json, raw, agent } = synthGcp();

  test('the GCP and agent rules find no error in what the construct creates', () => {
    expect(checkErrors(raw)).toEqual([]);
  });

  test('creates one service account per tool with a parseable description', () => {
    const accounts = resourcesOf(json, 'google_service_account');
    expect(accounts.map((a) => a.account_id).sort()).toEqual([AgentIdentity.accountIdFor('deploy-operator', 'restart-service'), 'deploy-operator-read-logs'].sort());
    for (const a of accounts) {
      expect(a.account_id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
      expect(a.description).toMatch(/^agent-guardrails agent=deploy-operator tool=[a-z-]+ tier=operator environment=prod$/);
    }
    expect(agent.emailFor('read-logs')).toBe(SA_READ);
  });

  test('long names are shortened with a hash, deterministically and uniquely', () => {
    const a = AgentIdentity.accountIdFor('deploy-operator', 'restart-service');
    const b = AgentIdentity.accountIdFor('deploy-operator', 'restart-services');
    expect(a).toHaveLength(30);
    expect(a).toBe(AgentIdentity.accountIdFor('deploy-operator', 'restart-service'));
    expect(a).not.toBe(b);
  });

  test('tags and the declaration sit in "//"."agent-guardrails" of the service account', () => {
    const sa = Object.values<any>(raw.resource.google_service_account).find((s) => s.account_id === 'deploy-operator-read-logs');
    const meta = sa['//'][GUARDRAILS_METADATA_KEY];
    expect(meta[TAG_KEYS.agent]).toBe('deploy-operator');
    expect(meta[TAG_KEYS.tool]).toBe('read-logs');
    expect(meta[TAG_KEYS.tier]).toBe('operator');
    expect(meta[TAG_KEYS.environment]).toBe('prod');
    expect(meta[TAG_KEYS.component]).toBe('tool-identity');
    expect(meta[DECLARATION_METADATA_KEY]).toEqual({
      agent: 'deploy-operator', tool: 'read-logs', tier: 'operator', environment: 'prod', accessLevel: 'read',
      actions: ['logging.logEntries.list', 'logging.logs.list'], resources: [`projects/${PROJECT}`], dataSources: [], requiresApproval: false, hasWindow: false,
      placement: { gcp: { project: PROJECT } },
    });
  });

  test('every resource carries agent-guardrails metadata', () => {
    for (const [type, resources] of Object.entries<any>(raw.resource)) {
      for (const r of Object.values<any>(resources)) {
        expect({ type, agent: r['//']?.[GUARDRAILS_METADATA_KEY]?.[TAG_KEYS.agent] }).toEqual({ type, agent: 'deploy-operator' });
      }
    }
  });

  test('grants are *_iam_member only, never _binding or _policy, and no service account key', () => {
    const types = Object.keys(json.resource);
    expect(types.filter((t) => /_iam_(binding|policy)$/.test(t))).toEqual([]);
    expect(types).not.toContain('google_service_account_key');
  });

  test('a Cloud Run service grant lands on the service, with a per-tool custom role of exactly the tool\'s permissions', () => {
    const [role] = resourcesOf(json, 'google_project_iam_custom_role').filter((r) => r.role_id === 'ag_deploy_operator_restart_service');
    expect(role.permissions).toEqual(['run.services.get', 'run.services.update']);
    const [grant] = resourcesOf(json, 'google_cloud_run_v2_service_iam_member');
    expect(grant).toMatchObject({ project: PROJECT, location: 'europe-west1', name: 'api', role: `projects/${PROJECT}/roles/ag_deploy_operator_restart_service`, member: `serviceAccount:${agent.emailFor('restart-service')}` });
  });

  test('the write tool\'s grant carries the window condition; the read tool\'s does not', () => {
    const [run] = resourcesOf(json, 'google_cloud_run_v2_service_iam_member');
    expect(evaluate(run.condition.expression, new Date('2026-11-23T08:00:00Z'))).toBe(true);
    expect(evaluate(run.condition.expression, new Date('2026-11-28T10:00:00Z'))).toBe(false);
    const [logs] = resourcesOf(json, 'google_project_iam_member').filter((g) => g.member === `serviceAccount:${SA_READ}`);
    expect(logs).toMatchObject({ project: PROJECT, role: `projects/${PROJECT}/roles/ag_deploy_operator_read_logs` });
    expect(logs.condition).toBeUndefined();
  });

  test('the broker gets token creator on each tool service account only, windowed for the windowed tool', () => {
    const brokers = resourcesOf(json, 'google_service_account_iam_member').filter((m) => m.role === 'roles/iam.serviceAccountTokenCreator');
    expect(brokers).toHaveLength(2);
    for (const b of brokers) expect(b.member).toBe(`serviceAccount:broker@${PROJECT}.iam.gserviceaccount.com`);
    expect(resourcesOf(json, 'google_project_iam_member').filter((m) => m.role === 'roles/iam.serviceAccountTokenCreator')).toEqual([]);
    const windowed = brokers.find((b) => b.service_account_id.includes(agent.emailFor('restart-service')));
    // ATTACK: the broker mints a token on Saturday, or after expiry → the condition denies it.
    expect(evaluate(windowed.condition.expression, new Date('2026-11-24T12:00:00Z'))).toBe(true);
    expect(evaluate(windowed.condition.expression, new Date('2026-11-28T12:00:00Z'))).toBe(false);
    expect(evaluate(windowed.condition.expression, new Date('2028-01-04T12:00:00Z'))).toBe(false);
    const unwindowed = brokers.find((b) => b.service_account_id.includes(SA_READ));
    expect(unwindowed.condition).toBeUndefined();
  });

  test('the deny policy denies the agent\'s service accounts escalation and tamper permissions', () => {
    const [deny] = resourcesOf(json, 'google_iam_deny_policy');
    expect(deny.parent).toBe(`cloudresourcemanager.googleapis.com%2Fprojects%2F${PROJECT}`);
    const rule = deny.rules[0].deny_rule;
    expect(rule.denied_principals.sort()).toEqual([
      `principal://iam.googleapis.com/projects/-/serviceAccounts/${agent.emailFor('restart-service')}`,
      `principal://iam.googleapis.com/projects/-/serviceAccounts/${SA_READ}`,
    ].sort());
    expect(rule.denied_permissions).toEqual(expect.arrayContaining([
      'iam.googleapis.com/serviceAccounts.getAccessToken',
      'iam.googleapis.com/serviceAccountKeys.create',
      'iam.googleapis.com/serviceAccounts.enable',
      'iam.googleapis.com/roles.update',
      'iam.googleapis.com/denypolicies.delete',
      'cloudresourcemanager.googleapis.com/projects.setIamPolicy',
      'logging.googleapis.com/sinks.delete',
    ]));
    for (const p of rule.denied_permissions) expect(p).toMatch(/^[a-z]+\.googleapis\.com\/[a-zA-Z]+\.[a-zA-Z]+$/);
    // actAs has a rule of its own, denied to every tool but the one that declared a runtime account
    const actAs = deny.rules[1].deny_rule;
    expect(rule.denied_permissions).not.toContain('iam.googleapis.com/serviceAccounts.actAs');
    expect(actAs.denied_permissions).toEqual(['iam.googleapis.com/serviceAccounts.actAs']);
    expect(actAs.denied_principals.sort()).toEqual(rule.denied_principals.sort());
    expect(actAs.exception_principals).toEqual([`principal://iam.googleapis.com/projects/-/serviceAccounts/${agent.emailFor('restart-service')}`]);
  });

  test('a deploy tool holds Service Account User on its declared runtime account only, in its window', () => {
    const members = resourcesOf(json, 'google_service_account_iam_member').filter((m) => m.role === 'roles/iam.serviceAccountUser');
    expect(members).toHaveLength(1);
    expect(members[0].service_account_id).toBe(`projects/${PROJECT}/serviceAccounts/${API_RUNTIME}`);
    expect(members[0].member).toBe(`serviceAccount:${agent.emailFor('restart-service')}`);
    expect(members[0].condition.expression).toBe(windowExpression(WINDOW));
  });

  test('kill switch: a custom role of only disable + get, bound on each tool service account for the revocation members', () => {
    const [role] = resourcesOf(json, 'google_project_iam_custom_role').filter((r) => r.role_id === 'ag_deploy_operator_kill_switch');
    expect(role.permissions).toEqual(['iam.serviceAccounts.disable', 'iam.serviceAccounts.get']);
    const bindings = resourcesOf(json, 'google_service_account_iam_member').filter((m) => m.role === `projects/${PROJECT}/roles/ag_deploy_operator_kill_switch`);
    expect(bindings.map((b) => b.member)).toEqual(['group:oncall@example.com', 'group:oncall@example.com']);
    expect(agent.denyAllPermissions()).toEqual(['logging.googleapis.com/*.*', 'run.googleapis.com/*.*']);
  });

  test('audit configs for the tools\' services, with all three log types', () => {
    const audits = resourcesOf(json, 'google_project_iam_audit_config');
    expect(audits.map((a) => a.service).sort()).toEqual(['iam.googleapis.com', 'iamcredentials.googleapis.com', 'logging.googleapis.com', 'run.googleapis.com']);
    for (const a of audits) expect(a.audit_log_config.map((c: any) => c.log_type)).toEqual(['ADMIN_READ', 'DATA_READ', 'DATA_WRITE']);
  });

  test('no org policy unless asked; disableKeyCreation adds it', () => {
    expect(resourcesOf(json, 'google_project_organization_policy')).toEqual([]);
    const withPolicy = synthGcp(baseProps({ disableKeyCreation: true })).json;
    expect(resourcesOf(withPolicy, 'google_project_organization_policy')).toEqual([
      expect.objectContaining({ project: PROJECT, constraint: 'iam.disableServiceAccountKeyCreation', boolean_policy: { enforced: true } }),
    ]);
  });
});

describe('gcp.AgentIdentity: grants on the resource, or conditioned at project level', () => {
  const tools = [
    Tool.read('read-bucket', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/app-logs' } }),
    Tool.write('publish-events', { gcp: { roles: ['roles/pubsub.publisher'], resource: `projects/${PROJECT}/topics/events` }, window: ChangeWindow.workdays('UTC', '08:00', '18:00') }),
    Tool.read('read-secret', { gcp: { roles: ['roles/secretmanager.secretAccessor'], resource: `projects/${PROJECT}/secrets/api-key` }, window: ChangeWindow.workdays('UTC', '08:00', '18:00') }),
    Tool.read('read-dataset', { gcp: { permissions: ['bigquery.datasets.get', 'bigquery.tables.getData', 'bigquery.tables.list'], resource: `projects/${PROJECT}/datasets/metrics` } }),
    Tool.write('consume-alerts', { gcp: { roles: ['roles/pubsub.subscriber'], resource: `projects/${PROJECT}/subscriptions/alerts` }, window: ChangeWindow.workdays('UTC', '08:00', '18:00') }),
    Tool.read('read-instances', { gcp: { permissions: ['compute.instances.get'], resource: `projects/${PROJECT}/zones/europe-west1-b/instances/vm-1` } }),
  ];
  const { json, raw } = synthGcp(baseProps({ tools }));

  test('the GCP and agent rules find no error in what the construct creates', () => {
    expect(checkErrors(raw)).toEqual([]);
  });

  test('each supported kind uses its resource-level IAM member', () => {
    expect(resourcesOf(json, 'google_storage_bucket_iam_member')).toEqual([expect.objectContaining({ bucket: 'app-logs', role: 'roles/storage.objectViewer' })]);
    expect(resourcesOf(json, 'google_pubsub_topic_iam_member')).toEqual([expect.objectContaining({ project: PROJECT, topic: 'events', role: 'roles/pubsub.publisher' })]);
    expect(resourcesOf(json, 'google_secret_manager_secret_iam_member')).toEqual([expect.objectContaining({ project: PROJECT, secret_id: 'api-key' })]);
    expect(resourcesOf(json, 'google_bigquery_dataset_iam_member')).toEqual([expect.objectContaining({ project: PROJECT, dataset_id: 'metrics', role: `projects/${PROJECT}/roles/ag_deploy_operator_read_dataset` })]);
    expect(resourcesOf(json, 'google_pubsub_subscription_iam_member')).toEqual([expect.objectContaining({ project: PROJECT, subscription: 'alerts', role: 'roles/pubsub.subscriber' })]);
  });

  test('a windowed tool\'s resource-level grants carry the window; others carry none', () => {
    const [topic] = resourcesOf(json, 'google_pubsub_topic_iam_member');
    expect(evaluate(topic.condition.expression, new Date('2026-11-23T09:00:00Z'))).toBe(true);
    expect(evaluate(topic.condition.expression, new Date('2026-11-23T19:00:00Z'))).toBe(false);
    expect(resourcesOf(json, 'google_storage_bucket_iam_member')[0].condition).toBeUndefined();
  });

  test('other resources: project-level member with a resource.name condition that matches that resource only', () => {
    const [grant] = resourcesOf(json, 'google_project_iam_member').filter((g) => g.role.endsWith('ag_deploy_operator_read_instances'));
    const name = `projects/${PROJECT}/zones/europe-west1-b/instances/vm-1`;
    const now = new Date('2026-11-23T10:00:00Z');
    expect(evaluate(grant.condition.expression, now, name)).toBe(true);
    // ATTACK: the same role used on a sibling instance whose name shares the prefix.
    expect(evaluate(grant.condition.expression, now, `${name}0`)).toBe(false);
    expect(evaluate(grant.condition.expression, now, `projects/${PROJECT}/zones/europe-west1-b/instances/vm-2`)).toBe(false);
  });
});

describe('gcp.AgentIdentity: refuses bad input at construction', () => {
  const refuse = (code: string, overrides: Parameters<typeof baseProps>[0]) => {
    const e = thrown(() => synthGcp(baseProps(overrides)));
    expect(e.code).toBe(code);
    return e;
  };

  test.each([
    ['roles/owner', 'AG_GCP_BASIC_ROLE'],
    ['roles/editor', 'AG_GCP_BASIC_ROLE'],
    ['roles/iam.serviceAccountTokenCreator', 'AG_GCP_PRIVILEGED_ROLE'],
    ['roles/iam.serviceAccountUser', 'AG_GCP_PRIVILEGED_ROLE'],
    ['roles/resourcemanager.projectIamAdmin', 'AG_GCP_PRIVILEGED_ROLE'],
    ['roles/compute.admin', 'AG_GCP_PRIVILEGED_ROLE'],
    ['roles/storage.*', 'AG_GCP_WILDCARD'],
    ['roles/logging.viewer', 'AG_GCP_READ_TOOL_MUTATES'], // saved-query writes: not read-only
  ])('role %s → %s', (role, code) => {
    const make = code === 'AG_GCP_READ_TOOL_MUTATES' ? Tool.read : Tool.write;
    const e = refuse(code, { tools: [make('act', { gcp: { roles: [role], resource: `projects/${PROJECT}` } })] });
    expect(e.message).toContain(role);
  });

  test.each([
    ['storage.objects.*', 'AG_GCP_WILDCARD'],
    ['iam.serviceAccounts.actAs', 'AG_GCP_ESCALATION'],
    ['resourcemanager.projects.setIamPolicy', 'AG_GCP_ESCALATION'],
    ['iam.serviceAccountKeys.create', 'AG_GCP_ESCALATION'],
    ['logging.sinks.delete', 'AG_GCP_ESCALATION'],
    ['not-a-permission', 'AG_GCP_PERMISSION'],
  ])('permission %s → %s', (permission, code) => {
    refuse(code, { tools: [Tool.write('act', { gcp: { permissions: [permission], resource: `projects/${PROJECT}` } })] });
  });

  test('a tool whose permissions need actAs must declare the runtime account, one an agent may act as', () => {
    const service = `projects/${PROJECT}/locations/europe-west1/services/api`;
    const deploy = (runtimeServiceAccount?: string, permissions = ['run.services.get', 'run.services.update']) =>
      () => synthGcp(baseProps({ tools: [Tool.write('restart-service', { gcp: { permissions, resource: service, runtimeServiceAccount }, window: WINDOW })] }));
    expect(deploy()).toThrow(/\[AG_GCP_ACT_AS_UNDECLARED\] gcp\.AgentIdentity\(deploy-operator\)\.tools\[restart-service\]\.gcp\.runtimeServiceAccount must name the service account .* run\.services\.update also need iam\.serviceAccounts\.actAs on it; got undefined\. Declare/);
    expect(deploy('123456789012-compute@developer.gserviceaccount.com')).toThrow(/\[AG_GCP_ACT_AS_FORBIDDEN\] .*runtimeServiceAccount must be a service account an agent may act as; this is the Compute Engine default service account.*; got "123456789012-compute@developer\.gserviceaccount\.com"\. Give the resource its own/);
    expect(deploy(`${PROJECT}@appspot.gserviceaccount.com`)).toThrow(/AG_GCP_ACT_AS_FORBIDDEN.*App Engine default/);
    expect(deploy('service-123456789012@gcp-sa-run.iam.gserviceaccount.com')).toThrow(/AG_GCP_ACT_AS_FORBIDDEN.*service agent/);
    expect(deploy(`broker@${PROJECT}.iam.gserviceaccount.com`)).toThrow(/AG_GCP_ACT_AS_FORBIDDEN.*of the agent itself/);
    expect(deploy(`${AgentIdentity.accountIdFor('deploy-operator', 'restart-service')}@${PROJECT}.iam.gserviceaccount.com`)).toThrow(/AG_GCP_ACT_AS_FORBIDDEN.*of the agent itself/);
    expect(deploy('api-runtime@acme-staging.iam.gserviceaccount.com')).toThrow(/AG_GCP_ACT_AS_FORBIDDEN.*project acme-staging, not of the environment's project acme-prod/);
    // A runtime account on a tool that needs no actAs would be a silent widening.
    expect(deploy(API_RUNTIME, ['run.services.get'])).toThrow(/\[AG_GCP_ACT_AS_UNNEEDED\]/);
    // A predefined role holding run.services.update needs it too.
    expect(() => synthGcp(baseProps({ tools: [Tool.write('develop', { gcp: { roles: ['roles/run.developer'], resource: service }, window: WINDOW })] }))).toThrow(/AG_GCP_ACT_AS_UNDECLARED/);
  });

  test('environment isolation: a resource of another project, an org or a wildcard is refused', () => {
    const e = refuse('AG_GCP_OTHER_PROJECT', { tools: [Tool.read('peek', { gcp: { roles: ['roles/pubsub.subscriber'], resource: 'projects/acme-dev/subscriptions/s' } })] });
    expect(e.message).toMatch(/must be in the environment's project acme-prod; got "projects\/acme-dev\/subscriptions\/s"/);
    refuse('AG_GCP_RESOURCE', { tools: [Tool.read('peek', { gcp: { roles: ['roles/logging.viewer'], resource: 'organizations/123' } })] });
    refuse('AG_GCP_RESOURCE', { tools: [Tool.read('peek', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/*' } })] });
    refuse('AG_GCP_OTHER_PROJECT', { tools: [Tool.read('peek', { gcp: { roles: ['projects/acme-dev/roles/reader'], resource: `projects/${PROJECT}` } })] });
  });

  test('tier contract: an advisor may hold proposal permissions only (policies/catalogs/proposal-actions.json)', () => {
    const propose = Tool.write('open-case', { gcp: { permissions: ['cloudsupport.cases.create', 'cloudsupport.comments.create'], resource: `projects/${PROJECT}` } });
    expect(() => synthGcp(baseProps({ tier: AgentTier.ADVISOR, tools: [readLogs(), propose] }))).not.toThrow();
    const e = refuse('AG_TIER_CONTRACT', { tier: AgentTier.ADVISOR, tools: [readLogs(), restartService()] });
    expect(e.message).toContain('holds writes beyond proposal actions');
  });

  test('tier contract: an observer with a write tool is refused', () => {
    const e = refuse('AG_TIER_CONTRACT', { tier: AgentTier.OBSERVER, tools: [readLogs(), restartService()] });
    expect(e.message).toContain('exceeds the observer tier');
  });

  test('a read tool may not hold mutating permissions or roles that hold any', () => {
    refuse('AG_GCP_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { gcp: { permissions: ['storage.objects.delete'], resource: 'projects/_/buckets/app-logs' } })] });
    refuse('AG_GCP_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { gcp: { permissions: ['bigquery.tables.export'], resource: `projects/${PROJECT}/datasets/d` } })] });
    refuse('AG_GCP_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { gcp: { roles: ['roles/pubsub.publisher'], resource: `projects/${PROJECT}/topics/t` } })] });
    // Disguised: a "viewer-ish" data role that can also export tables and create snapshots.
    const e = refuse('AG_GCP_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { gcp: { roles: ['roles/bigquery.dataViewer'], resource: `projects/${PROJECT}/datasets/d` } })] });
    expect(e.message).toContain('roles/bigquery.dataViewer'); // not flagged read-only: it can also export tables and models
    refuse('AG_GCP_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { gcp: { roles: ['roles/pubsub.subscriber'], resource: `projects/${PROJECT}/subscriptions/s` } })] });
    refuse('AG_GCP_READ_TOOL_MUTATES', { tools: [Tool.read('peek', { gcp: { roles: ['roles/run.invoker'], resource: `projects/${PROJECT}/locations/l/services/s` } })] });
  });

  test('public or domain-wide members are refused for the broker and the kill switch', () => {
    refuse('AG_GCP_PUBLIC_MEMBER', { brokerMember: 'allUsers' });
    refuse('AG_GCP_MEMBER', { brokerMember: 'group:brokers@example.com' });
    refuse('AG_GCP_PUBLIC_MEMBER', { revocationMembers: ['allAuthenticatedUsers'] });
    refuse('AG_KILL_SWITCH_MEMBERS', { revocationMembers: [] });
  });

  test('the agent may not hold its own kill switch', () => {
    refuse('AG_KILL_SWITCH_SELF', { revocationMembers: [`serviceAccount:${SA_READ}`] });
  });

  test('a tool without gcp permissions, and an environment without gcp, are refused', () => {
    refuse('AG_GCP_TOOL_NO_PERMISSIONS', { tools: [Tool.read('aws-only', { aws: { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] } })] });
    refuse('AG_ENV_NO_GCP', { environment: Environment.of({ name: 'prod' }) });
  });
});
