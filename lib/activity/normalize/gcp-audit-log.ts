import { ActivityEvent } from '../activity-event';
import { parseLogTime } from './log-time';
import { field, isRecord, text, textAt } from './record-fields';

/** gRPC PERMISSION_DENIED and UNAUTHENTICATED. */
const DENIED_CODES = new Set([7, 16]);

/**
 * One GCP audit log entry (`protoPayload` of type `google.cloud.audit.AuditLog`) as activity
 * events: one per permission checked (`authorizationInfo`), else one for the method. Who: the
 * authenticated principal (the tool's service account, possibly impersonated by the broker).
 * What: the permission, the resource, the project, the time and whether it was denied.
 */
export function normalizeGcpAuditLog(entry: unknown): ActivityEvent[] {
  const payload = field(entry, 'protoPayload');
  if (!isRecord(payload)) return [];
  const principal = textAt(payload, 'authenticationInfo', 'principalEmail');
  const time = parseLogTime(text(entry, 'timestamp') ?? text(entry, 'receiveTimestamp'));
  if (!principal || Number.isNaN(time)) return [];
  const status = field(payload, 'status');
  const code = isRecord(status) && typeof status.code === 'number' ? status.code : 0;
  const project = textAt(entry, 'resource', 'labels', 'project_id') ?? projectOfLogName(text(entry, 'logName'));
  const chain = delegationChain(field(payload, 'authenticationInfo'));
  const base = { cloud: 'gcp' as const, identity: principal, ...(chain.length > 0 ? { delegatedBy: chain } : {}), location: { project }, time, eventId: text(entry, 'insertId') };
  const checks = field(payload, 'authorizationInfo');
  if (Array.isArray(checks) && checks.length > 0) {
    return checks.filter(isRecord).map((c) => ({
      ...base,
      action: text(c, 'permission') ?? text(payload, 'methodName') ?? '',
      resources: [text(c, 'resource') ?? text(payload, 'resourceName')].filter((x): x is string => x !== undefined),
      outcome: c.granted === false || DENIED_CODES.has(code) ? 'denied' as const : 'allowed' as const,
    }));
  }
  const method = text(payload, 'methodName');
  if (!method) return [];
  return [{ ...base, action: method, resources: [text(payload, 'resourceName')].filter((x): x is string => x !== undefined), outcome: DENIED_CODES.has(code) ? 'denied' : 'allowed' }];
}

/** The first-party principals of `serviceAccountDelegationInfo` (who impersonated whom to reach the principal), at most 16. */
function delegationChain(authentication: unknown): string[] {
  const info = field(authentication, 'serviceAccountDelegationInfo');
  if (!Array.isArray(info)) return [];
  const out: string[] = [];
  for (const d of info.slice(0, 16)) {
    const email = textAt(d, 'firstPartyPrincipal', 'principalEmail');
    if (email) out.push(email);
  }
  return out;
}

function projectOfLogName(logName: string | undefined): string | undefined {
  if (!logName?.startsWith('projects/')) return undefined;
  const end = logName.indexOf('/', 'projects/'.length);
  return end < 0 ? undefined : logName.slice('projects/'.length, end);
}
