/**
 * Lambda entry point of the activity monitor (bundled to dist-handler/monitor/index.js by
 * scripts/build-broker-handler.js; the AWS SDK v3 comes from the Lambda runtime).
 *
 * Invoked by the EventBridge rule (CloudTrail events of the agent's sessions) and by the
 * subscription filter on the broker's decision log (approved decisions, the evidence for
 * approval-gated tools). Environment: `ACTIVITY_PLAYBOOK`, `MONITOR_SETTINGS` (see monitor-config.ts).
 * A broken configuration fails every invocation, which the construct alarms on (fail loud, never
 * silently pass).
 */
import { gunzipSync } from 'zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { ActivityEvaluator } from '../../../lib/activity/activity-evaluator';
import { ActivityMonitorCore, ActivityMonitorPorts, MonitorDecisionRecord } from '../../../lib/activity/activity-monitor';
import { ActivityPlaybook } from '../../../lib/activity/activity-playbook';
import type { DecisionRecord } from '../../../lib/broker/ports';
import { DynamoDbDeniedBurstCounter } from './dynamodb-denied-burst-counter';
import { DynamoDbMonitorMemory } from './dynamodb-monitor-memory';
import { MONITOR_ENV, MonitorSettings } from './monitor-config';
import { RevocationRoleKillSwitch } from './revocation-kill-switch';
import { SnsMonitorAlerts } from './sns-monitor-alerts';

/** The monitor's AWS ports, from its settings. */
export function awsMonitorPorts(settings: MonitorSettings): ActivityMonitorPorts {
  const dynamodb = new DynamoDBClient({});
  return {
    alerts: new SnsMonitorAlerts(new SNSClient({}), settings.alertTopicArn),
    killSwitch: new RevocationRoleKillSwitch({
      sts: new STSClient({}),
      iam: (credentials) => new IAMClient({ credentials }),
      ssm: (credentials) => new SSMClient({ credentials }),
    }, settings.killSwitch),
    memory: new DynamoDbMonitorMemory(dynamodb, settings.memoryTable),
    deniedBursts: new DynamoDbDeniedBurstCounter(dynamodb, settings.memoryTable, settings.policy.deniedBurst),
    log: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
  };
}

/** The monitor core from the function's environment (throws on a broken configuration). */
export function monitorFromEnv(env: NodeJS.ProcessEnv, ports: (settings: MonitorSettings) => ActivityMonitorPorts = awsMonitorPorts): ActivityMonitorCore {
  const playbook = ActivityPlaybook.fromJson(env[MONITOR_ENV.playbook] ?? '');
  const settings = JSON.parse(env[MONITOR_ENV.settings] ?? '') as MonitorSettings;
  if (!settings?.agent || !settings.policy || !settings.killSwitch || !settings.alertTopicArn || !settings.memoryTable) {
    throw new Error(`${MONITOR_ENV.settings} is incomplete`);
  }
  const evaluator = new ActivityEvaluator(playbook, { policy: settings.policy });
  return new ActivityMonitorCore(evaluator, ports(settings), { agent: settings.agent, environment: settings.environment });
}

/** What the function is invoked with: an EventBridge event, or a CloudWatch Logs subscription batch. */
type MonitorInvocation = { readonly id?: string; readonly detail?: unknown; readonly awslogs?: { readonly data?: string } };

/** Build a handler around a lazily created core (kept per container; denials are counted in the shared table). */
export function createMonitorHandler(make: () => ActivityMonitorCore): (event: MonitorInvocation) => Promise<MonitorDecisionRecord[]> {
  let core: ActivityMonitorCore | undefined;
  return async (event) => {
    core ??= make();
    if (event?.awslogs?.data !== undefined) {
      for (const record of brokerDecisions(event.awslogs.data)) await core.recordDecision(record);
      return [];
    }
    return core.handle(event, typeof event?.id === 'string' ? event.id : undefined);
  };
}

/** Broker decision records in a CloudWatch Logs subscription batch (base64 gzip JSON); other lines are ignored. */
export function brokerDecisions(data: string): DecisionRecord[] {
  const batch = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as { logEvents?: { message?: string }[] };
  const out: DecisionRecord[] = [];
  for (const e of batch.logEvents ?? []) {
    const line = (e.message ?? '').trim();
    if (!line.startsWith('{')) continue;
    try {
      const r = JSON.parse(line) as DecisionRecord & { type?: string };
      if (r.type === 'agent-guardrails.broker-decision') out.push(r);
    } catch {
      // not a decision line
    }
  }
  return out;
}

export const handler = createMonitorHandler(() => monitorFromEnv(process.env));
