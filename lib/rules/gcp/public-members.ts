import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt } from './private/gcp-rule-helpers';

const PUBLIC = /^(allUsers|allAuthenticatedUsers|principalSet:\/\/goog\/public:all)$/;

/** GCP-008: no `allUsers` / `allAuthenticatedUsers` members. */
export const GCP_PUBLIC_MEMBERS_RULE: Rule = {
  id: 'GCP-008',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A role is granted to allUsers or allAuthenticatedUsers (anyone on the internet, or any Google account).',
  explanation: 'allUsers is anyone, signed in or not; allAuthenticatedUsers is any Google account in the world, not just your organization.',
  fix: 'Grant the role to the specific service accounts or groups that need it.',
  controls: ['CKV_GCP_28', 'CKV_GCP_99', 'CKV_GCP_100'],
  evaluate(inventory: Inventory): RawFinding[] {
    return allowGrants(inventory, 'gcp').filter((g) => PUBLIC.test(g.principal ?? '')).map((g) => findingAt('gcp', g.source, {
      detail: g.principal,
      message: `${g.source.resource} grants ${g.role} on ${g.resources.join(', ')} to ${g.principal}.`,
      fix: GCP_PUBLIC_MEMBERS_RULE.fix,
    }));
  },
};
