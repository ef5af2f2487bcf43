import { azureBuiltInRole } from '../../adapters/terraform/azure-roles';
import { loadCatalog } from '../../catalogs/catalog';
import { Grant, Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { AZURE_PRIVILEGED_ACTIONS_CATALOG } from './identity-pivot-actions';
import { isPrivilegedRoleAssignment } from './privileged-roles';
import { allowGrants, azureGlobMatches, findingAt, grantReaches, identitiesById, principalOf } from './private/azure-rule-helpers';
import { BROAD_AZURE_LEVELS } from './private/azure-role-knowledge';

/** The data actions of an assignment's role: from the role data (built-in) or the configuration's definition. */
function dataActionsOf(g: Grant, inventory: Inventory): string[] {
  const builtIn = azureBuiltInRole(g.role ?? '');
  if (builtIn) return builtIn.dataActions;
  const custom = inventory.policies.find((p) => p.kind === 'azure-role-definition' && p.name !== undefined && p.name.toLowerCase() === (g.role ?? '').toLowerCase());
  return custom?.statements[1]?.actions ?? [];
}

/** Data actions that read a Log Analytics workspace's monitoring logs: telemetry, not secrets, keys or stored data. */
export const AZURE_MONITORING_LOG_READS_CATALOG = 'azure-monitoring-log-reads';

/**
 * AZ-005: agent role assignments at resource or resource-group scope only; and for every
 * principal, data-plane roles (secrets, blobs, keys) and identity-pivot actions never at
 * subscription, management-group or root scope.
 */
export const AZURE_ASSIGNMENT_SCOPE_RULE: Rule = {
  id: 'AZ-005',
  cloud: 'azure',
  severity: 'error',
  reason: 'An agent identity has a role assignment at subscription, management-group or root ("/") scope, or anyone holds data-plane or identity-pivot access there.',
  explanation: 'An agent tool works on declared resources of one environment. A subscription, management group or "/" assignment reaches '
    + 'every resource group below, across environments; data roles (Key Vault Secrets User, Storage Blob Data Owner) at that scope '
    + 'read every vault or account, and run command or listKeys there reaches every VM or storage account, whoever holds them. '
    + 'Reading the monitoring logs of Log Analytics workspaces (Log Analytics Reader, policies/catalogs/azure-monitoring-log-reads.json) is '
    + 'telemetry, not a data role: at subscription scope it is an error for agent identities only.',
  fix: 'Assign the role on the resource (storage account, container, vault) or on the environment\'s resource group.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'azure');
    const pivots = loadCatalog(AZURE_PRIVILEGED_ACTIONS_CATALOG).azure ?? [];
    const logReads = loadCatalog(AZURE_MONITORING_LOG_READS_CATALOG).azure ?? [];
    return allowGrants(inventory, 'azure').flatMap((g) => {
      if (g.scopeLevel === undefined || !BROAD_AZURE_LEVELS.has(g.scopeLevel)) return [];
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (identity?.isAgent) {
        return [findingAt('azure', g.source, {
          detail: g.scopeLevel,
          identity: identity.id,
          message: `${g.source.resource} assigns ${g.role} to the agent identity ${principalOf(g, identity)} at ${g.scopeLevel} scope ${g.resources.join(', ')}.`,
          fix: AZURE_ASSIGNMENT_SCOPE_RULE.fix,
        })];
      }
      // What Owner, Contributor and the like reach there is AZ-001's finding already: nothing more on the same assignment.
      // (An agent's assignment at that scope is a cause of its own, above: the agent leaves its environment.)
      if (isPrivilegedRoleAssignment(g)) return [];
      // Reading the workspaces' logs is what the query and search actions (control plane) already allow: not data-plane.
      const data = dataActionsOf(g, inventory).filter((a) => !logReads.some((l) => azureGlobMatches(l, a)));
      const pivot = pivots.filter((t) => grantReaches(g, t) !== undefined);
      if (data.length === 0 && pivot.length === 0) return [];
      const what = [...data, ...pivot].slice(0, 4).join(', ');
      return [findingAt('azure', g.source, {
        detail: g.scopeLevel,
        identity: identity?.id,
        message: `${g.source.resource} assigns ${g.role} to ${principalOf(g, identity)} at ${g.scopeLevel} scope ${g.resources.join(', ')}: `
          + `its ${data.length > 0 ? 'data-plane' : 'identity-pivot'} access (${what}${data.length + pivot.length > 4 ? ', …' : ''}) then reaches every resource below.`,
        fix: AZURE_ASSIGNMENT_SCOPE_RULE.fix,
      })];
    });
  },
};
