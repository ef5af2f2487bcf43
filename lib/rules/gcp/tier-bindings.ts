import { gcpPredefinedRole } from '../../adapters/terraform/gcp-roles';
import { Grant, Inventory } from '../../inventory/inventory';
import { AgentTier } from '../../model/tier';
import { RawFinding, Rule } from '../rule';
import { boundsTime } from './private/gcp-conditions';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';

/** Write-only telemetry an observer may emit about itself (log entries, metrics, traces). */
const TELEMETRY_PERMISSIONS = /^(logging\.logEntries\.create|logging\.logEntries\.route|monitoring\.timeSeries\.create|monitoring\.metricDescriptors\.(create|get|list)|monitoring\.monitoredResourceDescriptors\.(get|list)|cloudtrace\.traces\.patch|opentelemetry\.metrics\.create|resourcemanager\.projects\.get|bigquery\.jobs\.create)$/;

/** get/list only: `storage.objects.get`, `logging.logEntries.list`, `secretmanager.versions.getMetadata`… */
function isGetOrList(permission: string): boolean {
  const verb = permission.split('.').pop() ?? '';
  return /^(get|list)([A-Z].*)?$/.test(verb);
}

/** What a grant is known to allow: its permissions when complete, else undefined (unknown: fail closed). */
function knownPermissions(g: Grant, customRoles: Set<string>): string[] | undefined {
  if (g.role !== undefined && customRoles.has(g.role)) return g.actions;
  const known = g.role !== undefined ? gcpPredefinedRole(g.role) : undefined;
  return known?.permissionsComplete ? known.permissions : undefined;
}

/**
 * GCP-011: operator bindings carry a `request.time` condition (window or expiry); observer
 * bindings hold only get/list permissions. Telemetry writes (log entries, metrics, traces, query
 * jobs) are allowed to both and need no window.
 */
export const GCP_TIER_BINDINGS_RULE: Rule = {
  id: 'GCP-011',
  cloud: 'gcp',
  severity: 'error',
  reason: 'An operator binding lacks a request.time condition, or an observer binding holds more than get/list permissions.',
  explanation: 'Operators change production only inside their change window or before their expiry, which GCP enforces with a '
    + 'request.time condition on the binding. Observers read: every permission of their roles must be a get or list '
    + '(project telemetry such as logging.logWriter and monitoring.metricWriter excepted; predefined roles flagged read-only in '
    + 'policies/gcp-roles.json are accepted as reviewed). A role whose permissions are not fully known cannot be shown to be read-only and is reported.',
  fix: 'Give operator tools a ChangeWindow (the constructs write the request.time condition); give observer tools viewer/reader roles or a custom role of get/list permissions.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    const customRoles = new Set(inventory.policies.filter((p) => p.kind === 'gcp-custom-role' && p.name).map((p) => p.name!));
    const findings: RawFinding[] = [];
    for (const g of allowGrants(inventory, 'gcp')) {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent) continue;
      const permissions = knownPermissions(g, customRoles);
      // The data file flags roles reviewed as project telemetry (log writer, metric writer, BigQuery job user) even where it lists them only in part.
      const curatedTelemetry = g.role !== undefined && !customRoles.has(g.role) && (gcpPredefinedRole(g.role)?.flags.includes('project-telemetry') ?? false);
      const telemetryOnly = curatedTelemetry || (permissions !== undefined && permissions.length > 0 && permissions.every((p) => TELEMETRY_PERMISSIONS.test(p)));
      if (identity.labels.tier === AgentTier.OPERATOR) {
        const readOnly = permissions !== undefined && permissions.length > 0 && permissions.every((p) => isGetOrList(p) || TELEMETRY_PERMISSIONS.test(p));
        if (readOnly || telemetryOnly || boundsTime(typeof g.condition === 'string' ? g.condition : undefined)) continue;
        findings.push(findingAt('gcp', g.source, {
          detail: g.role,
          identity: identity.id,
          message: `${g.source.resource} grants ${g.role} to the operator service account ${principalOf(g, identity)} without a request.time condition (window or expiry).`,
          fix: GCP_TIER_BINDINGS_RULE.fix,
        }));
      } else if (identity.labels.tier === AgentTier.OBSERVER) {
        // The data file flags roles reviewed as observer-safe (read-only), e.g. logging.viewer with its saved-query permissions.
        const curatedReadOnly = g.role !== undefined && !customRoles.has(g.role) && (gcpPredefinedRole(g.role)?.flags.includes('read-only') ?? false);
        if (telemetryOnly || curatedReadOnly) continue;
        const beyond = permissions?.filter((p) => !isGetOrList(p) && !TELEMETRY_PERMISSIONS.test(p));
        if (beyond !== undefined && beyond.length === 0) continue;
        findings.push(findingAt('gcp', g.source, {
          detail: g.role,
          identity: identity.id,
          message: beyond === undefined
            ? `${g.source.resource} grants ${g.role} to the observer service account ${principalOf(g, identity)}; its permissions are not known to be get/list only.`
            : `${g.source.resource} grants ${g.role} to the observer service account ${principalOf(g, identity)}, which holds more than get/list: ${beyond.slice(0, 5).join(', ')}${beyond.length > 5 ? ', …' : ''}.`,
          fix: GCP_TIER_BINDINGS_RULE.fix,
        }));
      }
    }
    return findings;
  },
};
