import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { AZURE_PRIVILEGED_ACTIONS_CATALOG } from './identity-pivot-actions';
import { findingAt, grantReaches } from './private/azure-rule-helpers';
import { AZURE_ROLE_MANAGEMENT_ACTIONS } from './role-management-actions';

/** A wildcard whose every expansion is a read (`*\/read`, `Microsoft.Authorization/*\/read`). */
function readsOnly(action: string): boolean {
  return action.toLowerCase().endsWith('/read');
}

/**
 * AZ-002: custom-role wildcards are judged by what they reach: `*`, or a wildcard that reaches a
 * role-management write or a privileged action (listKeys, run command, identity assign/federate)
 * after not_actions, is an error; a wildcard of reads only passes; any other wildcard is a warning.
 * A role assignable at `/` is an error.
 */
export const AZURE_CUSTOM_ROLE_WILDCARDS_RULE: Rule = {
  id: 'AZ-002',
  cloud: 'azure',
  severity: 'error',
  reason: 'A custom role holds a wildcard that reaches everything, role management or a privileged action, or is assignable at the root scope "/".',
  explanation: 'A wildcard (`*`, `Microsoft.Storage/*`, `*/action`) grants every current and future action it matches, so it is judged by what it '
    + 'reaches: `*` (a few not_actions next to it leave everything else), Microsoft.Authorization writes, or an action of the privileged-action '
    + 'catalog (policies/catalogs/azure-privileged-actions.json: storage listKeys, VM run command, managed identity assign/federate, …) make it an '
    + 'error; a wildcard of reads (`Microsoft.Authorization/*/read`, `*/read`) is fine; any other wildcard is a warning. A role assignable at "/" '
    + 'can be assigned on every subscription of the tenant.',
  fix: 'List the exact actions and data actions of the task (or exclude the privileged ones in not_actions), and set assignable_scopes to the environment\'s resource group.',
  controls: ['CKV_AZURE_39'],
  evaluate(inventory: Inventory): RawFinding[] {
    const privileged = [...AZURE_ROLE_MANAGEMENT_ACTIONS, ...(loadCatalog(AZURE_PRIVILEGED_ACTIONS_CATALOG).azure ?? [])];
    const findings: RawFinding[] = [];
    for (const role of inventory.policies.filter((p) => p.cloud === 'azure' && p.kind === 'azure-role-definition')) {
      const name = role.name ?? role.source.resource;
      role.statements.forEach((s, i) => {
        const kind = i === 0 ? 'action' : 'data action';
        for (const action of (s.actions ?? []).filter((a) => a.includes('*'))) {
          if (action.trim() !== '*' && readsOnly(action)) continue;
          const reached = action.trim() === '*' ? [] : privileged.filter((t) => grantReaches({ actions: [action], notActions: s.notActions }, t) !== undefined);
          const everything = action.trim() === '*';
          const excluded = s.notActions?.length ? ` (not_actions ${s.notActions.join(', ')} leave the rest)` : '';
          findings.push(findingAt('azure', role.source, {
            detail: action,
            severity: everything || reached.length > 0 ? 'error' : 'warning',
            message: everything
              ? `Custom role ${name} holds the wildcard ${kind} *: every ${kind} of every provider${excluded}.`
              : reached.length > 0
                ? `Custom role ${name} holds the wildcard ${kind} ${action}, which reaches ${reached.slice(0, 4).join(', ')}${reached.length > 4 ? ', …' : ''}${excluded}.`
                : `Custom role ${name} holds the wildcard ${kind} ${action}: it reaches no privileged action today, but every current and future ${kind} it matches.`,
            fix: AZURE_CUSTOM_ROLE_WILDCARDS_RULE.fix,
          }));
        }
      });
      for (const scope of role.assignableScopes ?? []) {
        if (scope.trim() === '/' || scope.trim() === '') {
          findings.push(findingAt('azure', role.source, {
            detail: 'root-assignable',
            message: `Custom role ${name} is assignable at the root scope "/".`,
            fix: AZURE_CUSTOM_ROLE_WILDCARDS_RULE.fix,
          }));
        }
      }
    }
    return findings;
  },
};
