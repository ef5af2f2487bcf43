import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import type { TableClient } from '@azure/data-tables';
import { AzureAgentsStack, AZURE_SUBSCRIPTION } from '../../../examples/tf/agents';
import { ArmCalls } from '../../../constructs/azure/monitor-runtime/arm-kill-switch';
import { CALLER_CLAIM_FILTER_KEY, RESOURCE_EVENT_TYPES } from '../../../constructs/azure/monitor-runtime/event-grid-resource-event';
import { AZURE_MONITOR_TABLE, AzureMonitorSettings } from '../../../constructs/azure/monitor-runtime/monitor-config';
import { azureMonitorFromEnv, createAzureMonitorHandler } from '../../../constructs/azure/monitor-runtime/monitor-server';
import { AZURE_APPROVALS_TABLE, AZURE_KILL_SWITCH_PARTITION, AZURE_KILL_SWITCH_TABLE } from '../../../constructs/azure/broker-runtime/table-layout';
import { inventoryFromCdktfOut, inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { MonitorAlert } from '../../../lib/activity/activity-monitor';
import { Baseline } from '../../../lib/baseline/baseline';
import { globMatch } from '../../../lib/private/glob-match';
import { AGENT_RULES } from '../../../lib/rules/agent';
import { KILL_SWITCH } from '../../../lib/rules/agent/kill-switch';
import { AZURE_RULES } from '../../../lib/rules/azure';
import { runRules } from '../../../lib/rules/run-rules';
import { useRoleData } from '../../../lib/role-data/role-data';
import { Azurite } from '../../conformance/emulators';
import { fullRoleDataAvailable, writeFullRoleData } from '../../helpers/full-role-data';

/**
 * azure.AgentActivityMonitor on the example deploy-operator (prod): the synthesized Event Grid
 * filter evaluated on Event Grid resource events in the documented shape, the trip path with
 * in-process ARM and alert fakes and azurite for Table Storage, and the monitor's roles evaluated.
 */
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-az-monitor-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
const app = new App({ outdir });
const stack = new AzureAgentsStack(app, 'agents-azure');
app.synth();
const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'agents-azure', 'cdk.tf.json'), 'utf8'));
const of = (type: string): [string, any][] => Object.entries(json.resource?.[type] ?? {});
const RG = `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/rg-checkout-prod`;
const WEDNESDAY_11_DUBLIN = '2026-03-25T11:00:00.000Z';

/** Deterministic stand-ins for the identities' computed attributes (`${azurerm_user_assigned_identity.<name>.<attr>}`). */
const identityNames = of('azurerm_user_assigned_identity').map(([k]) => k);
const fake = (name: string, attr: string): string => {
  const i = identityNames.indexOf(name);
  const hex = (n: number) => n.toString(16).padStart(12, '0');
  if (attr === 'id') return `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  return attr === 'principal_id' ? `10000000-0000-4000-8000-${hex(i)}` : `20000000-0000-4000-8000-${hex(i)}`;
};
const resolveRefs = (s: string) => s.replace(/\$\{azurerm_user_assigned_identity\.([^.}]+)\.(id|principal_id|client_id)\}/g, (_m, n, a) => fake(n, a));
const identityKey = (prefix: string) => identityNames.find((n) => n.startsWith(prefix))!;
const tool = (agentPrefix: string, t: string) => ({ principalId: fake(identityKey(`${agentPrefix}_${t}-identity`), 'principal_id'), clientId: fake(identityKey(`${agentPrefix}_${t}-identity`), 'client_id'), id: fake(identityKey(`${agentPrefix}_${t}-identity`), 'id') });

const [[, subscription]] = of('azurerm_eventgrid_system_topic_event_subscription');
const [[, fn]] = of('azurerm_function_app_flex_consumption').filter(([k]) => k.startsWith('DeployOperatorMonitor'));
const env = Object.fromEntries(Object.entries(fn.app_settings as Record<string, string>).map(([k, v]) => [k, resolveRefs(v)]));
const settings = JSON.parse(env.MONITOR_SETTINGS) as AzureMonitorSettings;

/**
 * An Event Grid resource event in the shape of "Azure subscription as an Event Grid source"
 * (Event Grid schema; data: authorization, claims, correlationId, httpRequest, resourceProvider,
 * resourceUri, operationName, status, subscriptionId, tenantId), with the claims of a v1.0 ARM
 * access token of a managed identity (appid = its client id; the objectidentifier claim = its principal id).
 */
function resourceEvent(o: { id: string; type: string; action: string; resource: string; appid: string; oid: string; time?: string; status?: string }) {
  return {
    subject: o.resource,
    eventType: o.type,
    eventTime: o.time ?? WEDNESDAY_11_DUBLIN,
    id: o.id,
    data: {
      authorization: { scope: o.resource, action: o.action, evidence: { role: 'agent-guardrails deploy-operator prod restart-service-role' } },
      claims: {
        aud: 'https://management.azure.com/', iss: 'https://sts.windows.net/00000000-0000-4000-8000-0000000000f0/', iat: '1774436400', nbf: '1774436400', exp: '1774440000',
        aio: 'E2ZgYJh', appid: o.appid, appidacr: '2', idp: 'https://sts.windows.net/00000000-0000-4000-8000-0000000000f0/', idtyp: 'app',
        'http://schemas.microsoft.com/identity/claims/objectidentifier': o.oid,
        'http://schemas.microsoft.com/identity/claims/tenantid': '00000000-0000-4000-8000-0000000000f0',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': o.oid, uti: 'x', ver: '1.0', xms_mirid: o.resource,
      },
      correlationId: `c-${o.id}`,
      httpRequest: { clientRequestId: `r-${o.id}`, clientIpAddress: '203.0.113.10', method: 'POST', url: `https://management.azure.com${o.resource}?api-version=2024-03-01` },
      resourceProvider: o.action.split('/')[0],
      resourceUri: o.resource,
      operationName: o.action,
      status: o.status ?? 'Succeeded',
      subscriptionId: AZURE_SUBSCRIPTION,
      tenantId: '00000000-0000-4000-8000-0000000000f0',
    },
    dataVersion: '2',
    metadataVersion: '1',
    topic: `/subscriptions/${AZURE_SUBSCRIPTION}`,
  };
}

