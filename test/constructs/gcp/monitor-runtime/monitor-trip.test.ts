import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { createMonitorHandler, gcpMonitorFromEnv, GcpMonitor, PubSubPush } from '../../../../constructs/gcp/monitor-runtime/monitor-server';
import type { MonitorFirestore } from '../../../../constructs/gcp/monitor-runtime/firestore-monitor-memory';
import type { IGoogleApi } from '../../../../constructs/gcp/broker-runtime/google-api';
import { GcpAgentsStack } from '../../../../examples/tf/agents';
import { GcpIamEvaluator } from '../../../helpers/gcp-iam-evaluator';
import { auditLogEntry, brokerDecisionEntry } from '../monitor-fixture';

/**
 * The GCP monitor's trip path, end to end in process: the example's synthesized function
 * environment, Firestore and Google's APIs as fakes that keep state, and every call the monitor
 * makes authorized by the example's own bindings (GcpIamEvaluator, CEL conditions evaluated): a
 * call its service account may not make fails as Google would fail it.
 */
const SHARED = process.env.AGENT_GUARDRAILS_SHARED_DATA ?? '/work/shared/data';
const ROLE_DATA = path.join(SHARED, 'gcp-predefined-roles.json');
const suite = fs.existsSync(ROLE_DATA) ? describe : describe.skip;

const stack = new GcpAgentsStack(Testing.app(), 'agents-gcp');
const monitorConstruct = stack.deployOperatorMonitor;
const PROJECT = stack.deployOperator.project;
const tools = stack.deployOperator.tools.map((t) => stack.deployOperator.emailFor(t.name));
const [readService, restartService, rollback] = tools;
const raw = JSON.parse(JSON.stringify(stack.toTerraform()));
const fn = Object.values<any>(raw.resource.google_cloudfunctions2_function).find((f) => f.name === monitorConstruct.functionName);
const env = fn.service_config.environment_variables as Record<string, string>;
const NOW = Date.parse('2026-03-25T11:00:05Z');

/** Firestore in process: documents per database, transactions applied at the end (one caller at a time). */
class FakeFirestore {
  public readonly docs = new Map<string, Record<string, unknown>>();
  constructor(public readonly id: string, private readonly authorize: (permission: string) => void) {}
  public doc(p: string) {
    const snapshot = () => {
      const data = this.docs.get(p);
      return { exists: data !== undefined, data: () => data, get: (f: string) => data?.[f] };
    };
    return {
      path: p,
      get: async () => { this.authorize('datastore.entities.get'); return snapshot(); },
      set: async (data: Record<string, unknown>, opts?: { merge?: boolean }) => {
        this.authorize(this.docs.has(p) ? 'datastore.entities.update' : 'datastore.entities.create');
        this.docs.set(p, opts?.merge ? { ...(this.docs.get(p) ?? {}), ...data } : { ...data });
      },
      snapshot,
    };
  }
  public async runTransaction<T>(f: (tx: unknown) => Promise<T>): Promise<T> {
    const writes: Array<() => void> = [];
    const tx = {
      get: async (ref: { get(): Promise<unknown> }) => ref.get(),
      set: (ref: { path: string }, data: Record<string, unknown>) => {
        this.authorize(this.docs.has(ref.path) ? 'datastore.entities.update' : 'datastore.entities.create');
        writes.push(() => this.docs.set(ref.path, { ...data }));
        return tx;
      },
    };
    const out = await f(tx);
    for (const w of writes) w();
    return out;
  }
}

