import { Grant, Inventory } from '../../../inventory/inventory';
import { Component } from '../../../model/tags';
import { azureGlobMatches, azureGlobsOverlap } from '../../azure/private/azure-rule-helpers';
import { classifyAction, isReadClass } from '../../private/access-classifier';
import { withoutTrailingSlashes } from '../../../private/linear-scans';

/**
 * One resource an Azure activity monitor is made of (or the activity-log export of a monitored
 * agent), by its ARM id: a tool that can change it can blind the monitor or forge its memory.
 */
export interface AzureMonitorPart {
  /** How a message names it (`Microsoft.Web/sites ag-monitor-…`). */
  readonly what: string;
  /** Its ARM id below the subscription, lower case (`/resourcegroups/rg/providers/microsoft.web/sites/x`, `/providers/microsoft.insights/…`). */
  readonly path: string;
  /** Its subscription id, lower case (from its id, or its agent's declared placement); undefined when the configuration does not say (any subscription may hold it). */
  readonly subscription?: string;
  /** Its resource group, lower case; undefined for a subscription-level resource. */
  readonly resourceGroup?: string;
  /** The action prefix of its resource type (`microsoft.web/sites/`): any non-read action under it changes the resource. */
  readonly actionPrefix: string;
  /** Concrete non-read actions under the prefix, to decide what a wildcard action such as `Microsoft.Web/*` or `*` allows. */
  readonly tamper: readonly string[];
}

interface PartType {
  readonly arm: string;
  readonly tamper: readonly string[];
}

const SITES: PartType = {
  arm: 'Microsoft.Web/sites',
  // Rewrite or stop the function, deploy code, read or change its settings and keys, swap slots.
  tamper: ['write', 'delete', 'stop/action', 'restart/action', 'config/write', 'config/list/action', 'publishxml/action', 'host/listkeys/action',
    'functions/write', 'functions/delete', 'functions/listkeys/action', 'extensions/write', 'slots/write', 'slotsswap/action', 'sourcecontrols/write',
    'basicpublishingcredentialspolicies/write', 'config/publishingcredentials/list/action'],
};
const WRITE_DELETE = ['write', 'delete'];
/**
 * The Terraform resource types a monitor is made of and their ARM types. Storage tables, queues and
 * containers are inside their account, which is a part: a grant on one of them is below the account.
 */
const PART_TYPES: Readonly<Record<string, PartType>> = {
  azurerm_function_app_flex_consumption: SITES,
  azurerm_linux_function_app: SITES,
  azurerm_windows_function_app: SITES,
  azurerm_service_plan: { arm: 'Microsoft.Web/serverFarms', tamper: WRITE_DELETE },
  azurerm_storage_account: {
    arm: 'Microsoft.Storage/storageAccounts',
    // Control plane (keys, SAS, account settings) and data writes: its table (replay claims, denied-burst
    // counts), its alert queue, its package and dead-letter blobs.
    tamper: ['write', 'delete', 'listkeys/action', 'regeneratekey/action', 'listaccountsas/action', 'listservicesas/action',
      'blobservices/containers/write', 'blobservices/containers/delete', 'blobservices/containers/blobs/write', 'blobservices/containers/blobs/delete',
      'blobservices/containers/blobs/add/action', 'queueservices/queues/delete', 'queueservices/queues/messages/write', 'queueservices/queues/messages/delete',
      'queueservices/queues/messages/add/action', 'queueservices/queues/messages/process/action', 'tableservices/tables/delete',
      'tableservices/tables/entities/write', 'tableservices/tables/entities/delete', 'tableservices/tables/entities/add/action', 'tableservices/tables/entities/update/action'],
  },
  azurerm_eventgrid_system_topic: { arm: 'Microsoft.EventGrid/systemTopics', tamper: ['write', 'delete', 'eventsubscriptions/write', 'eventsubscriptions/delete'] },
  azurerm_eventgrid_system_topic_event_subscription: { arm: 'Microsoft.EventGrid/systemTopics/eventSubscriptions', tamper: WRITE_DELETE },
  azurerm_monitor_action_group: { arm: 'Microsoft.Insights/actionGroups', tamper: WRITE_DELETE },
  azurerm_monitor_metric_alert: { arm: 'Microsoft.Insights/metricAlerts', tamper: WRITE_DELETE },
  azurerm_monitor_activity_log_alert: { arm: 'Microsoft.Insights/activityLogAlerts', tamper: WRITE_DELETE },
  azurerm_monitor_scheduled_query_rules_alert_v2: { arm: 'Microsoft.Insights/scheduledQueryRules', tamper: WRITE_DELETE },
  azurerm_monitor_diagnostic_setting: { arm: 'Microsoft.Insights/diagnosticSettings', tamper: WRITE_DELETE },
  // What a monitor's alert watches (its function's Application Insights: failed invocations).
  azurerm_application_insights: { arm: 'Microsoft.Insights/components', tamper: ['write', 'delete', 'purge/action'] },
};
/** Alert types whose `scopes` name the resources they watch. */
const ALERT_TYPES: ReadonlySet<string> = new Set(['azurerm_monitor_metric_alert', 'azurerm_monitor_activity_log_alert', 'azurerm_monitor_scheduled_query_rules_alert_v2']);