/**
 * Event Grid's filtering as documented ("Understand event filtering"), for what the subscription
 * uses: `included_event_types` (case-insensitive, any of), and advanced `StringIn` filters (the
 * key's dots address nested `data` fields; string comparison is case-insensitive; a missing key
 * does not match; filters are ANDed, values of one filter ORed).
 */
function eventGridDelivers(sub: any, event: any): boolean {
  if (sub.included_event_types && !sub.included_event_types.some((t: string) => t.toLowerCase() === String(event.eventType).toLowerCase())) return false;
  for (const f of sub.advanced_filter?.string_in ?? []) {
    const value = (f.key as string).split('.').reduce<any>((o, k) => (o && typeof o === 'object' ? o[k] : undefined), event);
    if (typeof value !== 'string' || !f.values.some((v: string) => v.toLowerCase() === value.toLowerCase())) return false;
  }
  const unsupported = Object.keys(sub.advanced_filter ?? {}).filter((k) => k !== 'string_in');
  if (unsupported.length > 0) throw new Error(`evaluator does not model ${unsupported.join(', ')}`);
  return true;
}

const APP = `${RG}/providers/Microsoft.App/containerApps/checkout`;
const restart = tool('DeployOperator', 'restart-service');
const readService = tool('DeployOperator', 'read-service');
const otherAgent = tool('SupportObserver', 'read-service');

