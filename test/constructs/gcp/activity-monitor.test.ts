import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { AgentActivityMonitor } from '../../../constructs/gcp';
import { GCP_PROD, GCP_STAGING, GcpAgentsStack } from '../../../examples/tf/agents';
import { ActivityPlaybook } from '../../../lib/activity/activity-playbook';
import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { KILL_SWITCH } from '../../../lib/rules/agent/kill-switch';
import { ALL_RULES } from '../../../lib/rules';
import { runRules } from '../../../lib/rules/run-rules';
import { GcpIamEvaluator } from '../../helpers/gcp-iam-evaluator';
import { matchesLoggingFilter, parseLoggingFilter } from '../../helpers/logging-filter';
import { auditLogEntry, brokerDecisionEntry } from './monitor-fixture';

const stack = new GcpAgentsStack(Testing.app(), 'agents-gcp');
const monitor = stack.deployOperatorMonitor;
const raw = JSON.parse(JSON.stringify(stack.toTerraform())) as { resource: Record<string, Record<string, any>> };
const ofType = (type: string) => Object.values(raw.resource[type] ?? {});
const PROD = GCP_PROD.gcp!.project;
const STAGING = GCP_STAGING.gcp!.project;
const tools = stack.deployOperator.tools.map((t) => stack.deployOperator.emailFor(t.name));
const otherAgentTool = stack.supportObserver.emailFor('read-logs');
const fn = ofType('google_cloudfunctions2_function').find((f) => f.name === monitor.functionName)!;
/** A service account's resource name, in its own project. */
const sa = (email: string) => `projects/${email.split('@')[1].split('.')[0]}/serviceAccounts/${email}`;

