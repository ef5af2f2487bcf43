import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';

/** GCP-009: no organization- or folder-level grants to agent identities. */
export const GCP_ORG_FOLDER_GRANTS_RULE: Rule = {
  id: 'GCP-009',
  cloud: 'gcp',
  severity: 'error',
  reason: 'An agent identity is granted a role on an organization or a folder.',
  explanation: 'Organization and folder grants reach every project below, across environments; an agent tool belongs to one project (one environment).',
  fix: 'Grant the role on the resource (or, for telemetry, the project) of the tool\'s own environment.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    return allowGrants(inventory, 'gcp').flatMap((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent || (g.scopeLevel !== 'organization' && g.scopeLevel !== 'folder')) return [];
      return [findingAt('gcp', g.source, {
        detail: g.role,
        identity: identity.id,
        message: `${g.source.resource} grants ${g.role} on ${g.resources.join(', ')} (${g.scopeLevel}) to the agent service account ${principalOf(g, identity)}.`,
        fix: GCP_ORG_FOLDER_GRANTS_RULE.fix,
      })];
    });
  },
};
