import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { findingAt } from './private/azure-rule-helpers';

/** AZ-007: Azure IAM values the checks cannot know offline are reported (fail closed), like GCP-012. */
export const AZURE_UNRESOLVED_VALUES_RULE: Rule = {
  id: 'AZ-007',
  cloud: 'azure',
  severity: 'error',
  reason: 'An IAM value (role, principal, scope, condition, action) cannot be resolved offline.',
  explanation: 'The checks only see the synthesized configuration. A role, principal or scope from a variable without default, a Terraform '
    + 'function or a resource outside the configuration could be Owner, anyone, or "/", so it fails closed.',
  fix: 'Write the value literally (or give the variable a default), or reference a resource of the same configuration; acknowledge with a reason if it is set by a reviewed pipeline.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    return inventory.unresolved.filter((u) => u.cloud === 'azure').map((u) => findingAt('azure', u.source, {
      detail: u.what.split(' ')[0].replace(/^(data\.)?[^.]+\.[^.]+\./, ''),
      message: `${u.what}; the checks cannot tell what it grants.`,
      fix: AZURE_UNRESOLVED_VALUES_RULE.fix,
    }));
  },
};
