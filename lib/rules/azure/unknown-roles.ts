import { Inventory } from '../../inventory/inventory';
import { UNKNOWN_ROLE_ADVICE } from '../private/role-data-advice';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/azure-rule-helpers';
import { azureCustomRoleNames, azureRoleNameSuggestsPrivilege, BROAD_AZURE_LEVELS, isKnownAzureRole } from './private/azure-role-knowledge';

/** Resource groups hold an environment (as GCP projects do): an unknown role there is judged too. */
const JUDGED_LEVELS = new Set([...BROAD_AZURE_LEVELS, 'resource-group']);

/**
 * AZ-008: a role the role data does not know, assigned at resource-group, subscription, management-group or
 * root scope, is never passed silently: an error for agent identities, a warning otherwise (an error
 * when its name reads like an owner, contributor or administrator role).
 */
export const AZURE_UNKNOWN_ROLES_RULE: Rule = {
  id: 'AZ-008',
  cloud: 'azure',
  severity: 'error',
  reason: 'A role the role data does not know is assigned at resource-group, subscription, management-group or root scope.',
  explanation: 'The checks judge a role by its actions and data actions. A role name that is neither in the role data '
    + '(policies/azure-builtin-roles.json, or the data `agent-guardrails data pull` wrote) nor a role definition of the configuration '
    + 'could hold anything, and at resource-group scope or above it reaches every resource below, so it fails closed: an error for '
    + 'agent identities, a warning for other principals (an error too when the name reads like an owner, contributor or administrator role).',
  fix: 'Run `agent-guardrails data pull azure` and pass the data with --role-data (or the baseline\'s roleData), or assign a role the '
    + 'data knows, on the resource or resource group the principal needs.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'azure');
    const customRoles = azureCustomRoleNames(inventory);
    return allowGrants(inventory, 'azure').flatMap((g) => {
      const role = g.role ?? '';
      if (!JUDGED_LEVELS.has(g.scopeLevel ?? '') || role.trim() === '' || role.includes('${') || isKnownAzureRole(g, customRoles)) return [];
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      const guessed = azureRoleNameSuggestsPrivilege(role);
      return [findingAt('azure', g.source, {
        detail: role,
        identity: identity?.id,
        severity: identity?.isAgent || guessed ? 'error' : 'warning',
        message: `${g.source.resource} assigns "${role}" at ${g.scopeLevel} scope ${g.resources.join(', ')} to ${principalOf(g, identity)}; the role is `
          + `${UNKNOWN_ROLE_ADVICE}${guessed ? ' (its name reads like an owner, contributor or administrator role)' : ''}, so what it allows there is unknown.`,
        fix: AZURE_UNKNOWN_ROLES_RULE.fix,
      })];
    });
  },
};
