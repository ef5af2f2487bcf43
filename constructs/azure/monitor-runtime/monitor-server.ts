/**
 * Azure Functions custom-handler entry point of the Azure activity monitor (bundled with its Azure
 * clients to dist-handler/azure-monitor/ by scripts/build-broker-handler.js; synth never bundles).
 * Invoked through its Event Grid trigger `monitor` with the ARM events of the agent's tool
 * identities (the Event Grid subscription filters on their client ids). A failed invocation
 * answers 500: Event Grid retries, then dead-letters (which alerts).
 *
 * Environment (written by `azure.AgentActivityMonitor`): `ACTIVITY_PLAYBOOK`, `MONITOR_SETTINGS`
 * (monitor-config.ts), `AZURE_CLIENT_ID` (the monitor's own identity), `FUNCTIONS_CUSTOMHANDLER_PORT`.
 */
import { createServer, Server } from 'http';
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';
import { ActivityEvaluator } from '../../../lib/activity/activity-evaluator';
import { ActivityMonitorCore, IMonitorAlerts, MonitorDecisionRecord } from '../../../lib/activity/activity-monitor';
import { ActivityPlaybook } from '../../../lib/activity/activity-playbook';
import type { DecisionRecord } from '../../../lib/broker/ports';
import { ArmCalls, ArmKillSwitch, fetchArmCalls } from './arm-kill-switch';
import { activityRecordOfEventGrid } from './event-grid-resource-event';
import { AZURE_MONITOR_ALERT_QUEUE, AZURE_MONITOR_ENV, AZURE_MONITOR_TABLE, AzureMonitorSettings } from './monitor-config';
import { QueueMonitorAlerts } from './queue-monitor-alerts';
import { MonitorTable, TableDeniedBurstCounter, TableMonitorMemory } from './table-monitor-memory';

/** The Azure services the monitor calls. */
export interface AzureMonitorClients {
  table(endpoint: string, name: string): MonitorTable;
  readonly arm: ArmCalls;
  readonly alerts: IMonitorAlerts;
  readonly now?: () => number;
  readonly log?: (record: MonitorDecisionRecord) => void;
}

/** The real clients, authenticated as the monitor's managed identity. */
function managedIdentityClients(env: NodeJS.ProcessEnv, settings: AzureMonitorSettings): AzureMonitorClients {
  const credential = new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID! });
  const token = (scope: string) => async () => (await credential.getToken(scope)).token;
  return {
    table: (endpoint, name) => new TableClient(endpoint, name, credential),
    arm: fetchArmCalls(token('https://management.azure.com/.default')),
    alerts: new QueueMonitorAlerts(`${settings.queueEndpoint}/${AZURE_MONITOR_ALERT_QUEUE}`, token('https://storage.azure.com/.default')),
  };
}

/** The monitor: its core and what it reads before each delivery (the broker's recent approvals). */
export interface AzureMonitor {
  readonly core: ActivityMonitorCore;
  /** Feed the core the broker's approved requests of the last session length (approval-gated tools). */
  loadApprovals(): Promise<void>;
}

/** The monitor from the function's environment (throws on a broken configuration: every invocation fails, which alerts). */
export function azureMonitorFromEnv(env: NodeJS.ProcessEnv, clients?: AzureMonitorClients): AzureMonitor {
  const playbook = ActivityPlaybook.fromJson(env[AZURE_MONITOR_ENV.playbook] ?? '');
  const settings = JSON.parse(env[AZURE_MONITOR_ENV.settings] ?? '') as AzureMonitorSettings;
  if (!settings?.agent || !settings.policy || !settings.killSwitch || !settings.tableEndpoint || !settings.queueEndpoint) {
    throw new Error(`${AZURE_MONITOR_ENV.settings} is incomplete`);
  }
  const cloud = clients ?? managedIdentityClients(env, settings);
  const own = cloud.table(settings.tableEndpoint, AZURE_MONITOR_TABLE);
  const flag = settings.killSwitch.flag;
  const core = new ActivityMonitorCore(new ActivityEvaluator(playbook, { policy: settings.policy }), {
    alerts: cloud.alerts,
    killSwitch: new ArmKillSwitch(cloud.arm, cloud.table(flag.tableEndpoint, flag.table), settings.killSwitch),
    memory: new TableMonitorMemory(own),
    deniedBursts: new TableDeniedBurstCounter(own, settings.policy.deniedBurst),
    log: cloud.log ?? ((r) => process.stdout.write(`${JSON.stringify(r)}\n`)),
    ...(cloud.now ? { clock: cloud.now } : {}),
  }, { agent: settings.agent, environment: settings.environment });
  const approvals = settings.approvals;
  return {
    core,
    loadApprovals: async () => {
      if (!approvals) return;
      const now = (cloud.now ?? Date.now)();
      const since = new Date(now - approvals.sessionSeconds * 1000).toISOString();
      const table = cloud.table(approvals.tableEndpoint, approvals.table);
      const rows = table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${settings.agent}' and approvedAt ge '${since}'` } });
      for await (const row of rows) {
        const r = decisionOfApproval(row, approvals.sessionSeconds);
        if (r) await core.recordDecision(r);
      }
    },
  };
}

