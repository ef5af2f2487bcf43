import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { findingAt } from './private/azure-rule-helpers';

/** AZ-002: custom roles hold no `*` actions or data actions and are not assignable at `/`. */
export const AZURE_CUSTOM_ROLE_WILDCARDS_RULE: Rule = {
  id: 'AZ-002',
  cloud: 'azure',
  severity: 'error',
  reason: 'A custom role holds a wildcard action or data action, or is assignable at the root scope "/".',
  explanation: 'A wildcard (`*`, `Microsoft.Storage/*`, `*/write`) grants every current and future action it matches; a few '
    + 'not_actions next to `*` leave everything else, so they do not make it narrow. A role assignable at "/" can be assigned on every '
    + 'subscription of the tenant.',
  fix: 'List the exact actions and data actions of the task, and set assignable_scopes to the environment\'s resource group.',
  controls: ['CKV_AZURE_39'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const role of inventory.policies.filter((p) => p.cloud === 'azure' && p.kind === 'azure-role-definition')) {
      const name = role.name ?? role.source.resource;
      role.statements.forEach((s, i) => {
        for (const action of (s.actions ?? []).filter((a) => a.includes('*'))) {
          const excluded = s.notActions?.length ? ` (not_actions ${s.notActions.join(', ')} leave the rest)` : '';
          findings.push(findingAt('azure', role.source, {
            detail: action,
            message: `Custom role ${name} holds the wildcard ${i === 0 ? 'action' : 'data action'} ${action}${excluded}.`,
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