describe('the Event Grid subscription (synthesized) on documented resource events', () => {
  const sub = { ...subscription, advanced_filter: { string_in: subscription.advanced_filter.string_in.map((f: any) => ({ ...f, values: f.values.map(resolveRefs) })) } };

  test('it takes every ARM write, delete and action outcome, filtered on the tool identities\' client ids only', () => {
    expect(subscription.included_event_types).toEqual([...RESOURCE_EVENT_TYPES]);
    expect(subscription.advanced_filter.string_in).toHaveLength(1);
    expect(subscription.advanced_filter.string_in[0].key).toBe(CALLER_CLAIM_FILTER_KEY);
    expect(sub.advanced_filter.string_in[0].values.sort()).toEqual(['read-service', 'restart-service', 'rollback-deployment'].map((t) => tool('DeployOperator', t).clientId).sort());
    expect(subscription.azure_function_endpoint.function_id).toMatch(/\/functions\/monitor$/);
    expect(subscription.storage_blob_dead_letter_destination.storage_blob_container_name).toBe('dead-letters');
  });

  test('matching: a tool identity\'s restart (any case of the client id)', () => {
    const e = resourceEvent({ id: 'm1', type: 'Microsoft.Resources.ResourceActionSuccess', action: 'Microsoft.App/containerApps/revisions/restart/action', resource: `${APP}/revisions/checkout--v2`, appid: restart.clientId.toUpperCase(), oid: restart.principalId });
    expect(eventGridDelivers(sub, e)).toBe(true);
    expect(eventGridDelivers(sub, { ...e, eventType: 'Microsoft.Resources.ResourceWriteFailure' })).toBe(true);
  });

  test('non-matching: a human\'s call, another agent\'s identity, a claim-less event, another event type', () => {
    const base = { id: 'n1', type: 'Microsoft.Resources.ResourceWriteSuccess', action: 'Microsoft.App/containerApps/write', resource: APP };
    expect(eventGridDelivers(sub, resourceEvent({ ...base, appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c', oid: '30000000-0000-4000-8000-000000000001' }))).toBe(false); // the Azure portal's app id
    expect(eventGridDelivers(sub, resourceEvent({ ...base, appid: otherAgent.clientId, oid: otherAgent.principalId }))).toBe(false);
    const noClaims = resourceEvent({ ...base, appid: restart.clientId, oid: restart.principalId });
    (noClaims.data as any).claims = {};
    expect(eventGridDelivers(sub, noClaims)).toBe(false);
    expect(eventGridDelivers(sub, { ...resourceEvent({ ...base, appid: restart.clientId, oid: restart.principalId }), eventType: 'Microsoft.Storage.BlobCreated' })).toBe(false);
  });
});

describe('the trip: federated credentials and role assignments deleted, the broker flag set, once', () => {
  let azurite: Azurite;
  const tables: Record<string, TableClient> = {};
  beforeAll(async () => {
    azurite = await Azurite.start();
    for (const name of [AZURE_MONITOR_TABLE, AZURE_KILL_SWITCH_TABLE, AZURE_APPROVALS_TABLE]) tables[name] = await azurite.table(name);
  }, 60_000);
  afterAll(async () => { await azurite?.stop(); });

  /** Azure Resource Manager in memory: each tool identity's federated credential and role assignments (one outside the resource group), and someone else's. */
  let creds: Map<string, string[]>;
  let assignments: { id: string; principalId: string; scope: string }[];
  let calls: string[];
  const arm: ArmCalls = {
    get: async (p) => {
      calls.push(`GET ${p.split('?')[0]}`);
      const fc = /^(.*)\/federatedIdentityCredentials\?/.exec(p);
      if (fc) return { value: (creds.get(fc[1]) ?? []).map((id) => ({ id })) };
      const principal = /principalId%20eq%20'([^']+)'/.exec(p)![1];
      return { value: assignments.filter((a) => a.principalId === principal).map((a) => ({ id: a.id, properties: { principalId: a.principalId, scope: a.scope } })) };
    },
    delete: async (p) => {
      const id = p.split('?')[0];
      calls.push(`DELETE ${id}`);
      for (const [k, v] of creds) creds.set(k, v.filter((c) => c !== id));
      assignments = assignments.filter((a) => a.id !== id);
    },
  };
  let alerts: MonitorAlert[];

  beforeEach(async () => {
    calls = [];
    alerts = [];
    creds = new Map(settings.killSwitch.tools.map((t) => [t.identityId, [`${t.identityId}/federatedIdentityCredentials/${t.tool}-broker`]]));
    assignments = [
      ...settings.killSwitch.tools.map((t) => ({ id: `${APP}/providers/Microsoft.Authorization/roleAssignments/ra-${t.tool}`, principalId: t.principalId, scope: APP })),
      { id: `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/rg-other/providers/Microsoft.Authorization/roleAssignments/ra-outside`, principalId: restart.principalId, scope: `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/rg-other` },
      { id: `${APP}/providers/Microsoft.Authorization/roleAssignments/ra-human`, principalId: '30000000-0000-4000-8000-000000000001', scope: APP },
    ];
    for (const e of await list(tables[AZURE_MONITOR_TABLE])) await tables[AZURE_MONITOR_TABLE].deleteEntity(e.partitionKey, e.rowKey);
    for (const e of await list(tables[AZURE_APPROVALS_TABLE])) await tables[AZURE_APPROVALS_TABLE].deleteEntity(e.partitionKey, e.rowKey);
    await tables[AZURE_KILL_SWITCH_TABLE].upsertEntity({ partitionKey: AZURE_KILL_SWITCH_PARTITION, rowKey: 'deploy-operator', state: 'disengaged' }, 'Replace');
  });
  const list = async (t: TableClient) => { const out: { partitionKey: string; rowKey: string }[] = []; for await (const e of t.listEntities()) out.push(e as never); return out; };
  const flag = async () => (await tables[AZURE_KILL_SWITCH_TABLE].getEntity<{ state: string }>(AZURE_KILL_SWITCH_PARTITION, 'deploy-operator')).state;
  const handler = () => createAzureMonitorHandler(() => azureMonitorFromEnv(env, {
    table: (_endpoint, name) => tables[name], arm, alerts: { publish: async (a) => { alerts.push(a); } },
    now: () => Date.parse(WEDNESDAY_11_DUBLIN), log: () => undefined,
  }));
  const restartEvent = (id: string) => resourceEvent({ id, type: 'Microsoft.Resources.ResourceActionSuccess', action: 'Microsoft.App/containerApps/revisions/restart/action', resource: `${APP}/revisions/checkout--v2`, appid: restart.clientId, oid: restart.principalId });
  const deliver = (event: unknown) => ({ Data: { event }, Metadata: {} });

  test('the playbook carries the tools\' principal ids, read from the synthesized identities by the checks\' adapter', () => {
    const playbook = JSON.parse(env.ACTIVITY_PLAYBOOK);
    expect(playbook.agents).toHaveLength(1);
    expect(playbook.agents[0]).toMatchObject({ agent: 'deploy-operator', environment: 'prod' });
    expect(playbook.agents[0].tools.map((t: any) => [t.name, t.identities, t.requiresApproval])).toEqual([
      ['read-service', [readService.principalId], false], ['restart-service', [restart.principalId], true], ['rollback-deployment', [tool('DeployOperator', 'rollback-deployment').principalId], true],
    ]);
  });

  test('a restart without an approval trips: every tool\'s federated credentials and in-group assignments are gone, the flag is engaged; a redelivery does nothing', async () => {
    const h = handler();
    const [d] = await h(deliver(restartEvent('trip-1')));
    expect(d).toMatchObject({ outcome: 'judged', verdict: 'destructive-without-approval', severity: 'trip', killSwitch: { pulled: true } });
    expect([...creds.values()].flat()).toEqual([]);
    expect(assignments.map((a) => a.id.split('/').pop())).toEqual(['ra-outside', 'ra-human']);
    expect(d.killSwitch!.steps!.some((s) => s.includes('left role assignment') && s.includes('ra-outside'))).toBe(true);
    expect(await flag()).toBe('engaged');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ verdict: 'destructive-without-approval', tool: 'restart-service', event: { identity: restart.principalId, action: 'Microsoft.App/containerApps/revisions/restart/action' } });
    expect(calls.filter((c) => c.startsWith('DELETE')).every((c) => !c.includes('ra-human') && !c.includes('ra-outside'))).toBe(true);

    calls = [];
    const [again] = await handler()(deliver(restartEvent('trip-1'))); // a new instance, the same event id
    expect(again.outcome).toBe('replay');
    expect(calls).toEqual([]);
    expect(alerts).toHaveLength(1);
  });

  test('with an approved request in the broker\'s approvals table, the restart is expected', async () => {
    await tables[AZURE_APPROVALS_TABLE].createEntity({ partitionKey: 'deploy-operator', rowKey: 'ap-1', approvalId: 'ap-1', agent: 'deploy-operator', tool: 'restart-service', lineageId: 'incident-7', status: 'used', approvedAt: '2026-03-25T10:50:00.000Z', usedAt: '2026-03-25T10:55:00.000Z' });
    const [d] = await handler()(deliver(restartEvent('ok-1')));
    expect(d).toMatchObject({ verdict: 'expected', alerted: false });
    expect(await flag()).toBe('disengaged');
    expect(calls).toEqual([]);
  });

  test('an undeclared action alerts without tripping; denials across instances add up to a burst in the shared table', async () => {
    const read = (id: string, status = 'Succeeded') => resourceEvent({ id, type: 'Microsoft.Resources.ResourceActionSuccess', action: 'Microsoft.App/containerApps/listSecrets/action', resource: APP, appid: readService.clientId, oid: readService.principalId, status });
    const [d] = await handler()(deliver(read('u-1')));
    expect(d).toMatchObject({ verdict: 'undeclared-action', severity: 'alert' });
    expect(await flag()).toBe('disengaged');
    const counter = (await import('../../../constructs/azure/monitor-runtime/table-monitor-memory')).TableDeniedBurstCounter;
    const shared = new counter(tables[AZURE_MONITOR_TABLE] as never, settings.policy.deniedBurst);
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) counts.push(await shared.deny('s1', `d-${i % 5}`, Date.parse(WEDNESDAY_11_DUBLIN) + i));
    expect(counts).toEqual([1, 2, 3, 4, 5, 5]); // the sixth is a redelivery of the first: counted once
  });

  test('the prebuilt bundle (dist-handler/azure-monitor) runs the same trip through its HTTP custom handler', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require('../../../dist-handler/azure-monitor/index.js');
    const server = bundled.createAzureMonitorServer(bundled.createAzureMonitorHandler(() => bundled.azureMonitorFromEnv(env, {
      table: (_e: string, n: string) => tables[n], arm, alerts: { publish: async (a: MonitorAlert) => { alerts.push(a); } }, now: () => Date.parse(WEDNESDAY_11_DUBLIN), log: () => undefined,
    })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const post = (body: unknown) => fetch(`http://127.0.0.1:${server.address().port}/monitor`, { method: 'POST', body: JSON.stringify(body) });
      const res = await post(deliver(JSON.stringify(restartEvent('bundle-1')))); // the host may pass the event as JSON text
      expect(res.status).toBe(200);
      expect(JSON.parse(((await res.json()) as { ReturnValue: string }).ReturnValue)[0]).toMatchObject({ verdict: 'destructive-without-approval', killSwitch: { pulled: true } });
      expect(await flag()).toBe('engaged');
      expect([...creds.values()].flat()).toEqual([]);
      expect((await post('not an invocation')).status).toBe(200); // no events: nothing to judge
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('a failing ARM call fails the invocation after the alert (Event Grid retries), and the retry completes the trip', async () => {
    const broken: ArmCalls = { get: arm.get, delete: async () => { throw new Error('ARM 500'); } };
    const h = createAzureMonitorHandler(() => azureMonitorFromEnv(env, { table: (_e, n) => tables[n], arm: broken, alerts: { publish: async (a) => { alerts.push(a); } }, now: () => Date.parse(WEDNESDAY_11_DUBLIN), log: () => undefined }));
    await expect(h(deliver(restartEvent('retry-1')))).rejects.toThrow(/kill switch of agent deploy-operator not pulled/);
    expect(alerts[0].killSwitch).toMatchObject({ pulled: false });
    const [d] = await handler()(deliver(restartEvent('retry-1')));
    expect(d.killSwitch).toMatchObject({ pulled: true });
    expect(await flag()).toBe('engaged');
  });
});

interface RolePermissions { actions?: string[]; not_actions?: string[]; data_actions?: string[]; not_data_actions?: string[] }

/** Azure RBAC for one role assignment, its condition aside: its scope contains the resource, and its role allows the (data) action after its not-actions. */
function assignmentAllows(scope: string, p: RolePermissions, action: string, resource: string, dataAction: boolean): boolean {
  const s = scope.toLowerCase();
  if (resource.toLowerCase() !== s && !resource.toLowerCase().startsWith(`${s}/`)) return false;
  const [allow, deny] = dataAction ? [p.data_actions ?? [], p.not_data_actions ?? []] : [p.actions ?? [], p.not_actions ?? []];
  return allow.some((x) => globMatch(x, action, { questionWildcard: false })) && !deny.some((x) => globMatch(x, action, { questionWildcard: false }));
}

describe('the monitor\'s roles, evaluated: the kill-switch path and its own state, nothing else', () => {
  const builtins = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'policies', 'azure-builtin-roles.json'), 'utf8'));
  const builtinList: any[] = Array.isArray(builtins.roles) ? builtins.roles : Object.values(builtins.roles ?? builtins);
  const definitions = new Map(of('azurerm_role_definition').map(([k, r]) => [`\${azurerm_role_definition.${k}.role_definition_resource_id}`, r]));
  const monitorKey = identityKey('DeployOperatorMonitor_Identity');
  const assignmentsOfMonitor = of('azurerm_role_assignment').map(([, a]) => a).filter((a) => a.principal_id === `\${azurerm_user_assigned_identity.${monitorKey}.principal_id}`);
  const permissionsOf = (roleId: string) => {
    const custom = definitions.get(roleId);
    if (custom) return custom.permissions[0];
    const b = builtinList.find((r) => roleId.endsWith(r.id));
    return { actions: b.actions, not_actions: b.notActions, data_actions: b.dataActions, not_data_actions: b.notDataActions };
  };
  /** Azure RBAC for one principal: an assignment whose scope contains the resource, whose role allows the (data) action, and whose condition (the kill switch's: deletes only of the listed principals' assignments) holds. */
  const allowed = (action: string, resource: string, dataAction: boolean, target?: { principalId: string }) => assignmentsOfMonitor.some((a) => {
    if (!assignmentAllows(resolveRefs(a.scope), permissionsOf(a.role_definition_id), action, resource, dataAction)) return false;
    if (a.condition && /ActionMatches\{'Microsoft\.Authorization\/roleAssignments\/delete'\}/.test(a.condition) && action.toLowerCase() === 'microsoft.authorization/roleassignments/delete') {
      const listed = [...resolveRefs(a.condition).matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)].map((m) => m[0].toLowerCase());
      return target !== undefined && listed.includes(target.principalId.toLowerCase());
    }
    return true;
  });
  const brokerAccount = stack.deployOperatorBroker.stateAccount.id;
  const monitorAccount = of('azurerm_storage_account').map(([, r]) => r.name as string).find((n) => n.startsWith('agm'))!;
  const ownAccount = `${RG}/providers/Microsoft.Storage/storageAccounts/${monitorAccount}`;

  test('the kill-switch path is allowed: the tools\' credentials and assignments, the broker flag', () => {
    for (const t of settings.killSwitch.tools) {
      expect(allowed('Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read', `${t.identityId}/federatedIdentityCredentials/x`, false)).toBe(true);
      expect(allowed('Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete', `${t.identityId}/federatedIdentityCredentials/x`, false)).toBe(true);
      expect(allowed('Microsoft.Authorization/roleAssignments/delete', `${APP}/providers/Microsoft.Authorization/roleAssignments/ra`, false, { principalId: t.principalId })).toBe(true);
    }
    expect(allowed('Microsoft.Storage/storageAccounts/tableServices/tables/entities/update/action', `${brokerAccount}/tableServices/default/tables/${AZURE_KILL_SWITCH_TABLE}`, true)).toBe(true);
  });

  test('nothing else: no other principal\'s assignment, no writes to identities, roles or the agent\'s resources, no other table, no deletes', () => {
    const denied: [string, string, boolean, { principalId: string }?][] = [
      ['Microsoft.Authorization/roleAssignments/delete', `${APP}/providers/Microsoft.Authorization/roleAssignments/ra-human`, false, { principalId: '30000000-0000-4000-8000-000000000001' }],
      ['Microsoft.Authorization/roleAssignments/delete', `${RG}/providers/Microsoft.Authorization/roleAssignments/ra-monitor`, false, { principalId: fake(monitorKey, 'principal_id') }],
      ['Microsoft.Authorization/roleAssignments/write', `${RG}/providers/Microsoft.Authorization/roleAssignments/new`, false],
      ['Microsoft.Authorization/roleDefinitions/write', `${RG}/providers/Microsoft.Authorization/roleDefinitions/new`, false],
      ['Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write', `${restart.id}/federatedIdentityCredentials/evil`, false],
      ['Microsoft.ManagedIdentity/userAssignedIdentities/assign/action', restart.id, false],
      ['Microsoft.App/containerApps/revisions/restart/action', `${APP}/revisions/checkout--v2`, false],
      ['Microsoft.App/containerApps/write', APP, false],
      ['Microsoft.Storage/storageAccounts/listKeys/action', brokerAccount, false],
      ['Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete', `${brokerAccount}/tableServices/default/tables/${AZURE_KILL_SWITCH_TABLE}`, true],
      ['Microsoft.Storage/storageAccounts/tableServices/tables/entities/write', `${brokerAccount}/tableServices/default/tables/${AZURE_APPROVALS_TABLE}`, true],
      ['Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete', `${ownAccount}/tableServices/default/tables/${AZURE_MONITOR_TABLE}`, true],
      ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete', `${ownAccount}/queueServices/default/queues/agalerts`, true],
      ['Microsoft.KeyVault/vaults/keys/sign/action', `${RG}/providers/Microsoft.KeyVault/vaults/agb/keys/assertion-signing`, true],
      ['Microsoft.EventGrid/systemTopics/eventSubscriptions/delete', `${RG}/providers/Microsoft.EventGrid/systemTopics/t/eventSubscriptions/s`, false],
      ['Microsoft.Web/sites/write', `${RG}/providers/Microsoft.Web/sites/ag-monitor`, false],
    ];
    for (const [action, resource, data, target] of denied) expect([action, resource.split('/').slice(-2).join('/'), allowed(action, resource, data, target)]).toEqual([action, resource.split('/').slice(-2).join('/'), false]);
  });

  test('no assignment wider than a resource group; the kill-switch one carries the tools-only condition', () => {
    for (const a of assignmentsOfMonitor) expect(resolveRefs(a.scope)).toMatch(new RegExp(`^${RG}(/|$)`));
    const ks = assignmentsOfMonitor.find((a) => a.condition);
    expect(ks.condition_version).toBe('2.0');
    expect(resolveRefs(ks.condition)).toContain(restart.principalId);
  });
});