/** A user-delegation key signs SAS tokens capped at the holder's own blob permissions: it changes nothing. */
const DELEGATION_KEY = 'microsoft.storage/storageaccounts/blobservices/generateuserdelegationkey/action';

/**
 * The Azure activity monitors' resources in an inventory (labelled component monitor, of a type of
 * `PART_TYPES`), the resources their alerts watch (by reference: the function's Application
 * Insights), and the activity-log export (a diagnostic setting labelled audit) of each agent that has
 * a monitor: `drift` and the audit read it.
 */
export function azureMonitorParts(inventory: Inventory): AzureMonitorPart[] {
  const monitored = new Set<string>();
  const watched = new Set<string>();
  for (const o of inventory.others) {
    if (o.cloud !== 'azure' || o.labels?.component !== Component.MONITOR) continue;
    if (o.labels.agent) monitored.add(o.labels.agent);
    if (!ALERT_TYPES.has(o.type) || !Array.isArray(o.properties.scopes)) continue;
    for (const scope of o.properties.scopes) {
      const address = typeof scope === 'string' ? /^\$\{(azurerm_[a-z0-9_]+\.[^.}]+)\.id\}$/.exec(scope)?.[1] : undefined;
      if (address) watched.add(`${o.source.stack ?? ''}|${address}`);
    }
  }
  if (monitored.size === 0) return [];
  const subscriptionOf = declaredSubscriptions(inventory);
  const out: AzureMonitorPart[] = [];
  for (const o of inventory.others) {
    if (o.cloud !== 'azure' || o.labels === undefined) continue;
    const type = PART_TYPES[o.type];
    const isExport = o.type === 'azurerm_monitor_diagnostic_setting' && o.labels.component === Component.AUDIT && monitored.has(o.labels.agent ?? '');
    const isWatched = watched.has(`${o.source.stack ?? ''}|${o.source.resource}`);
    if (type === undefined || (o.labels.component !== Component.MONITOR && !isExport && !isWatched)) continue;
    const part = partOf(o.type, type, o.properties);
    if (!part) continue;
    // The monitor lives in its agent's environment: the subscription the agent's tools declare for that group.
    const declared = part.subscription === undefined && part.resourceGroup !== undefined ? subscriptionOf.get(`${o.labels.agent ?? ''}|${part.resourceGroup}`) : undefined;
    out.push(declared !== undefined ? { ...part, subscription: declared } : part);
  }
  return out;
}

/**
 * The subscription of each agent's resource group (`agent|group`, lower case) as its tool identities
 * declare their environment's placement; a group declared in several subscriptions is left out.
 */
function declaredSubscriptions(inventory: Inventory): ReadonlyMap<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const i of inventory.identities) {
    const azure = i.cloud === 'azure' ? i.declaration?.placement?.azure : undefined;
    const sub = literal(azure?.subscriptionId);
    const rg = literal(azure?.resourceGroup);
    if (!i.declaration || sub === undefined || rg === undefined) continue;
    const key = `${i.declaration.agent}|${rg}`;
    const subs = seen.get(key) ?? new Set<string>();
    seen.set(key, subs.add(sub));
  }
  const out = new Map<string, string>();
  for (const [key, subs] of seen) if (subs.size === 1) out.set(key, [...subs][0]);
  return out;
}