describe('gcp.AgentActivityMonitor in the example app (deploy-operator, prod)', () => {
  test('a project sink of the audit logs, filtered to the agent\'s service accounts, to its own topic', () => {
    const [sink] = ofType('google_logging_project_sink');
    expect(sink.destination).toBe(`pubsub.googleapis.com/projects/${PROD}/topics/ag-deploy-operator-prod-monitor-events`);
    expect(sink.unique_writer_identity).toBe(true);
    expect(sink.filter).toBe(monitor.filter);
    // Only =, AND, OR and parentheses: the evaluator below models every operator the filter uses.
    expect(() => parseLoggingFilter(monitor.filter)).not.toThrow();
    for (const email of tools) expect(sink.filter).toContain(`principalEmail="${email}"`);
    expect(sink.filter).not.toContain(otherAgentTool);
  });

  test('the sink\'s writer (the project\'s Logging service agent) may publish on the event topic and nowhere else', () => {
    const writer = 'serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com';
    const grants = Object.entries(raw.resource).flatMap(([type, blocks]) => Object.values(blocks).filter((b: any) => b.member === writer).map((b: any) => [type, b.role, b.topic]));
    expect(grants).toEqual([['google_pubsub_topic_iam_member', 'roles/pubsub.publisher', 'ag-deploy-operator-prod-monitor-events']]);
  });

  test('authenticated push (OIDC token of its own push account) to its own function, retried, then dead-lettered', () => {
    const [sub] = ofType('google_pubsub_subscription');
    expect(sub.push_config.oidc_token.service_account_email).toBe(monitor.pushEmail);
    expect(sub.push_config.push_endpoint).toMatch(/google_cloudfunctions2_function\.DeployOperatorMonitor_Function_[0-9A-F]+\.service_config\[0\]\.uri/);
    expect(sub.dead_letter_policy.max_delivery_attempts).toBe(10);
    expect(sub.dead_letter_policy.dead_letter_topic).toMatch(/DeadLetterTopic/);
    const invokers = ofType('google_cloud_run_v2_service_iam_member').filter((m) => m.name === monitor.functionName);
    expect(invokers.map((m) => [m.role, m.member])).toEqual([['roles/run.invoker', `serviceAccount:${monitor.pushEmail}`]]);
    expect(JSON.stringify(raw)).not.toMatch(/allUsers|allAuthenticatedUsers/);
  });

  test('the prebuilt handler, under the monitor\'s own service account', () => {
    expect(fn.build_config.entry_point).toBe('monitor');
    expect(fn.service_config.service_account_email).toBe(monitor.email);
    const bundle = path.join(__dirname, '..', '..', '..', 'dist-handler', 'gcp-monitor', 'index.js');
    expect(fs.readFileSync(bundle, 'utf8')).toMatch(/^\/\/ agent-guardrails gcp-monitor handler/);
  });

  test('its own database, with the shared denial counts deleted by a TTL policy on their expiry field', () => {
    const settings = JSON.parse(fn.service_config.environment_variables.MONITOR_SETTINGS);
    expect(settings.memoryDatabase).toBe(monitor.databaseId);
    const ttl = ofType('google_firestore_field').filter((f) => f.database === monitor.databaseId);
    expect(ttl).toEqual([expect.objectContaining({ project: PROD, collection: 'monitorBursts', field: 'expiresAt', ttl_config: {}, index_config: {} })]);
  });

  test('the function carries the agent\'s declarations from the inventory, the account ids as identities, and its kill switch', () => {
    const playbook = ActivityPlaybook.fromJson(fn.service_config.environment_variables.ACTIVITY_PLAYBOOK);
    expect(playbook.agents.map((a) => a.agent)).toEqual(['deploy-operator']);
    const [agent] = playbook.agents;
    expect(agent.placement).toEqual({ gcp: { project: PROD } });
    expect(agent.tools.map((t) => [t.name, t.identities])).toEqual(stack.deployOperator.tools.map((t) => [t.name, [stack.deployOperator.emailFor(t.name).split('@')[0]]]));
    expect(agent.tools.find((t) => t.name === 'rollback-deployment')).toMatchObject({ requiresApproval: true, window: { timeZone: 'Europe/Dublin' } });
    const settings = JSON.parse(fn.service_config.environment_variables.MONITOR_SETTINGS);
    expect(settings.killSwitch).toEqual({ serviceAccounts: tools, flag: { database: 'ag-deploy-operator-kill', agent: 'deploy-operator' } });
    expect(settings.policy.verdicts).toMatchObject({ 'other-environment': 'trip', 'destructive-without-approval': 'trip', 'unknown-identity': 'trip', 'undeclared-action': 'alert' });
    expect(settings.alertTopic).toBe(`projects/${PROD}/topics/ag-deploy-operator-prod-monitor-alerts`);
  });

  test('its own failures alert: dead letters, rejected pushes and error logs notify the alert topic', () => {
    const policies = ofType('google_monitoring_alert_policy');
    expect(policies.map((p) => p.display_name).sort()).toEqual([
      'agent-guardrails monitor of deploy-operator: errors',
      'agent-guardrails monitor of deploy-operator: events dead-lettered (not judged)',
      'agent-guardrails monitor of deploy-operator: pushes rejected (verdict may not be acted on)',
    ]);
    const [channel] = ofType('google_monitoring_notification_channel');
    expect(channel).toMatchObject({ type: 'pubsub', labels: { topic: `projects/${PROD}/topics/ag-deploy-operator-prod-monitor-alerts` } });
    for (const p of policies) expect(p.notification_channels).toHaveLength(1);
    const dlq = 'serviceAccount:service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com';
    expect(ofType('google_pubsub_topic_iam_member').filter((m) => m.member === dlq).map((m) => m.topic)).toEqual(['ag-deploy-operator-prod-monitor-dead-letters']);
  });

  test('every check on: the example stack with the monitor gives no finding', () => {
    const inventory = inventoryFromTerraformJson(raw, { stack: 'agents-gcp' });
    expect(inventory.identities.filter((i) => i.labels.component === 'monitor').map((i) => i.name)).toEqual([monitor.email.split('@')[0], monitor.pushEmail.split('@')[0]]);
    expect(runRules(inventory, ALL_RULES, Baseline.default()).map((f) => `${f.ruleId} ${f.detail}`)).toEqual([]);
  });

  test('a wrong project number is refused with the fix', () => {
    const other = new GcpAgentsStack(Testing.app(), 'x');
    expect(() => new AgentActivityMonitor(other, 'M', { agent: other.supportObserver, projectNumber: 'acme-checkout-staging', region: 'europe-west1' }))
      .toThrow(/AG_GCP_PROJECT_NUMBER[\s\S]*gcloud projects describe acme-checkout-staging/);
  });
});

