import { ActivityEvent } from '../activity-event';
import { normalizeAzureActivityLog } from './azure-activity-log';
import { normalizeCloudTrail } from './cloudtrail';
import { normalizeGcpAuditLog } from './gcp-audit-log';
import { field, isRecord } from './record-fields';

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