describe('the checks know the monitor', () => {
  const inventory = inventoryFromCdktfOut(outdir);
  test('every agent and Azure rule passes the example with the monitor', () => {
    expect(runRules(inventory, [...AGENT_RULES, ...AZURE_RULES], Baseline.default()).map((f) => `${f.ruleId} ${f.detail}`)).toEqual([]);
  });

  test('AGENT-005: a monitor grant beyond its set, or at subscription scope, is a finding', () => {
    const monitor = inventory.identities.find((i) => i.labels.component === 'monitor' && i.cloud === 'azure')!;
    const grant = inventory.grants.find((g) => g.identityId === monitor.id && g.role?.includes('ownTable'))!;
    const widened = { ...inventory, grants: [...inventory.grants, { ...grant, id: `${grant.id}-w`, actions: [...grant.actions, 'Microsoft.App/containerApps/write'] }] };
    expect(runRules(widened, [KILL_SWITCH], Baseline.default()).map((f) => f.detail)).toEqual(['monitor-holds:Microsoft.App/containerApps/write']);
    const wide = { ...inventory, grants: [...inventory.grants, { ...grant, id: `${grant.id}-s`, resources: [`/subscriptions/${AZURE_SUBSCRIPTION}`], scopeLevel: 'subscription' as const }] };
    expect(runRules(wide, [KILL_SWITCH], Baseline.default()).map((f) => f.detail)).toEqual([expect.stringMatching(/^monitor-holds:.* at subscription scope$/)]);
  });
});