describe('the sink filter on GCP audit log entries (Logging query language, documented shapes)', () => {
  const activity = `projects/${PROD}/logs/cloudaudit.googleapis.com%2Factivity`;
  const cases: [string, unknown, boolean][] = [
    ['a tool\'s Admin Activity entry (UpdateService)', auditLogEntry({ principal: tools[1] }), true],
    ['a tool\'s Data Access entry (GetService)', auditLogEntry({ principal: tools[0], log: 'data_access', method: 'google.cloud.run.v2.Services.GetService', permission: 'run.services.get' }), true],
    ['a tool\'s denied call (Policy Denied log)', auditLogEntry({ principal: tools[2], log: 'policy', denied: true }), true],
    ['a tool\'s call with a broker-minted token (the broker as first party of the delegation)', auditLogEntry({ principal: tools[1], delegatedBy: stack.deployOperatorBroker.email }), true],
    ['another account impersonated by a tool (the tool as first party)', auditLogEntry({ principal: `payments-admin@${PROD}.iam.gserviceaccount.com`, delegatedBy: tools[0] }), true],
    ['the broker minting a token (its own Data Access entry)', auditLogEntry({ principal: stack.deployOperatorBroker.email, log: 'data_access', method: 'GenerateAccessToken', permission: 'iam.serviceAccounts.getAccessToken', resource: `projects/-/serviceAccounts/${tools[1]}` }), false],
    ['another agent\'s service account', auditLogEntry({ principal: otherAgentTool, project: STAGING }), false],
    ['another agent\'s service account in this project', auditLogEntry({ principal: `release-operator-publish@${PROD}.iam.gserviceaccount.com` }), false],
    ['a person', auditLogEntry({ principal: 'alice@acme.example' }), false],
    ['a System Event entry (Google acting, no principal of ours)', auditLogEntry({ principal: tools[1], log: 'system_event' }), false],
    ['a tool\'s entry routed from another project\'s log', auditLogEntry({ principal: tools[1], project: STAGING }), false],
    ['a look-alike account (a prefix of a tool\'s)', auditLogEntry({ principal: tools[0].replace('@', 'x@') }), false],
    ['an application log line that names a tool (not an audit log)', { logName: `projects/${PROD}/logs/run.googleapis.com%2Fstdout`, textPayload: tools[0], jsonPayload: { principalEmail: tools[0] } }, false],
    ['an approved decision of the broker', brokerDecisionEntry({}), true],
    ['a refused decision of the broker', brokerDecisionEntry({ decision: 'denied' }), false],
    ['a decision record written by another service', brokerDecisionEntry({ service: 'checkout' }), false],
  ];
  test.each(cases.map(([name, entry, expected]) => [`${name}: ${expected ? 'routed' : 'not routed'}`, entry, expected] as const))('%s', (_name, entry, expected) => {
    expect(matchesLoggingFilter(monitor.filter, entry)).toBe(expected);
  });

  test('exhaustively over the fields it reads: routed iff an audit log of the agent\'s project and (principal or first party is a tool)', () => {
    const logs = ['activity', 'data_access', 'policy', 'system_event'].map((l) => `projects/${PROD}/logs/cloudaudit.googleapis.com%2F${l}`)
      .concat([`projects/${STAGING}/logs/cloudaudit.googleapis.com%2Factivity`, `projects/${PROD}/logs/run.googleapis.com%2Fstdout`, `projects/${PROD}/logs/cloudaudit.googleapis.com/activity`]);
    const principals = [undefined, ...tools, otherAgentTool, stack.deployOperatorBroker.email, tools[0].toUpperCase(), `${tools[0]}.evil`];
    const firstParties = [undefined, tools[2], otherAgentTool, stack.deployOperatorBroker.email];
    let count = 0;
    for (const logName of logs) for (const principal of principals) for (const firstParty of firstParties) {
      const entry = auditLogEntry({ principal, delegatedBy: firstParty });
      (entry as any).logName = logName;
      const isTool = (e: string | undefined) => e !== undefined && tools.includes(e.toLowerCase());
      const expected = logs.indexOf(logName) < 3 && (isTool(principal) || isTool(firstParty));
      expect([logName, principal, firstParty, matchesLoggingFilter(monitor.filter, entry)]).toEqual([logName, principal, firstParty, expected]);
      count += 1;
    }
    expect(count).toBe(7 * 8 * 4);
    expect(activity).toBe(logs[0]);
  });
});

// The Firestore and Cloud Run roles from the full role data (tests only), to evaluate what they hold.
const SHARED = process.env.AGENT_GUARDRAILS_SHARED_DATA ?? '/work/shared/data';
const ROLE_DATA = path.join(SHARED, 'gcp-predefined-roles.json');
const gcpSuite = fs.existsSync(ROLE_DATA) ? describe : describe.skip;