function partOf(tfType: string, type: PartType, p: Record<string, unknown>): AzureMonitorPart | undefined {
  const text = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const name = text('name');
  if (name === undefined) return undefined;
  const prefix = `${type.arm.toLowerCase()}/`;
  const what = `${type.arm} ${name}`;
  if (tfType === 'azurerm_monitor_diagnostic_setting') {
    // An extension resource of its target (the subscription, for an activity-log export).
    const target = /^\/subscriptions\/([^/]+)((?:\/.*)?)$/i.exec(text('target_resource_id') ?? '');
    if (!target) return undefined;
    const rg = /^\/resourcegroups\/([^/]+)/i.exec(target[2])?.[1];
    return { what, path: `${target[2]}/providers/${type.arm}/${name}`.toLowerCase(), subscription: literal(target[1]), resourceGroup: literal(rg), actionPrefix: prefix, tamper: type.tamper.map((t) => prefix + t) };
  }
  const rg = literal(text('resource_group_name'));
  if (rg === undefined) return undefined;
  const resource = tfType === 'azurerm_eventgrid_system_topic_event_subscription'
    ? literal(text('system_topic')) !== undefined ? `Microsoft.EventGrid/systemTopics/${text('system_topic')}/eventSubscriptions/${name}` : undefined
    : `${type.arm}/${name}`;
  // A subscription of a topic named by reference: the topic is a part too, and holds it.
  if (resource === undefined) return undefined;
  return { what, path: `/resourcegroups/${rg}/providers/${resource}`.toLowerCase(), resourceGroup: rg, actionPrefix: prefix, tamper: type.tamper.map((t) => prefix + t) };
}

/** A literal value, lower case; undefined for a missing value or an unresolved reference. */
function literal(v: string | undefined): string | undefined {
  return v === undefined || v === '' || v.includes('${') ? undefined : v.toLowerCase();
}

/**
 * The parts a grant's scope contains or names: every part from a management group or the root
 * (which subscriptions they hold is not in the configuration), the subscription's from a subscription,
 * the group's from a resource group, and from a resource scope the part it is, is inside of, or holds.
 * A scope whose level cannot be told reaches them all (fail closed).
 */
export function azureMonitorPartsReached(grant: Grant, parts: readonly AzureMonitorPart[]): AzureMonitorPart[] {
  const level = grant.scopeLevel;
  if (level === undefined || level === 'root' || level === 'management-group' || grant.resources.length === 0) return [...parts];
  return parts.filter((part) => grant.resources.some((scope) => {
    const m = /^\/subscriptions\/([^/]+)((?:\/.*)?)$/i.exec(withoutTrailingSlashes(scope.trim()));
    if (!m) return true; // not an ARM id: which resources it covers is unknown
    const subscription = literal(m[1]);
    if (subscription !== undefined && !subscription.startsWith('{') && part.subscription !== undefined && subscription !== part.subscription) return false;
    const below = armPath(m[2]);
    return below === '' || part.path === below || part.path.startsWith(`${below}/`) || below.startsWith(`${part.path}/`);
  }));
}

/** An ARM id below its subscription, lower case, with the adapter's `providers/azurerm_<type>/<name>` written as the ARM type. */
function armPath(below: string): string {
  const lower = below.toLowerCase();
  const computed = /\/providers\/(azurerm_[a-z0-9_]+)\//.exec(lower);
  const type = computed ? PART_TYPES[computed[1]] : undefined;
  return type ? lower.replace(`/providers/${computed![1]}/`, `/providers/${type.arm.toLowerCase()}/`) : lower;
}

/**
 * The actions of a grant that change, delete, deploy to or read the secrets of a part (not reads,
 * not a user-delegation key); a wildcard counts when it allows one of the part's concrete tamper
 * actions, or any non-read action under its type. NotActions (and NotDataActions) are subtracted.
 */
export function azureTamperActions(grant: Grant, part: AzureMonitorPart): string[] {
  const excluded = (action: string) => (grant.notActions ?? []).some((n) => azureGlobMatches(n, action));
  return grant.actions.filter((a) => {
    const action = a.toLowerCase();
    if (!action.includes('*')) {
      return action.startsWith(part.actionPrefix) && action !== DELEGATION_KEY && !isReadClass(classifyAction('azure', a)) && !excluded(action);
    }
    if (action.endsWith('/read')) return false;
    if (part.tamper.some((t) => azureGlobMatches(action, t) && !excluded(t))) return true;
    // A wildcard under the type that none of the listed actions shows (`Microsoft.Web/sites/hostNameBindings/*`),
    // unless the not-actions take all of it or all of the type.
    return azureGlobsOverlap(action, `${part.actionPrefix}*`) && !excluded(action) && !excluded(`${part.actionPrefix}*`);
  });
}
