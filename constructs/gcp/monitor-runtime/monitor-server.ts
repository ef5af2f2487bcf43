/**
 * Cloud Functions (2nd gen) entry point `monitor` of the GCP activity monitor (bundled with its
 * Google clients to dist-handler/gcp-monitor/index.js by scripts/build-broker-handler.js; synth never
 * bundles).
 *
 * Invoked by the monitor's Pub/Sub push subscription only (Cloud Run IAM: the push service account's
 * OIDC token): each message is one log entry the sink routed, either an audit log entry of the agent's
 * service accounts (judged) or an approved decision record of its broker (verified against the
 * broker's approvals database, then remembered as evidence). Environment: `ACTIVITY_PLAYBOOK`,
 * `MONITOR_SETTINGS` (see monitor-config.ts). Any failure answers 500, so Pub/Sub redelivers and, at
 * last, dead-letters the message, which alerts; a broken configuration fails every delivery (fail
 * loud, never silently pass).
 */
import { Firestore } from '@google-cloud/firestore';
import { GoogleAuth } from 'google-auth-library';
import { ActivityEvaluator } from '../../../lib/activity/activity-evaluator';
import { ActivityMonitorCore, MonitorDecisionRecord } from '../../../lib/activity/activity-monitor';
import { ActivityPlaybook } from '../../../lib/activity/activity-playbook';
import type { DecisionRecord } from '../../../lib/broker/ports';
import { APPROVALS_COLLECTION } from '../broker-runtime/firestore-layout';
import type { IGoogleApi } from '../broker-runtime/google-api';
import { FirestoreDeniedBurstCounter } from './firestore-denied-burst-counter';
import { FirestoreMonitorMemory, MonitorFirestore } from './firestore-monitor-memory';
import { GCP_MONITOR_ENV, GcpMonitorSettings } from './monitor-config';
import { PubSubMonitorAlerts } from './pubsub-monitor-alerts';
import { ServiceAccountKillSwitch } from './service-account-kill-switch';

/** What the handler needs from outside: Google's APIs and Firestore databases by id (tests pass in-process fakes). */
export interface GcpMonitorDependencies {
  readonly api: IGoogleApi;
  readonly openDatabase: (projectId: string, databaseId: string) => MonitorFirestore;
  readonly log?: (record: MonitorDecisionRecord | Record<string, unknown>) => void;
  readonly clock?: () => number;
}

/** The monitor core and the approval check, from the function's environment (throws on a broken configuration). */
export function gcpMonitorFromEnv(env: NodeJS.ProcessEnv, deps: GcpMonitorDependencies): GcpMonitor {
  const playbook = ActivityPlaybook.fromJson(env[GCP_MONITOR_ENV.playbook] ?? '');
  const settings = JSON.parse(env[GCP_MONITOR_ENV.settings] ?? '') as GcpMonitorSettings;
  if (!settings?.agent || !settings.project || !settings.policy || !settings.killSwitch?.serviceAccounts || !settings.alertTopic || !settings.memoryDatabase) {
    throw new Error(`${GCP_MONITOR_ENV.settings} is incomplete`);
  }
  const log = deps.log ?? ((r) => process.stdout.write(`${JSON.stringify({ severity: severityOf(r), ...r })}\n`));
  const flag = settings.killSwitch.flag;
  const memory = deps.openDatabase(settings.project, settings.memoryDatabase);
  const core = new ActivityMonitorCore(new ActivityEvaluator(playbook, { policy: settings.policy }), {
    alerts: new PubSubMonitorAlerts(deps.api, settings.alertTopic),
    killSwitch: new ServiceAccountKillSwitch(deps.api, settings.project, settings.killSwitch, flag ? deps.openDatabase(settings.project, flag.database) : undefined, deps.clock),
    memory: new FirestoreMonitorMemory(memory),
    // Denials are counted in the database every instance shares: a probe spread over instances is one burst.
    deniedBursts: new FirestoreDeniedBurstCounter(memory, settings.policy.deniedBurst),
    log,
    clock: deps.clock,
  }, { agent: settings.agent, environment: settings.environment });
  const approvals = settings.approvalsDatabase ? deps.openDatabase(settings.project, settings.approvalsDatabase) : undefined;
  return new GcpMonitor(core, approvals, log);
}