gcpSuite('the monitor\'s bindings, evaluated (CEL conditions with @bufbuild/cel): it can pull the kill switch and alert, nothing else', () => {
  const roles = (): Record<string, string[]> => {
    const data = JSON.parse(fs.readFileSync(ROLE_DATA, 'utf8')) as { roles: Record<string, { permissions: string[] }> };
    return Object.fromEntries(['roles/datastore.user', 'roles/datastore.viewer', 'roles/run.invoker'].map((r) => [r, data.roles[r].permissions]));
  };
  const evaluator = GcpIamEvaluator.fromTerraform(JSON.parse(Testing.synth(stack, true)), { roles: roles() });
  const time = new Date('2026-03-25T11:00:00Z');
  const db = (id: string) => `projects/${PROD}/databases/${id}`;
  const topic = (t: string) => `projects/${PROD}/topics/ag-deploy-operator-prod-monitor-${t}`;
  const as = (principal: string) => (permission: string, resource: string) => evaluator.decide({ principal, permission, resource, time });

  test('the monitor: disable each tool service account, set the flag, use its memory, read approvals, publish alerts', () => {
    const m = as(monitor.email);
    for (const email of tools) expect([email, m('iam.serviceAccounts.disable', sa(email))]).toEqual([email, 'Allowed']);
    expect(m('datastore.entities.update', db('ag-deploy-operator-kill'))).toBe('Allowed');
    expect(m('datastore.entities.create', db('ag-deploy-operator-prod-monitor'))).toBe('Allowed');
    expect(m('datastore.entities.get', db('ag-deploy-operator-approvals'))).toBe('Allowed');
    expect(m('pubsub.topics.publish', topic('alerts'))).toBe('Allowed');
  });

  test('the monitor cannot re-enable an account, mint tokens, change IAM, touch another agent, forge approvals or events, or deploy', () => {
    const m = as(monitor.email);
    const refused: [string, string][] = [
      ...tools.flatMap((e): [string, string][] => [
        ['iam.serviceAccounts.enable', sa(e)], ['iam.serviceAccounts.getAccessToken', sa(e)], ['iam.serviceAccounts.signJwt', sa(e)],
        ['iam.serviceAccounts.actAs', sa(e)], ['iam.serviceAccounts.setIamPolicy', sa(e)], ['iam.serviceAccountKeys.create', sa(e)], ['iam.serviceAccounts.delete', sa(e)],
      ]),
      ['iam.serviceAccounts.disable', sa(otherAgentTool)],
      ['iam.serviceAccounts.disable', sa(stack.deployOperatorBroker.email)],
      ['iam.serviceAccounts.disable', sa(`checkout-runtime@${PROD}.iam.gserviceaccount.com`)],
      ['iam.serviceAccounts.getAccessToken', sa(monitor.email)],
      ['resourcemanager.projects.setIamPolicy', `projects/${PROD}`],
      ['iam.roles.update', `projects/${PROD}/roles/ag_deploy_operator_kill_switch`],
      ['datastore.entities.update', db('ag-deploy-operator-approvals')],
      ['datastore.entities.update', db('(default)')],
      ['pubsub.topics.publish', topic('events')],
      ['pubsub.topics.publish', `projects/${PROD}/topics/ag-deploy-operator-approvals`],
      ['run.services.update', `projects/${PROD}/locations/europe-west1/services/checkout`],
      ['logging.sinks.update', `projects/${PROD}/sinks/ag-deploy-operator-prod-monitor`],
    ];
    for (const [permission, resource] of refused) expect([permission, resource, m(permission, resource)]).toEqual([permission, resource, 'NotGranted']);
  });

  test('the push account can only invoke the monitor; the tools cannot publish events nor disable each other', () => {
    const push = as(monitor.pushEmail);
    expect(push('run.routes.invoke', `projects/${PROD}/locations/europe-west1/services/${monitor.functionName}`)).toBe('Allowed');
    expect(push('run.routes.invoke', `projects/${PROD}/locations/europe-west1/services/ag-broker-deploy-operator`)).toBe('NotGranted');
    expect(push('pubsub.topics.publish', topic('events'))).toBe('NotGranted');
    for (const t of tools) {
      const tool = as(t);
      expect(tool('pubsub.topics.publish', topic('events'))).not.toBe('Allowed');
      for (const other of tools) expect(tool('iam.serviceAccounts.enable', sa(other))).not.toBe('Allowed');
    }
  });
});

