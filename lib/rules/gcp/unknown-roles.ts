import { Inventory } from '../../inventory/inventory';
import { UNKNOWN_ROLE_ADVICE } from '../private/role-data-advice';
import { RawFinding, Rule } from '../rule';
import { isGcpAdminOrServiceAgentRole } from './admin-roles';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { BROAD_GCP_LEVELS, gcpCustomRoleNames, gcpRoleNameSuggestsPrivilege, isKnownGcpRole, isUnresolvedRoleText } from './private/gcp-role-knowledge';


/**
 * GCP-013: a role the role data does not know, granted at project, folder or organization level,
 * is never passed silently: an error for agent identities, a warning otherwise (an error when its
 * name suggests an admin, editor or service-agent role).
 */
export const GCP_UNKNOWN_ROLES_RULE: Rule = {
  id: 'GCP-013',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A role the role data does not know is granted at project, folder or organization level.',
  explanation: 'The checks judge a role by its permissions. A role that is neither in the role data (policies/gcp-roles.json, or the '
    + 'data `agent-guardrails data pull` wrote) nor a custom role of the configuration could hold anything, and at project level or '
    + 'above it reaches every resource below, so it fails closed: an error for agent identities, a warning for other principals '
    + '(an error too when the name reads like an admin, editor or service-agent role; the name can raise the verdict, never lower it).',
  fix: 'Run `agent-guardrails data pull gcp` and pass the data with --role-data (or the baseline\'s roleData), or grant a role the '
    + 'data knows, on the one resource the principal needs.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    const customRoles = gcpCustomRoleNames(inventory);
    return allowGrants(inventory, 'gcp').flatMap((g) => {
      if (!BROAD_GCP_LEVELS.has(g.scopeLevel ?? '') || isUnresolvedRoleText(g.role) || isKnownGcpRole(g.role!, customRoles)) return [];
      const role = g.role!;
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      const agent = identity?.isAgent === true;
      // GCP-003 already reports an admin or service agent role of an agent: one finding per cause.
      if (agent && isGcpAdminOrServiceAgentRole(role)) return [];
      const guessed = gcpRoleNameSuggestsPrivilege(role);
      const custom = /^(projects|organizations)\/[^/]+\/roles\//.test(role);
      return [findingAt('gcp', g.source, {
        detail: role,
        identity: identity?.id,
        severity: agent || guessed ? 'error' : 'warning',
        message: `${g.source.resource} grants ${role} at ${g.scopeLevel} level (${g.resources.join(', ')}) to ${principalOf(g, identity)}; `
          + `${custom ? 'this custom role is not defined in the configuration and is' : 'the role is'} ${UNKNOWN_ROLE_ADVICE}`
          + `${guessed ? ' (its name reads like an admin, editor or service-agent role)' : ''}, so what it allows there is unknown.`,
        fix: GCP_UNKNOWN_ROLES_RULE.fix,
      })];
    });
  },
};
