import { celMethod, CelScalar, isCelError, objectType, run } from '@bufbuild/cel';
import { Timestamp, timestampDate, timestampFromDate, TimestampSchema } from '@bufbuild/protobuf/wkt';

/**
 * GCP IAM condition expressions evaluated with @bufbuild/cel (tests only).
 *
 * GCP's time-zone accessors are registered over @bufbuild/cel 0.6.1's own: its formatter sets
 * `hour12: false`, which overrides `hourCycle: 'h23'` and yields hour "24" during the local
 * midnight hour, so `getDayOfWeek(tz)` answers the next day from 00:00 to 00:59 local time.
 * Everything else in the expressions (comparisons, `&&`, `||`, `timestamp()`, `startsWith`) is the
 * library's own evaluation. The request carries `request.time` and `resource.name` only: an
 * expression using another attribute (`resource.type`, tags, `api.getAttribute`) is an error, so a
 * test never proves something with an attribute it did not model.
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
export function evaluateCondition(expression: string, at: Date, resourceName = ''): boolean {
  const result = run(expression, { request: { time: timestampFromDate(at) }, resource: { name: resourceName } }, { funcs: GCP_TIME_FUNCS });
  if (isCelError(result)) throw new Error(`CEL error in ${expression}: ${String(result)}`);
  if (typeof result !== 'boolean') throw new Error(`CEL result is not a boolean: ${String(result)}`);
  return result;
}