/** Cloud Logging reads `severity` from a JSON line: trips and failed pulls are errors, alerts warnings. */
function severityOf(r: MonitorDecisionRecord | Record<string, unknown>): string {
  const d = r as MonitorDecisionRecord;
  if (d.killSwitch && !d.killSwitch.pulled) return 'ERROR';
  if (d.severity === 'trip') return 'CRITICAL';
  if (d.severity === 'alert') return 'WARNING';
  return 'INFO';
}

/** One Pub/Sub push request body. */
export interface PubSubPush {
  readonly message?: { readonly data?: string; readonly messageId?: string; readonly attributes?: Record<string, string> };
  readonly subscription?: string;
}

/** The monitor behind the push endpoint. */
export class GcpMonitor {
  constructor(private readonly core: ActivityMonitorCore, private readonly approvals: MonitorFirestore | undefined, private readonly log: (r: Record<string, unknown>) => void) {}

  /** Handle one pushed message; rejects when it must be redelivered. */
  public async handle(push: PubSubPush): Promise<MonitorDecisionRecord[]> {
    const data = push?.message?.data;
    if (typeof data !== 'string') throw new Error('push body carries no message data');
    const entry = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { jsonPayload?: Record<string, unknown> };
    const decision = entry?.jsonPayload;
    if (decision && decision.type === 'agent-guardrails.broker-decision') {
      await this.rememberIfVerified(decision as unknown as DecisionRecord);
      return [];
    }
    return this.core.handle(entry, push.message?.messageId);
  }

  /**
   * A decision record read from a log counts as approval evidence only when the broker's approvals
   * database confirms it: the approval was consumed by exactly that decision, for that agent, tool
   * and lineage. Anyone who may write log entries could forge a record; no agent can write there.
   */
  private async rememberIfVerified(record: DecisionRecord): Promise<void> {
    if (record.decision !== 'granted' || !record.approvalId || !record.tool || !record.lineageId || !this.approvals) return;
    const snap = await this.approvals.doc(`${APPROVALS_COLLECTION}/${record.approvalId}`).get();
    const verified = snap.exists && snap.get('status') === 'used' && snap.get('usedBy') === record.decisionId
      && snap.get('agent') === record.agent && snap.get('tool') === record.tool && snap.get('lineageId') === record.lineageId;
    if (!verified) {
      this.log({ type: 'agent-guardrails.monitor-decision', time: new Date().toISOString(), outcome: 'skipped', severity: 'WARNING', reason: `decision ${String(record.decisionId).slice(0, 100)} names approval ${String(record.approvalId).slice(0, 100)}, which the broker's approvals database does not confirm` });
      return;
    }
    await this.core.recordDecision(record);
  }
}

function productionMonitor(): GcpMonitor {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const api: IGoogleApi = { request: async (options) => (await auth.getClient()).request(options) as never };
  return gcpMonitorFromEnv(process.env, { api, openDatabase: (projectId, databaseId) => new Firestore({ projectId, databaseId }) });
}

/** An HTTP handler around a lazily created monitor (kept per instance: its clients and compiled declarations). */
export function createMonitorHandler(make: () => GcpMonitor): (req: { readonly method?: string; readonly body?: unknown }, res: { status(code: number): { json(body: unknown): void; end(): void } }) => Promise<void> {
  let instance: GcpMonitor | undefined;
  return async (req, res) => {
    if (req.method !== undefined && req.method !== 'POST') return res.status(405).json({ error: 'Pub/Sub push only.' });
    try {
      instance ??= make();
      await instance.handle(req.body as PubSubPush);
      res.status(204).end();
    } catch (e) {
      process.stderr.write(`${JSON.stringify({ severity: 'ERROR', message: `activity monitor failed: ${(e as Error).message}`.slice(0, 2000) })}\n`);
      res.status(500).json({ error: 'not handled; Pub/Sub redelivers' });
    }
  };
}

/** The Cloud Functions (2nd gen) entry point `monitor`: the Functions Framework has parsed the push's JSON body. */
export const monitor = createMonitorHandler(productionMonitor);
