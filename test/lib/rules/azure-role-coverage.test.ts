import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../../lib/baseline/baseline';
import { loadCatalog } from '../../../lib/catalogs/catalog';
import { AZURE_PRIVILEGED_ACTIONS_CATALOG } from '../../../lib/rules/azure/identity-pivot-actions';
import { azureGlobMatches, grantReaches } from '../../../lib/rules/azure/private/azure-rule-helpers';
import { AZURE_ROLE_MANAGEMENT_ACTIONS } from '../../../lib/rules/azure/role-management-actions';
import { fullRoleDataAvailable, readFullRoleData, SHARED_ROLE_DATA } from '../../helpers/full-role-data';

/**
 * How much of Azure's security-relevant built-in role set the shipped catalog covers, measured against
 * the full role definitions (../shared/data: tests and measurement only, never shipped). A role is
 * security-relevant when its actions reach a Microsoft.Authorization write, an action of the
 * privileged-action catalog (run command, identity assign/federate, listKeys, …) or any key listing or
 * regeneration, or when it holds data actions. Each entry's correctness is role-catalog-proof.test.ts.
 */
const suite = fullRoleDataAvailable() ? describe : describe.skip;

const KEY_ACTIONS = ['*/listKeys/action', '*/regenerateKey/action', '*/listAccountSas/action', '*/listServiceSas/action'];

/**
 * Whether a role names a key listing or regeneration of any provider (`Microsoft.Cache/redis/listKeys/action`,
 * `*\/listKeys/action`). A provider wildcard such as `Microsoft.Insights/alertRules/*` could match the pattern
 * too, but names no key action: the rules judge such wildcards against the privileged-action catalog instead.
 */
function namesKeyAction(grant: { actions: string[]; notActions: string[] }): boolean {
  const instance = (a: string) => a.replace(/\*/g, 'x');
  return KEY_ACTIONS.some((k) => grant.actions.some((a) => azureGlobMatches(k, instance(a)) && !grant.notActions.some((n) => azureGlobMatches(n, instance(a)))));
}

suite('Azure role catalog coverage of the security-relevant built-in roles (../shared/data)', () => {
  test('security-relevant roles covered (measured, never fewer than the catalog covered when this was written)', () => {
    const real = readFullRoleData(SHARED_ROLE_DATA).azure.roles;
    const shipped = new Set((JSON.parse(fs.readFileSync(path.join(policiesDir(), 'azure-builtin-roles.json'), 'utf8')).roles as { id: string }[]).map((r) => r.id));
    const targets = [...AZURE_ROLE_MANAGEMENT_ACTIONS, 'Microsoft.Authorization/*/delete', ...(loadCatalog(AZURE_PRIVILEGED_ACTIONS_CATALOG).azure ?? [])];
    // Uncovered role names by kind, printed so the catalog can be extended from the list.
    const kinds = new Map<string, string[]>();
    let relevant = 0;
    let covered = 0;
    for (const r of real) {
      const grant = { actions: r.permissions.flatMap((p) => p.actions ?? []), notActions: r.permissions.flatMap((p) => p.notActions ?? []) };
      const data = r.permissions.some((p) => (p.dataActions ?? []).length > 0);
      const control = targets.some((t) => grantReaches(grant, t) !== undefined) || namesKeyAction(grant);
      if (!data && !control) continue;
      relevant++;
      if (shipped.has(r.id.toLowerCase())) covered++;
      else {
        const kind = control ? 'control-plane (authorization, pivot or keys)' : 'data actions only';
        kinds.set(kind, [...(kinds.get(kind) ?? []), r.roleName]);
      }
    }
    // eslint-disable-next-line no-console
    console.log(`Azure security-relevant built-in roles covered: ${covered} of ${relevant} (catalog ${shipped.size} roles); not covered: ${[...kinds].map(([k, names]) => `${k} ${names.length}`).join(', ')}`);
    for (const [kind, names] of kinds) {
      // eslint-disable-next-line no-console
      console.log(`not covered, ${kind} (${names.length}):\n  ${[...names].sort().join('\n  ')}`);
    }
    // 269 since 1.43.0: the measured count (Key Vault Reader, SRE Agent Standard User and Azure IoT Operations Onboarding added from the category pages dated 2026-07-01).
    expect(covered).toBeGreaterThanOrEqual(269);
  });
});