describe('AGENT-005 keeps tools off the monitor\'s resources (attacks on the synthesized configuration, evaluated)', () => {
  // Azure deny assignments cannot be created directly (only Blueprints and deployment stacks make them): the allow side must keep tools off the monitor.
  const SUB = `/subscriptions/${AZURE_SUBSCRIPTION}`;
  const MG = '/providers/Microsoft.Management/managementGroups/mg-agents'; // the example's subscription is in it
  const member = `\${azurerm_user_assigned_identity.${identityKey('DeployOperator_restart-service-identity')}.principal_id}`;
  const account = `${RG}/providers/Microsoft.Storage/storageAccounts/${of('azurerm_storage_account').map(([, r]) => r.name as string).find((n) => n.startsWith('agm'))}`;
  const functionApp = `${RG}/providers/Microsoft.Web/sites/${fn.name}`;
  const [[, topic]] = of('azurerm_eventgrid_system_topic');
  const named = (type: string, prefix: string) => of(type).map(([, r]) => r.name as string).find((n) => n.startsWith(prefix))!;
  /** What tampering with the monitor looks like, resource by resource: [action, resource, data action]. */
  const tampering: [string, string, boolean][] = [
    ['Microsoft.Web/sites/write', functionApp, false], ['Microsoft.Web/sites/config/write', `${functionApp}/config/appsettings`, false],
    ['Microsoft.Web/sites/host/listkeys/action', `${functionApp}/host/default`, false], ['Microsoft.Web/sites/slots/write', `${functionApp}/slots/staging`, false],
    ['Microsoft.Storage/storageAccounts/listKeys/action', account, false],
    ['Microsoft.Storage/storageAccounts/tableServices/tables/entities/write', `${account}/tableServices/default/tables/${AZURE_MONITOR_TABLE}`, true],
    ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action', `${account}/queueServices/default/queues/agalerts`, true],
    ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete', `${account}/blobServices/default/containers/dead-letters/blobs/x`, true],
    ['Microsoft.EventGrid/systemTopics/eventSubscriptions/delete', `${RG}/providers/Microsoft.EventGrid/systemTopics/${topic.name}/eventSubscriptions/${subscription.name}`, false],
    ['Microsoft.Insights/actionGroups/write', `${RG}/providers/Microsoft.Insights/actionGroups/${named('azurerm_monitor_action_group', 'agent-guardrails')}`, false],
    ['Microsoft.Insights/metricAlerts/delete', `${RG}/providers/Microsoft.Insights/metricAlerts/${named('azurerm_monitor_metric_alert', 'agent-guardrails')}`, false],
    ['Microsoft.Insights/diagnosticSettings/delete', `${SUB}/providers/Microsoft.Insights/diagnosticSettings/agent-guardrails-deploy-operator-prod`, false],
    ['Microsoft.Insights/components/delete', `${RG}/providers/Microsoft.Insights/components/deploy-operator-prod-monitor`, false], // what the failed-invocations alert watches
  ];
  const catalog = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'policies', 'azure-builtin-roles.json'), 'utf8')).roles as any[];
  const builtin = (name: string): RolePermissions | undefined => {
    const r = catalog.find((x) => x.name === name);
    return r && { actions: r.actions, not_actions: r.notActions, data_actions: r.dataActions, not_data_actions: r.notDataActions };
  };
  interface Attack { readonly scope: string; readonly role?: string; readonly roleId?: string; readonly custom?: RolePermissions }
  const withGrant = (a: Attack) => {
    const doc = JSON.parse(JSON.stringify(json));
    if (a.custom) doc.resource.azurerm_role_definition.AttackRole = { name: 'attack', scope: a.scope, permissions: [{ actions: [], not_actions: [], data_actions: [], not_data_actions: [], ...a.custom }], assignable_scopes: [a.scope] };
    const role = a.custom ? { role_definition_id: '${azurerm_role_definition.AttackRole.role_definition_resource_id}' } : a.role ? { role_definition_name: a.role } : { role_definition_id: a.roleId };
    doc.resource.azurerm_role_assignment.AttackGrant = { scope: a.scope, principal_id: member, ...role };
    return doc;
  };
  const agent005 = (a: Attack) => runRules(inventoryFromTerraformJson(withGrant(a)), [KILL_SWITCH], Baseline.default()).map((f) => f.detail);
  /** The tampering RBAC lets the attack's assignment do (a management-group scope holds the example's subscription). */
  const evaluated = (a: Attack, permissions: RolePermissions) => tampering.filter(([action, resource, data]) => assignmentAllows(a.scope === MG ? SUB : a.scope, permissions, action, resource, data)).map(([action]) => action);

  test('without the attack, no tool reaches the monitor', () => {
    expect(runRules(inventoryFromTerraformJson(json), [KILL_SWITCH], Baseline.default())).toEqual([]);
  });

  test('a tool that can rewrite, stop or deploy to the monitor\'s function, write its storage, delete its subscription or alerts is a finding, at any scope that holds them', () => {
    const attacks: [Attack, string][] = [
      [{ scope: RG, role: 'Storage Account Contributor' }, 'Microsoft.Storage/storageAccounts/*'],
      [{ scope: RG, custom: { actions: ['Microsoft.Web/sites/*'] } }, 'Microsoft.Web/sites/*'],
      [{ scope: SUB, role: 'Storage Table Data Contributor' }, 'Microsoft.Storage/storageAccounts/tableServices/tables/write'], // forge replay claims, reset the denied-burst count
      [{ scope: `${account}/queueServices/default/queues/agalerts`, role: 'Storage Queue Data Message Processor' }, 'Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action'], // swallow alerts
      [{ scope: MG, custom: { actions: ['Microsoft.EventGrid/systemTopics/eventSubscriptions/delete'] } }, 'Microsoft.EventGrid/systemTopics/eventSubscriptions/delete'],
      [{ scope: functionApp, custom: { actions: ['Microsoft.Web/sites/config/write'] } }, 'Microsoft.Web/sites/config/write'],
      [{ scope: RG, custom: { actions: ['Microsoft.Insights/actionGroups/write', 'Microsoft.Insights/metricAlerts/delete'] } }, 'Microsoft.Insights/actionGroups/write'],
      [{ scope: SUB, custom: { actions: ['Microsoft.Insights/diagnosticSettings/delete'] } }, 'Microsoft.Insights/diagnosticSettings/delete'], // the activity-log export drift reads
      [{ scope: RG, role: 'Contributor' }, '*'],
      [{ scope: RG, role: 'Application Insights Component Contributor' }, 'Microsoft.Insights/components/*'], // delete what the failed-invocations alert watches
    ];
    for (const [attack, first] of attacks) {
      const permissions = attack.custom ?? builtin(attack.role!)!;
      expect([attack, agent005(attack).filter((d) => d?.startsWith('can-blind-monitor'))]).toEqual([attack, [`can-blind-monitor:${first}`]]); // Contributor is can-modify as well
      expect([attack, evaluated(attack, permissions).length > 0]).toEqual([attack, true]); // and RBAC says it can
    }
  });

  test('a tool that can add a federated credential to the monitor\'s identity (and so act as the monitor, which holds the kill-switch role) is a finding', () => {
    const monitorIdentity = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${of('azurerm_user_assigned_identity').map(([, r]) => r.name as string).find((n) => n.endsWith('-monitor'))}`;
    const attack = { scope: monitorIdentity, custom: { actions: ['Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write'] } };
    expect(agent005(attack)).toEqual(['can-modify:Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write']);
    expect(assignmentAllows(attack.scope, attack.custom, attack.custom.actions[0], `${monitorIdentity}/federatedIdentityCredentials/evil`, false)).toBe(true);
    // On the tool's own identity it is not the monitor's (AZ rules judge identity pivots there).
    expect(agent005({ ...attack, scope: restart.id.replace(/[^/]+$/, 'checkout-runtime') })).toEqual([]);
  });

  test('with a shared system topic of another group (`systemTopic`), the monitor\'s subscription on it is still its own part; the topic\'s other subscriptions are not', () => {
    const doc = JSON.parse(JSON.stringify(json));
    for (const [k, r] of Object.entries<any>(doc.resource.azurerm_monitor_metric_alert)) if (String(r.scopes).includes('azurerm_eventgrid_system_topic')) delete doc.resource.azurerm_monitor_metric_alert[k];
    delete doc.resource.azurerm_eventgrid_system_topic;
    const [[key]] = Object.entries<any>(doc.resource.azurerm_eventgrid_system_topic_event_subscription);
    Object.assign(doc.resource.azurerm_eventgrid_system_topic_event_subscription[key], { system_topic: 'shared-topic', resource_group_name: 'rg-shared' });
    const topicId = `${SUB}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/shared-topic`;
    const role = { permissions: [{ actions: ['Microsoft.EventGrid/systemTopics/eventSubscriptions/delete'], not_actions: [], data_actions: [], not_data_actions: [] }] };
    const run = (scope: string) => {
      const d = JSON.parse(JSON.stringify(doc));
      d.resource.azurerm_role_definition.AttackRole = { name: 'attack', scope, ...role, assignable_scopes: [scope] };
      d.resource.azurerm_role_assignment.AttackGrant = { scope, principal_id: member, role_definition_id: '${azurerm_role_definition.AttackRole.role_definition_resource_id}' };
      return runRules(inventoryFromTerraformJson(d), [KILL_SWITCH], Baseline.default()).map((f) => f.detail);
    };
    expect(run(topicId)).toEqual(['can-blind-monitor:Microsoft.EventGrid/systemTopics/eventSubscriptions/delete']);
    expect(run(`${topicId}/eventSubscriptions/${subscription.name}`)).toEqual(['can-blind-monitor:Microsoft.EventGrid/systemTopics/eventSubscriptions/delete']);
    expect(run(`${topicId}/eventSubscriptions/orders-events`)).toEqual([]);
    expect(run(`${SUB}/resourceGroups/rg-shared`)).toEqual(['can-blind-monitor:Microsoft.EventGrid/systemTopics/eventSubscriptions/delete']);
  });

  test('a role whose actions are unknown, at a scope holding the monitor, is reported; on the tool\'s own resource it is not', () => {
    // A name no role data holds (a typo, or a role newer than the data).
    expect(builtin('Web Site Contributor')).toBeUndefined();
    expect(agent005({ scope: RG, role: 'Web Site Contributor' })).toEqual(['can-blind-monitor:unknown-role:Web Site Contributor']);
    expect(agent005({ scope: RG, roleId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/0bd3b1e5-0000-4000-8000-00000000abcd` })).toEqual([expect.stringMatching(/^can-blind-monitor:unknown-role:/)]);
    expect(agent005({ scope: APP, role: 'Web Site Contributor' })).toEqual([]);
    // A Key Vault access policy's permissions are its actions: with none on a vault it names by a variable, it grants nothing to judge.
    const doc = JSON.parse(JSON.stringify(json));
    doc.resource.azurerm_key_vault_access_policy = { Empty: { key_vault_id: '${var.vault_id}', tenant_id: '00000000-0000-4000-8000-0000000000f0', object_id: member } };
    expect(runRules(inventoryFromTerraformJson(doc), [KILL_SWITCH], Baseline.default())).toEqual([]);
  });

  test('reads, and writes on the tool\'s own resources, stay clean', () => {
    const own = `${RG}/providers/Microsoft.Storage/storageAccounts/checkoutorders`;
    const clean: Attack[] = [
      { scope: own, role: 'Storage Blob Data Reader' },
      { scope: own, role: 'Storage Blob Data Contributor' },
      { scope: RG, role: 'Reader' },
      { scope: RG, role: 'Storage Blob Data Reader' }, // reads the monitor's blobs, changes nothing (its delegation key is capped at reads)
      { scope: SUB, role: 'Monitoring Reader' },
      { scope: APP, custom: { actions: ['Microsoft.App/containerApps/*'] } },
      { scope: RG, custom: { actions: ['Microsoft.Web/sites/*/read', 'Microsoft.Storage/storageAccounts/read'], data_actions: ['Microsoft.Storage/storageAccounts/queueServices/queues/messages/read'] } },
      { scope: RG, custom: { actions: ['Microsoft.Insights/diagnosticSettings/*'] } }, // the export is set on the subscription, not in the group
      // Another subscription (the monitor's is its agent's declared placement), and a group of the same name there.
      { scope: '/subscriptions/11111111-0000-4000-8000-000000000001', role: 'Storage Account Contributor' },
      { scope: '/subscriptions/11111111-0000-4000-8000-000000000001/resourceGroups/rg-checkout-prod', custom: { actions: ['Microsoft.Web/sites/*'] } },
    ];
    for (const attack of clean) {
      expect([attack, agent005(attack)]).toEqual([attack, []]);
      expect([attack, evaluated(attack, attack.custom ?? builtin(attack.role!)!)]).toEqual([attack, []]);
    }
    // Everything but the monitor's providers: not a way to blind it (its NotActions are can-modify, as for Contributor).
    const allBut = { scope: RG, custom: { actions: ['*'], not_actions: ['Microsoft.Web/*', 'Microsoft.Storage/*', 'Microsoft.EventGrid/*', 'Microsoft.Insights/*'] } };
    expect(agent005(allBut).filter((d) => d?.startsWith('can-blind-monitor'))).toEqual([]);
    expect(evaluated(allBut, allBut.custom)).toEqual([]);
  });
});

const fullData = fullRoleDataAvailable() ? describe : describe.skip;
fullData('AGENT-005 with the full role data (tests only): Website Contributor is judged by its actions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-az-roles-'));
  beforeAll(() => { writeFullRoleData(dir); useRoleData(dir); });
  afterAll(() => { useRoleData(undefined); fs.rmSync(dir, { recursive: true, force: true }); });

  test('Website Contributor at the monitor\'s resource group holds Microsoft.Web/sites/* and Microsoft.Insights/components/*: a finding', () => {
    const toolKey = identityKey('DeployOperator_restart-service-identity');
    const doc = JSON.parse(JSON.stringify(json));
    doc.resource.azurerm_role_assignment.AttackGrant = { scope: RG, principal_id: `\${azurerm_user_assigned_identity.${toolKey}.principal_id}`, role_definition_name: 'Website Contributor' };
    expect(runRules(inventoryFromTerraformJson(doc), [KILL_SWITCH], Baseline.default()).map((f) => f.detail)).toEqual(['can-blind-monitor:Microsoft.Insights/components/*']); // and Microsoft.Web/sites/*
  });
});