describe('AGENT-005 knows the GCP monitor (attacks on the synthesized configuration)', () => {
  const agent005 = (json: any) => runRules(inventoryFromTerraformJson(json, { stack: 'agents-gcp' }), [KILL_SWITCH], Baseline.default()).map((f) => f.detail);
  const copy = () => JSON.parse(JSON.stringify(raw));
  const member = `serviceAccount:${monitor.email}`;
  const add = (json: any, type: string, body: Record<string, unknown>) => {
    json.resource[type] = { ...(json.resource[type] ?? {}), Attack: { ...body, '//': { 'agent-guardrails': { 'agent-guardrails:agent': 'deploy-operator', 'agent-guardrails:component': 'monitor' } } } };
    return json;
  };

  test('the example as synthesized: no finding', () => {
    expect(agent005(copy())).toEqual([]);
  });

  test('a monitor given a project role, an unconditioned Firestore role or an impersonation role is a finding', () => {
    expect(agent005(add(copy(), 'google_project_iam_member', { project: PROD, role: 'roles/run.admin', member }))).toEqual(['monitor-holds:roles/run.admin']);
    expect(agent005(add(copy(), 'google_project_iam_member', { project: PROD, role: 'roles/datastore.user', member }))).toEqual(['monitor-holds:roles/datastore.user']);
    expect(agent005(add(copy(), 'google_service_account_iam_member', { service_account_id: sa(tools[0]), role: 'roles/iam.serviceAccountTokenCreator', member })))
      .toEqual(['monitor-holds:roles/iam.serviceAccountTokenCreator']);
  });

  test('a tool whose permissions reach the monitor (delete its topic, rewrite its function, write its database) is a finding; on its own resources it is not', () => {
    // Deny policies cannot name the monitor's resources (deny conditions read only resource tags): the allow side must keep tools off them.
    const tool = stack.deployOperator.tools[0].name;
    const labels = { 'agent-guardrails': { 'agent-guardrails:agent': 'deploy-operator', 'agent-guardrails:environment': 'prod', 'agent-guardrails:component': 'tool-identity', 'agent-guardrails:tool': tool } };
    const grant = (permissions: string[], where: { condition?: string; topic?: string } = {}) => {
      const json = copy();
      json.resource.google_project_iam_custom_role.AttackRole = { project: PROD, role_id: 'ag_attack', title: 'attack', permissions, '//': labels };
      const member = `serviceAccount:${stack.deployOperator.emailFor(tool)}`;
      if (where.topic) json.resource.google_pubsub_topic_iam_member.AttackGrant = { project: PROD, topic: where.topic, role: `projects/${PROD}/roles/ag_attack`, member, '//': labels };
      else json.resource.google_project_iam_member.AttackGrant = { project: PROD, role: `projects/${PROD}/roles/ag_attack`, member, '//': labels, ...(where.condition ? { condition: { title: 'own', expression: where.condition } } : {}) };
      return agent005(json);
    };
    expect(grant(['pubsub.topics.delete'])).toEqual(['can-blind-monitor:pubsub.topics.delete']);
    expect(grant(['cloudfunctions.functions.update', 'run.services.update'])).toEqual(['can-blind-monitor:cloudfunctions.functions.update']);
    expect(grant(['datastore.entities.update'])).toEqual(['can-blind-monitor:datastore.entities.update']); // forge replay claims or approvals
    expect(grant(['pubsub.topics.publish'], { topic: 'ag-deploy-operator-prod-monitor-events' })).toEqual(['can-blind-monitor:pubsub.topics.publish']); // forge events
    expect(grant(['datastore.entities.update'], { condition: `resource.name.startsWith("projects/${PROD}/databases/*")` })).toEqual(['can-blind-monitor:datastore.entities.update']);
    // Its own resources: a topic of its own, its database's documents by a resource.name condition, reads anywhere.
    expect(grant(['pubsub.topics.publish'], { topic: 'orders' })).toEqual([]);
    expect(grant(['datastore.entities.update'], { condition: `resource.name.startsWith("projects/${PROD}/databases/(default)/documents/orders/")` })).toEqual([]);
    expect(grant(['pubsub.topics.get', 'run.services.list', 'datastore.entities.get'])).toEqual([]);
  });

  test('the kill-switch role on another account, or project-wide, is a finding', () => {
    const role = `projects/${PROD}/roles/ag_deploy_operator_kill_switch`;
    expect(agent005(add(copy(), 'google_service_account_iam_member', { service_account_id: sa(stack.deployOperatorBroker.email), role, member }))).toEqual([`monitor-holds:${role}`]);
    expect(agent005(add(copy(), 'google_project_iam_member', { project: PROD, role, member }))).toEqual([`monitor-holds:${role}`]);
  });
});
