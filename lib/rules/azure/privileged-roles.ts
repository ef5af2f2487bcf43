import { azureBuiltInRole } from '../../adapters/terraform/azure-roles';
import { Grant, Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { allowGrants, findingAt, grantReaches, identitiesById, isDelegationCondition, principalOf } from './private/azure-rule-helpers';

const ALWAYS = ['owner', 'contributor', 'user access administrator'];
const UNLESS_CONSTRAINED = 'role based access control administrator';

/**
 * Whether AZ-001 reports this assignment's role itself (Owner, Contributor, User Access Administrator, or RBAC
 * Administrator without a delegation condition): other rules then add nothing on it (one finding per cause).
 */
export function isPrivilegedRoleAssignment(g: Pick<Grant, 'role' | 'condition'>): boolean {
  const name = (azureBuiltInRole(g.role ?? '')?.name ?? g.role ?? '').toLowerCase();
  return ALWAYS.includes(name) || (name === UNLESS_CONSTRAINED && !isDelegationCondition(g.condition));
}

/**
 * AZ-001: no Owner, Contributor, User Access Administrator, or RBAC Administrator without a
 * delegation condition, by name or by role-definition GUID; nor a role the baseline forbids.
 */
export const AZURE_PRIVILEGED_ROLES_RULE: Rule = {
  id: 'AZ-001',
  cloud: 'azure',
  severity: 'error',
  reason: 'Owner, Contributor, User Access Administrator, an unconstrained RBAC Administrator, or a role or action the baseline forbids is assigned.',
  explanation: 'These built-in roles control everything at their scope (Contributor all but access, Owner and User Access Administrator '
    + 'also access, so they can grant themselves more). Role Based Access Control Administrator is acceptable only with a delegation '
    + 'condition that limits which roles it may assign. The roles are recognised by name and by role-definition GUID '
    + '(policies/azure-builtin-roles.json), since an assignment can use either.',
  fix: 'Assign the narrow built-in role of the task (Reader, Storage Blob Data Reader, …) or a custom role with exactly its actions, at resource or resource-group scope.',
  controls: ['Azure.RBAC.LimitOwner', 'Azure.RBAC.UseRGDelegation'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const identities = identitiesById(inventory, 'azure');
    const forbidden = new Set(context.baseline.forbiddenAzureRoles.map((r) => (azureBuiltInRole(r)?.name ?? r).toLowerCase()));
    const forbiddenActions = context.baseline.forbiddenAzureActions;
    return allowGrants(inventory, 'azure').flatMap((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      const actionFindings = forbiddenActions.flatMap((target) => {
        const via = grantReaches(g, target);
        return via ? [findingAt('azure', g.source, {
          detail: target, identity: identity?.id,
          message: `${g.source.resource} grants ${target} (through ${g.role}: ${via}) to ${principalOf(g, identity)}, which baseline ${context.baseline.id} forbids.`,
          fix: 'Assign a role without this action.',
        })] : [];
      });
      const name = (azureBuiltInRole(g.role ?? '')?.name ?? g.role ?? '').toLowerCase();
      const bad = ALWAYS.includes(name) || forbidden.has(name) || (name === UNLESS_CONSTRAINED && !isDelegationCondition(g.condition));
      if (!bad) return actionFindings;
      return [...actionFindings, findingAt('azure', g.source, {
        detail: azureBuiltInRole(g.role ?? '')?.name ?? g.role,
        identity: identity?.id,
        message: `${g.source.resource} assigns ${g.role}${name === UNLESS_CONSTRAINED ? ' without a delegation condition' : ''} at ${g.resources.join(', ') || '(no scope)'} to ${principalOf(g, identity)}.`,
        fix: AZURE_PRIVILEGED_ROLES_RULE.fix,
      })];
    });
  },
};
