import { ActivityEvent } from '../activity-event';
import { parseLogTime } from './log-time';
import { field, text, textAt } from './record-fields';

const OBJECT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
/** Intermediate states of one operation; its outcome is in the `Succeeded` or `Failed` record. */
const INTERMEDIATE = new Set(['started', 'accepted', 'active']);

/**
 * One Azure activity log record as an activity event: the `az monitor activity-log list` /
 * REST shape (`operationName.value`, `status.value`, `caller`, `claims`) or the diagnostic-settings
 * export shape (`operationName`, `resultType`, `identity.claims`). Who: the caller's object id
 * (the tool's managed identity). What: the authorized action, the resource id, the subscription
 * and resource group, the time, and whether it was refused (403 / AuthorizationFailed).
 */
export function normalizeAzureActivityLog(entry: unknown): ActivityEvent | undefined {
  const op = field(entry, 'operationName');
  const action = textAt(entry, 'authorization', 'action') ?? textAt(entry, 'identity', 'authorization', 'action') ?? (typeof op === 'string' ? op : text(op, 'value'));
  const statusField = field(entry, 'status');
  const status = (typeof statusField === 'string' ? statusField : text(statusField, 'value')) ?? text(entry, 'resultType') ?? '';
  if (!action || INTERMEDIATE.has(status.toLowerCase())) return undefined;
  const claims = field(entry, 'claims') ?? field(field(entry, 'identity'), 'claims');
  const identity = text(claims, OBJECT_ID_CLAIM) ?? text(claims, 'oid') ?? text(entry, 'caller');
  const time = parseLogTime(text(entry, 'eventTimestamp') ?? text(entry, 'time'));
  if (!identity || Number.isNaN(time)) return undefined;
  const resourceId = text(entry, 'resourceId');
  const sub = text(field(entry, 'subStatus'), 'value') ?? textAt(entry, 'properties', 'statusCode') ?? text(entry, 'resultSignature') ?? '';
  const denied = /forbidden|authorizationfailed|unauthorized|403/i.test(sub) || /authorizationfailed/i.test(JSON.stringify(field(entry, 'properties') ?? '').slice(0, 4096));
  return {
    cloud: 'azure',
    identity,
    action,
    resources: resourceId ? [resourceId] : [],
    location: { subscription: text(entry, 'subscriptionId') ?? subscriptionOf(resourceId), resourceGroup: text(entry, 'resourceGroupName') ?? resourceGroupOf(resourceId) },
    time,
    outcome: denied ? 'denied' : 'allowed',
    eventId: text(entry, 'eventDataId') ?? text(entry, 'correlationId'),
  };
}

function subscriptionOf(id: string | undefined): string | undefined {
  return segmentAfter(id, 'subscriptions');
}

function resourceGroupOf(id: string | undefined): string | undefined {
  return segmentAfter(id, 'resourcegroups');
}

function segmentAfter(id: string | undefined, name: string): string | undefined {
  if (!id) return undefined;
  const parts = id.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === name);
  return i >= 0 ? parts[i + 1] : undefined;
}
