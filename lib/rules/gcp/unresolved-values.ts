import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { findingAt } from './private/gcp-rule-helpers';

/**
 * GCP-012: IAM values the checks cannot know offline (variables without default, functions,
 * references outside the configuration) are reported, never assumed safe. AZ-007 is the same for Azure.
 */
export const GCP_UNRESOLVED_VALUES_RULE: Rule = {
  id: 'GCP-012',
  cloud: 'gcp',
  severity: 'error',
  reason: 'An IAM value (role, member, condition, policy, permission) cannot be resolved offline.',
  explanation: 'The checks only see the synthesized configuration. A role or member that comes from a variable without default, a '
    + 'Terraform function or a resource outside the configuration could be anything, including roles/owner or allUsers, so it fails closed.',
  fix: 'Write the value literally (or give the variable a default), or reference a resource of the same configuration; acknowledge with a reason if it is set by a reviewed pipeline.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    return inventory.unresolved.filter((u) => u.cloud === 'gcp').map((u) => findingAt('gcp', u.source, {
      detail: u.what.split(' ')[0].replace(/^(data\.)?[^.]+\.[^.]+\./, ''),
      message: `${u.what}; the checks cannot tell what it grants.`,
      fix: GCP_UNRESOLVED_VALUES_RULE.fix,
    }));
  },
};
