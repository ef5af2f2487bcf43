import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
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
    + 'Terraform function or a resource outside the configuration could be anything, including roles/owner or allUsers, so it fails closed. '
    + 'A module call is judged by what it is handed (its resources are not in the configuration): handed an agent identity (a reference to '
    + 'the service account, directly or through locals, or its email), it can grant that agent any role: an error. Handed another identity, '
    + 'IAM inputs (roles, members, bindings) or nothing of the kind, its own grants are unchecked: a warning. A pinned registry version is '
    + 'no safer. A member that is a module\'s output with its kind written (`serviceAccount:${module.sa.email}`, user:, group:, a '
    + 'pool principal) is one principal, neither public nor an agent identity of this configuration, and the role is judged: a warning. '
    + 'A whole member from a module (`${module.sa.iam_email}`, which could be allUsers) or a domain stays an error. A baseline with '
    + '`terraform.unresolvedReferences: error` makes those warnings errors.',
  fix: 'Write the value literally (or give the variable a default), or reference a resource of the same configuration; acknowledge with a reason if it is set by a reviewed pipeline.',
  controls: [],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    // A module call that can only hide grants not handed to an agent is a warning unless the baseline says otherwise.
    const referenceSeverity = context.baseline.unresolvedReferenceSeverity('gcp');
    return inventory.unresolved.filter((u) => u.cloud === 'gcp').map((u) => findingAt('gcp', u.source, {
      ...(u.severity === 'warning' && referenceSeverity === 'warning' ? { severity: 'warning' as const } : {}),
      detail: u.what.split(' ')[0].replace(/^(data\.)?[^.]+\.[^.]+\./, ''),
      message: `${u.what}; the checks cannot tell what it grants.`,
      fix: GCP_UNRESOLVED_VALUES_RULE.fix,
    }));
  },
};
