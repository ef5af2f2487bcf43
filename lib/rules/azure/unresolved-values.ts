import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { findingAt } from './private/azure-rule-helpers';

/** AZ-007: Azure IAM values the checks cannot know offline are reported (fail closed), like GCP-012. */
export const AZURE_UNRESOLVED_VALUES_RULE: Rule = {
  id: 'AZ-007',
  cloud: 'azure',
  severity: 'error',
  reason: 'An IAM value (role, principal, scope, condition, action) cannot be resolved offline.',
  explanation: 'The checks only see the synthesized configuration. A role, principal or scope from a variable without default, a Terraform '
    + 'function or a resource outside the configuration could be Owner, anyone, or "/", so it fails closed. '
    + 'A module call is judged by what it is handed, as for GCP-012: an agent identity (its principal or object id, directly or through '
    + 'locals) is an error; another identity, IAM inputs (role_definition_name, role assignments) or nothing of the kind is a warning, '
    + 'which a baseline with `terraform.unresolvedReferences: error` makes an error. A principal id that is a module\'s output '
    + 'is one principal, not an agent identity of this configuration, and role and scope are judged: a warning; a scope from a module '
    + 'could be the subscription or "/": an error.',
  fix: 'Write the value literally (or give the variable a default), or reference a resource of the same configuration; acknowledge with a reason if it is set by a reviewed pipeline.',
  controls: [],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    // A module call that can only hide grants not handed to an agent is a warning unless the baseline says otherwise.
    const referenceSeverity = context.baseline.unresolvedReferenceSeverity('azure');
    return inventory.unresolved.filter((u) => u.cloud === 'azure').map((u) => findingAt('azure', u.source, {
      ...(u.severity === 'warning' && referenceSeverity === 'warning' ? { severity: 'warning' as const } : {}),
      detail: u.what.split(' ')[0].replace(/^(data\.)?[^.]+\.[^.]+\./, ''),
      message: `${u.what}; the checks cannot tell what it grants.`,
      fix: AZURE_UNRESOLVED_VALUES_RULE.fix,
    }));
  },
};
