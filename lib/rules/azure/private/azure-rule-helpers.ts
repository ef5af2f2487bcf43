import { Grant } from '../../../inventory/inventory';
import { GlobOptions, globMatch } from '../../../private/glob-match';

export { allowGrants, findingAt, identitiesById, principalOf } from '../../gcp/private/gcp-rule-helpers';

const AZURE_GLOB: GlobOptions = { questionWildcard: false, slashStarMayBeEmpty: true };

/**
 * Azure action glob match, case-insensitive. `*` matches any characters, and a `/*\/` segment
 * may also match nothing (`userAssignedIdentities/*\/assign/action` covers `userAssignedIdentities/assign/action`).
 */
export function azureGlobMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  return globMatch(pattern, value, AZURE_GLOB);
}

/** Whether two action globs can match a common action (each tested on the other's literal instance). */
export function azureGlobsOverlap(a: string, b: string): boolean {
  const sample = (g: string) => g.replace(/\*/g, 'x');
  return azureGlobMatches(a, sample(b)) || azureGlobMatches(b, sample(a));
}

/**
 * Whether a grant's actions reach `target` (an action or an action glob), after its not_actions.
 * Returns the action that reaches it.
 */
export function grantReaches(grant: Pick<Grant, 'actions' | 'notActions'>, target: string): string | undefined {
  const hit = grant.actions.find((a) => azureGlobsOverlap(a, target));
  if (!hit) return undefined;
  // Excluded only when one not_action covers the whole target (a glob target must be covered as a glob).
  if ((grant.notActions ?? []).some((n) => azureGlobMatches(n, target))) return undefined;
  return hit;
}

/** An ABAC condition that constrains which roles or principals a role-assignment write may touch. */
export function isDelegationCondition(condition: unknown): boolean {
  return typeof condition === 'string' && /@(Request|Resource)\[Microsoft\.Authorization\/roleAssignments:(RoleDefinitionId|PrincipalId|PrincipalType)\]/i.test(condition);
}
