import { ActivityEvent } from '../activity-event';
import { normalizeAzureActivityLog } from './azure-activity-log';
import { normalizeCloudTrail } from './cloudtrail';
import { normalizeGcpAuditLog } from './gcp-audit-log';
import { field, fieldValue, isRecord, LogRecord, textValue } from './record-fields';

export { normalizeCloudTrail } from './cloudtrail';
export { normalizeGcpAuditLog } from './gcp-audit-log';
export { normalizeAzureActivityLog } from './azure-activity-log';

/**
 * Any supported log record as activity events, recognised by its shape: CloudTrail (`eventSource`;
 * also an EventBridge event's `detail` and Lake rows), a GCP audit log entry (`protoPayload`), an
 * Azure activity log record (`operationName`). Records of no agent session give no event.
 */
export function normalizeLogRecord(record: unknown): ActivityEvent[] {
  if (Array.isArray(record)) {
    const e = normalizeCloudTrail(record);
    return e ? [e] : [];
  }
  if (!isRecord(record)) return [];
  if (field(record, 'eventSource') !== undefined) {
    const e = normalizeCloudTrail(record);
    return e ? [e] : [];
  }
  if (isRecord(record.detail) && record['detail-type'] !== undefined) return normalizeLogRecord(record.detail);
  if (record.protoPayload !== undefined) return normalizeGcpAuditLog(record);
  if (record.operationName !== undefined) {
    const e = normalizeAzureActivityLog(record);
    return e ? [e] : [];
  }
  return [];
}

/**
 * Why a record that gave no activity event cannot be judged at all, or undefined when it is a record
 * of a supported log that is simply no agent session's call (an IAM user's call, a service event, a
 * non-audit GCP entry, an intermediate Azure state). A record of no supported shape, or a CloudTrail
 * record whose `userIdentity` is not JSON (an Athena or Lake struct rendered as `{type=AssumedRole,
 * ...}`), might be an agent's call: a report must count it rather than pass over it. That rendering
 * is not parsed: a session name may hold `,` and `=`, so an agent could write fields into it.
 */
export function unreadableReason(record: unknown): string | undefined {
  if (Array.isArray(record)) {
    // A Lake row: one-key cells (merged in a loop: a hostile row may hold more cells than a call takes arguments).
    const merged: LogRecord = {};
    for (const cell of record) if (isRecord(cell)) Object.assign(merged, cell);
    return cloudTrailUnreadable(merged);
  }
  if (!isRecord(record)) return 'not a log record (no JSON object)';
  if (field(record, 'eventSource') !== undefined) return cloudTrailUnreadable(record);
  if (isRecord(record.detail) && record['detail-type'] !== undefined) return unreadableReason(record.detail);
  // GCP LogEntry (audit or not) and Azure activity log records: recognised; what gave no event is no agent's audited call.
  if (record.protoPayload !== undefined || record.logName !== undefined || record.operationName !== undefined) return undefined;
  return 'not a CloudTrail, GCP audit log or Azure activity log record';
}

function cloudTrailUnreadable(r: LogRecord): string | undefined {
  const identity = r.userIdentity ?? r.useridentity;
  if (identity !== undefined && identity !== null && !isRecord(fieldValue(identity))) return notJson('userIdentity', identity);
  const resources = fieldValue(r.resources);
  if (typeof resources === 'string' && resources.length > 0) return notJson('resources', resources);
  return undefined;
}

function notJson(name: string, raw: unknown): string {
  const shown = typeof raw === 'string' ? `${raw.slice(0, 40)}${raw.length > 40 ? '...' : ''}` : typeof raw;
  return `CloudTrail ${name} is not JSON (${textValue(shown) ?? 'empty'}): export struct columns as JSON (Athena: UNLOAD ... WITH (format = 'JSON'), or json_format(CAST(${name.toLowerCase()} AS JSON)))`;
}
