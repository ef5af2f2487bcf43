/**
 * The Azure Resource Manager events Event Grid raises for an Azure subscription (system topic type
 * `Microsoft.Resources.Subscriptions`): create/update, delete and action (POST) operations, each
 * succeeded, failed or canceled (Event Grid docs, "Azure subscription as an Event Grid source").
 */
export const RESOURCE_EVENT_TYPES = [
  'Microsoft.Resources.ResourceWriteSuccess', 'Microsoft.Resources.ResourceWriteFailure', 'Microsoft.Resources.ResourceWriteCancel',
  'Microsoft.Resources.ResourceDeleteSuccess', 'Microsoft.Resources.ResourceDeleteFailure', 'Microsoft.Resources.ResourceDeleteCancel',
  'Microsoft.Resources.ResourceActionSuccess', 'Microsoft.Resources.ResourceActionFailure', 'Microsoft.Resources.ResourceActionCancel',
] as const;

/**
 * The claim the Event Grid subscription filters on: `appid`, the application (client) id of the
 * caller in a v1.0 access token, which Azure Resource Manager accepts; for a user-assigned managed
 * identity it is the identity's client id. (The object id claim's name,
 * `http://schemas.microsoft.com/identity/claims/objectidentifier`, holds dots, which an advanced
 * filter key reads as nesting, so it cannot be filtered on; the function judges on it.)
 */
export const CALLER_CLAIM_FILTER_KEY = 'data.claims.appid';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * One Event Grid resource event (Event Grid schema: `id`, `eventType`, `eventTime`, `subject`,
 * `data.{authorization, claims, operationName, status, resourceUri, subscriptionId, resourceGroup}`)
 * as the activity-log record the neutral normalizer reads (`authorization.action`, `claims`,
 * `status`, `eventTimestamp`, `resourceId`, `eventDataId`). Anything else is returned unchanged
 * (an activity-log record delivered another way is read as it is).
 */
export function activityRecordOfEventGrid(event: unknown): unknown {
  if (!isObject(event) || typeof event.eventType !== 'string' || !event.eventType.startsWith('Microsoft.Resources.Resource') || !isObject(event.data)) return event;
  const d = event.data;
  return {
    authorization: d.authorization,
    claims: d.claims,
    operationName: d.operationName,
    status: d.status,
    eventTimestamp: event.eventTime,
    resourceId: d.resourceUri ?? event.subject,
    subscriptionId: d.subscriptionId,
    resourceGroupName: d.resourceGroup,
    eventDataId: event.id,
    correlationId: d.correlationId,
    properties: { eventType: event.eventType },
  };
}