/** An approved (or used) broker approval as the granted decision it allowed. */
function decisionOfApproval(row: Record<string, unknown>, sessionSeconds: number): DecisionRecord | undefined {
  const s = (k: string) => (typeof row[k] === 'string' ? row[k] as string : undefined);
  const status = s('status');
  const at = s('usedAt') ?? s('approvedAt');
  if ((status !== 'approved' && status !== 'used') || !at || !s('tool') || !s('lineageId') || !s('agent')) return undefined;
  const from = Date.parse(at);
  if (Number.isNaN(from)) return undefined;
  return {
    decisionId: `approval:${s('approvalId') ?? String(row.rowKey ?? '')}`, time: at, agent: s('agent')!, tool: s('tool')!, environment: s('environment') ?? '',
    lineageId: s('lineageId')!, decision: 'granted', reasonCode: 'APPROVED', approvalId: s('approvalId') ?? String(row.rowKey ?? ''),
    approver: s('approvedBy') ?? null, resource: null, expiresAt: new Date(from + sessionSeconds * 1000).toISOString(), invalidFields: null,
  };
}

/** The Event Grid events in a custom-handler invocation body (`Data.<binding>`: one event, as an object or JSON text). */
export function eventGridEventsOf(body: unknown): unknown[] {
  const data = (body as { Data?: Record<string, unknown> } | undefined)?.Data;
  if (!data || typeof data !== 'object') return [];
  return Object.values(data).flatMap((v) => {
    let x = v;
    if (typeof x === 'string') {
      try { x = JSON.parse(x); } catch { return []; }
    }
    return Array.isArray(x) ? x : [x];
  });
}

/** Judge each delivered event; rejects when an effect failed (the invocation fails and is retried). */
export function createAzureMonitorHandler(make: () => AzureMonitor): (body: unknown) => Promise<MonitorDecisionRecord[]> {
  let monitor: AzureMonitor | undefined;
  return async (body) => {
    monitor ??= make();
    await monitor.loadApprovals();
    const out: MonitorDecisionRecord[] = [];
    for (const event of eventGridEventsOf(body)) {
      const id = typeof (event as { id?: unknown })?.id === 'string' ? (event as { id: string }).id : undefined;
      out.push(...await monitor.core.handle(activityRecordOfEventGrid(event), id));
    }
    return out;
  };
}

/** The custom handler's HTTP server: `POST /monitor` from the Functions host. */
export function createAzureMonitorServer(handle: (body: unknown) => Promise<unknown>): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= 1_048_576) chunks.push(c); });
    req.on('end', () => {
      const reply = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      if (req.method !== 'POST' || size > 1_048_576) return reply(400, { Outputs: {}, Logs: ['refused: not a POST of at most 1 MiB'] });
      let body: unknown;
      try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return reply(400, { Outputs: {}, Logs: ['refused: not JSON'] }); }
      handle(body).then(
        (decisions) => reply(200, { Outputs: {}, Logs: [], ReturnValue: JSON.stringify(decisions) }),
        (e: Error) => reply(500, { Outputs: {}, Logs: [`monitor failed: ${e.message.slice(0, 500)}`] }),
      );
    });
  });
}

/* istanbul ignore next: the Functions host start-up */
if (require.main === module) {
  createAzureMonitorServer(createAzureMonitorHandler(() => azureMonitorFromEnv(process.env))).listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT ?? 8080));
}