suite('gcp activity monitor: a trip disables every tool service account and engages the broker flag, once', () => {
  const data = JSON.parse(fs.readFileSync(ROLE_DATA, 'utf8')) as { roles: Record<string, { permissions: string[] }> };
  const evaluator = GcpIamEvaluator.fromTerraform(JSON.parse(Testing.synth(stack, true)), {
    roles: Object.fromEntries(['roles/datastore.user', 'roles/datastore.viewer', 'roles/run.invoker'].map((r) => [r, data.roles[r].permissions])),
  });
  const allowed = (permission: string, resource: string) => evaluator.decide({ principal: monitorConstruct.email, permission, resource, time: new Date(NOW) }) === 'Allowed';

  let disabled: Set<string>;
  let calls: string[];
  let alerts: Array<Record<string, any>>;
  let databases: Map<string, FakeFirestore>;
  let failDisable: Set<string>;
  let logs: Array<Record<string, unknown>>;

  const api: IGoogleApi = {
    request: async <T>(o: { url: string; data: unknown }) => {
      const disable = /^https:\/\/iam\.googleapis\.com\/v1\/(projects\/[^/]+\/serviceAccounts\/)([^/:]+):disable$/.exec(o.url);
      if (disable) {
        const email = decodeURIComponent(disable[2]);
        const resource = `${disable[1]}${email}`;
        calls.push(`disable ${email}`);
        if (!allowed('iam.serviceAccounts.disable', resource)) throw Object.assign(new Error(`403 PERMISSION_DENIED on ${resource}`), { code: 403 });
        if (failDisable.has(email)) throw new Error('503 UNAVAILABLE');
        disabled.add(email);
        return { data: {} as T };
      }
      const publish = /^https:\/\/pubsub\.googleapis\.com\/v1\/(projects\/[^/]+\/topics\/[^/:]+):publish$/.exec(o.url);
      if (publish) {
        if (!allowed('pubsub.topics.publish', publish[1])) throw new Error(`403 PERMISSION_DENIED on ${publish[1]}`);
        for (const m of (o.data as { messages: { data: string; attributes: Record<string, string> }[] }).messages) {
          alerts.push({ ...JSON.parse(Buffer.from(m.data, 'base64').toString('utf8')), attributes: m.attributes });
        }
        return { data: { messageIds: [String(alerts.length)] } as T };
      }
      throw new Error(`unexpected call ${o.url}`);
    },
  };
  const openDatabase = (project: string, id: string): MonitorFirestore => {
    let db = databases.get(id);
    if (!db) {
      db = new FakeFirestore(id, (permission) => {
        if (!allowed(permission, `projects/${project}/databases/${id}`)) throw new Error(`403 PERMISSION_DENIED: ${permission} on ${id}`);
      });
      databases.set(id, db);
    }
    return db as unknown as MonitorFirestore;
  };
  const make = (): GcpMonitor => gcpMonitorFromEnv(env, { api, openDatabase, log: (r) => logs.push(r as Record<string, unknown>), clock: () => NOW });
  const push = (entry: unknown, messageId = 'm-1'): PubSubPush => ({ message: { data: Buffer.from(JSON.stringify(entry)).toString('base64'), messageId }, subscription: 'projects/p/subscriptions/s' });
  const flag = () => databases.get('ag-deploy-operator-kill')?.docs.get('killSwitches/deploy-operator');

  beforeEach(() => {
    disabled = new Set();
    calls = [];
    alerts = [];
    logs = [];
    failDisable = new Set();
    databases = new Map();
    // The broker's flag as deployed: disengaged.
    (openDatabase(PROJECT, 'ag-deploy-operator-kill') as unknown as FakeFirestore).docs.set('killSwitches/deploy-operator', { state: 'disengaged' });
  });

  test('the destructive tool used without an approval: all tool accounts disabled, flag engaged, one alert; the redelivery changes nothing', async () => {
    const monitor = make();
    const entry = auditLogEntry({ principal: rollback, insertId: 'ins-1' });
    const [decision] = await monitor.handle(push(entry));
    expect(decision).toMatchObject({ outcome: 'judged', verdict: 'destructive-without-approval', severity: 'trip', tool: 'rollback-deployment', killSwitch: { pulled: true } });
    expect([...disabled].sort()).toEqual([...tools].sort());
    expect(flag()).toMatchObject({ state: 'engaged', engagedBy: 'agent-guardrails activity monitor' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'agent-guardrails.activity-alert', agent: 'deploy-operator', verdict: 'destructive-without-approval', severity: 'trip', event: { identity: rollback, action: 'run.services.update' } });
    expect(alerts[0].attributes).toMatchObject({ verdict: 'destructive-without-approval', severity: 'trip', agent: 'deploy-operator' });
    expect(alerts[0].killSwitch.steps).toEqual([...tools.map((t) => `disabled service account ${t}`), 'set ag-deploy-operator-kill/killSwitches/deploy-operator to engaged']);

    // Pub/Sub redelivers the same message (same insertId), to this instance and to a fresh one.
    expect((await monitor.handle(push(entry)))[0]).toMatchObject({ outcome: 'replay' });
    expect((await make().handle(push(entry, 'm-1-again')))[0]).toMatchObject({ outcome: 'replay' });
    expect(calls).toEqual(tools.map((t) => `disable ${t}`));
    expect(alerts).toHaveLength(1);
  });

  test('a tool acting in another project (another environment) trips too; a declared read and an undeclared action do not', async () => {
    const monitor = make();
    expect((await monitor.handle(push(auditLogEntry({ principal: readService, log: 'data_access', method: 'google.cloud.run.v2.Services.GetService', permission: 'run.services.get', insertId: 'ok-1' }))))[0])
      .toMatchObject({ verdict: 'expected', alerted: false });
    expect((await monitor.handle(push(auditLogEntry({ principal: restartService, method: 'google.cloud.run.v2.Services.DeleteService', permission: 'run.services.delete', insertId: 'x-1' }))))[0])
      .toMatchObject({ verdict: 'undeclared-action', severity: 'alert', alerted: true });
    expect(disabled.size).toBe(0);
    expect(flag()).toEqual({ state: 'disengaged' });
    expect(alerts.map((a) => a.verdict)).toEqual(['undeclared-action']);
    const other = `acme-checkout-staging`;
    expect((await monitor.handle(push(auditLogEntry({ principal: readService, project: other, resource: `projects/${other}/locations/europe-west1/services/checkout`, permission: 'run.services.get', insertId: 'env-1' }))))[0])
      .toMatchObject({ verdict: 'other-environment', severity: 'trip', killSwitch: { pulled: true } });
    expect(disabled.size).toBe(3);
    expect(flag()).toMatchObject({ state: 'engaged' });
  });

  test('denials spread over monitor instances are one burst: they count in the monitor\'s database, which its bindings let it use', async () => {
    const monitors = Array.from({ length: 5 }, () => make());
    const verdicts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const entry = auditLogEntry({ principal: readService, permission: 'run.services.update', denied: true, insertId: `probe-${i}`, time: `2026-03-25T11:00:${String(10 + i).padStart(2, '0')}.000Z` });
      verdicts.push((await monitors[i % 5].handle(push(entry, `m-probe-${i}`)))[0].verdict!);
    }
    expect(verdicts).toEqual(['undeclared-action', 'undeclared-action', 'undeclared-action', 'undeclared-action', 'denied-burst', 'denied-burst']);
    const counted = [...databases.get(monitorConstruct.databaseId)!.docs].filter(([k]) => k.startsWith('monitorBursts/'));
    expect(counted.map(([, d]) => (d.ids as string[]).length)).toEqual([5]); // capped at the threshold
    expect(calls).toEqual([]); // a burst alerts; it does not trip by default
  });

  test('an approval the broker\'s database confirms is evidence; a forged decision record is not', async () => {
    const monitor = make();
    const approvals = openDatabase(PROJECT, 'ag-deploy-operator-approvals') as unknown as FakeFirestore;
    approvals.docs.set('approvals/ap-1', { approvalId: 'ap-1', agent: 'deploy-operator', tool: 'rollback-deployment', lineageId: 'incident-7', status: 'used', usedBy: 'd-1' });
    await monitor.handle(push(brokerDecisionEntry({}), 'dec-1'));
    // A forged record (an approval that does not exist) is logged and ignored.
    await monitor.handle(push(brokerDecisionEntry({ decisionId: 'd-666', approvalId: 'ap-666', time: '2026-03-25T11:30:00.000Z', expiresAt: '2026-03-25T11:45:00.000Z' }), 'dec-2'));
    expect(logs.some((l) => String(l.reason).includes('does not confirm'))).toBe(true);
    // A fresh instance (another Cloud Run instance) finds the remembered approval in the monitor's database.
    expect((await make().handle(push(auditLogEntry({ principal: rollback, insertId: 'rb-1' }))))[0]).toMatchObject({ verdict: 'expected' });
    expect(disabled.size).toBe(0);
    // Outside the approved credential's lifetime, the forged one covers nothing: a trip.
    expect((await make().handle(push(auditLogEntry({ principal: rollback, insertId: 'rb-2', time: '2026-03-25T11:35:00Z' }))))[0])
      .toMatchObject({ verdict: 'destructive-without-approval', killSwitch: { pulled: true } });
  });

  test('one entry checking several permissions: each judged under an id of its own, both replay-safe', async () => {
    const entry = auditLogEntry({ principal: restartService, insertId: 'multi-1', morePermissions: ['run.services.delete'] });
    const decisions = await make().handle(push(entry));
    expect(decisions.map((d) => [d.eventId, d.verdict])).toEqual([['multi-1#0', 'expected'], ['multi-1#1', 'undeclared-action']]);
    expect((await make().handle(push(entry))).map((d) => d.outcome)).toEqual(['replay', 'replay']);
    expect(alerts).toHaveLength(1);
  });

  test('a pull that fails part-way answers 500 (Pub/Sub redelivers) after alerting; the redelivery completes it', async () => {
    failDisable.add(restartService);
    const handler = createMonitorHandler(make);
    const status: number[] = [];
    const res = { status: (code: number) => { status.push(code); return { json: () => undefined, end: () => undefined }; } };
    const body = push(auditLogEntry({ principal: rollback, insertId: 'fail-1' }));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await handler({ method: 'POST', body }, res);
      expect(status).toEqual([500]);
      expect(alerts[0].killSwitch).toMatchObject({ pulled: false });
      expect(disabled.has(restartService)).toBe(false);
      expect(flag()).toMatchObject({ state: 'engaged' }); // every step is attempted
      failDisable.clear();
      await handler({ method: 'POST', body }, res);
      expect(status).toEqual([500, 204]);
      expect([...disabled].sort()).toEqual([...tools].sort());
      await handler({ method: 'POST', body }, res);
      expect(status).toEqual([500, 204, 204]);
      expect(calls.filter((c) => c === `disable ${restartService}`)).toHaveLength(2);
    } finally {
      stderr.mockRestore();
    }
  });

  test('the monitor\'s calls are only those its bindings allow: it could not re-enable an account or publish an event', async () => {
    await make().handle(push(auditLogEntry({ principal: rollback, insertId: 'auth-1' })));
    expect(allowed('iam.serviceAccounts.enable', `projects/${PROJECT}/serviceAccounts/${rollback}`)).toBe(false);
    expect(allowed('pubsub.topics.publish', `projects/${PROJECT}/topics/ag-deploy-operator-prod-monitor-events`)).toBe(false);
    await expect(api.request({ url: `https://pubsub.googleapis.com/v1/projects/${PROJECT}/topics/ag-deploy-operator-prod-monitor-events:publish`, method: 'POST', data: { messages: [] } })).rejects.toThrow(/PERMISSION_DENIED/);
  });
});
