import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/azure-rule-helpers';

const TOO_BROAD = new Set(['subscription', 'management-group', 'root']);

/** AZ-005: agent role assignments at resource or resource-group scope only (data roles included). */
export const AZURE_ASSIGNMENT_SCOPE_RULE: Rule = {
  id: 'AZ-005',
  cloud: 'azure',
  severity: 'error',
  reason: 'An agent identity has a role assignment at subscription, management-group or root ("/") scope.',
  explanation: 'An agent tool works on declared resources of one environment. A subscription, management group or "/" assignment reaches '
    + 'every resource group below, across environments; data roles (Key Vault Secrets User, Storage Blob Data Owner) at that scope '
    + 'read every vault or account.',
  fix: 'Assign the role on the resource (storage account, container, vault) or on the environment\'s resource group.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'azure');
    return allowGrants(inventory, 'azure').flatMap((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent || g.scopeLevel === undefined || !TOO_BROAD.has(g.scopeLevel)) return [];
      return [findingAt('azure', g.source, {
        detail: g.scopeLevel,
        identity: identity.id,
        message: `${g.source.resource} assigns ${g.role} to the agent identity ${principalOf(g, identity)} at ${g.scopeLevel} scope ${g.resources.join(', ')}.`,
        fix: AZURE_ASSIGNMENT_SCOPE_RULE.fix,
      })];
    });
  },
};
