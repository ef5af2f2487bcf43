import { TerraformStack, Testing } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { celMethod, CelScalar, isCelError, objectType, run } from '@bufbuild/cel';
import { Timestamp, timestampDate, timestampFromDate, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { AgentIdentity, AgentIdentityProps } from '../../../constructs/gcp';
import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../../lib/model';
import { AGENT_RULES } from '../../../lib/rules/agent';
import { GCP_RULES } from '../../../lib/rules/gcp';
import { runRules } from '../../../lib/rules/run-rules';

export const PROJECT = 'acme-prod';
export const prod = Environment.of({ name: 'prod', gcp: { project: PROJECT } });
/** The Cloud Run service's own runtime service account (its service identity). */
export const API_RUNTIME = `api-runtime@${PROJECT}.iam.gserviceaccount.com`;
export const WINDOW = ChangeWindow.workdays('Europe/Berlin', '09:00', '17:30', '2027-12-31T00:00:00Z');

export function readLogs(): Tool {
  return Tool.read('read-logs', { gcp: { permissions: ['logging.logEntries.list', 'logging.logs.list'], resource: `projects/${PROJECT}` } });
}

export function restartService(window: ChangeWindow | undefined = WINDOW): Tool {
  return Tool.write('restart-service', {
    gcp: {
      permissions: ['run.services.get', 'run.services.update'],
      resource: `projects/${PROJECT}/locations/europe-west1/services/api`,
      runtimeServiceAccount: API_RUNTIME,
    },
    window,
  });
}

export function baseProps(overrides: Partial<AgentIdentityProps> = {}): AgentIdentityProps {
  return {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment: prod,
    tools: [readLogs(), restartService()],
    brokerMember: `serviceAccount:broker@${PROJECT}.iam.gserviceaccount.com`,
    revocationMembers: ['group:oncall@example.com'],
    ...overrides,
  };
}

export interface Synthesized {
  /** `Testing.synth(stack, true)` (validations on; `"//"` metadata removed by cdktf). */
  readonly json: any;
  /** `stack.toTerraform()`: the cdk.tf.json shape, with `"//"` metadata. */
  readonly raw: any;
  readonly agent: AgentIdentity;
}

export function synthGcp(props: AgentIdentityProps = baseProps()): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'gcp');
  new GoogleProvider(stack, 'google', { project: PROJECT });
  const agent = new AgentIdentity(stack, 'Agent', props);
  const json = JSON.parse(Testing.synth(stack, true));
  return { json, raw: stack.toTerraform(), agent };
}

/** Error findings of the GCP and agent rules on a synthesized stack (`stack.toTerraform()`). */
export function checkErrors(raw: any): string[] {
  return runRules(inventoryFromTerraformJson(raw), [...GCP_RULES, ...AGENT_RULES], Baseline.default())
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
}

/** All resources of a type, as a list. */
export function resourcesOf(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/**
 * GCP's time-zone accessors, registered over @bufbuild/cel 0.6.1's own: its formatter sets
 * `hour12: false`, which overrides `hourCycle: 'h23'` and yields hour "24" during the local
 * midnight hour, so `getDayOfWeek(tz)` answers the next day from 00:00 to 00:59 local time.
 * Everything else in the expressions (comparisons, `&&`, `||`, `timestamp()`, `startsWith`) is the
 * library's own evaluation.
 */
const TIMESTAMP = objectType(TimestampSchema);
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function localParts(ts: unknown, tz: string): Record<string, string> {
  const message = (ts as { message?: Timestamp }).message ?? (ts as Timestamp);
  const format = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return Object.fromEntries(format.formatToParts(timestampDate(message)).map((p) => [p.type, p.value]));
}
const GCP_TIME_FUNCS = [
  celMethod('getDayOfWeek', TIMESTAMP, [CelScalar.STRING], CelScalar.INT, function (tz) { return BigInt(WEEKDAYS.indexOf(localParts(this, tz).weekday)); }),
  celMethod('getHours', TIMESTAMP, [CelScalar.STRING], CelScalar.INT, function (tz) { return BigInt(Number(localParts(this, tz).hour)); }),
  celMethod('getMinutes', TIMESTAMP, [CelScalar.STRING], CelScalar.INT, function (tz) { return BigInt(Number(localParts(this, tz).minute)); }),
];

/** Evaluate a GCP IAM condition expression at `at` (and, optionally, on `resourceName`) with @bufbuild/cel. */
export function evaluate(expression: string, at: Date, resourceName = ''): boolean {
  const result = run(expression, { request: { time: timestampFromDate(at) }, resource: { name: resourceName } }, { funcs: GCP_TIME_FUNCS });
  if (isCelError(result)) throw new Error(`CEL error in ${expression}: ${String(result)}`);
  if (typeof result !== 'boolean') throw new Error(`CEL result is not a boolean: ${String(result)}`);
  return result;
}
