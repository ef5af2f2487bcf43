import { globMatch, GlobOptions, hasGlobWildcard } from '../private/glob-match';
import { globsOverlap } from '../rules/aws/private/effective-permissions';

/** Azure action globs: `?` is a literal, and a `/*\/` segment may also match a single `/`. */
export const AZURE_ACTION_GLOB: GlobOptions = { questionWildcard: false, slashStarMayBeEmpty: true };

/**
 * The entry of a baseline's `forbidden` list that `granted` runs into, or undefined. Wildcards
 * count both ways, case-insensitively: a forbidden `ecs:*` catches a granted `ecs:UpdateService`,
 * and a granted `ecs:*` catches a forbidden `ecs:UpdateService`; two patterns collide when some
 * name matches both. Linear-time matching (lib/private/glob-match), never a RegExp built from input.
 */
export function forbiddenEntryFor(forbidden: readonly string[], granted: string, options: GlobOptions = {}): string | undefined {
  return forbidden.find((entry) => collide(entry, granted, options));
}

function collide(entry: string, granted: string, options: GlobOptions): boolean {
  const grantedIsPattern = hasGlobWildcard(granted);
  if (!grantedIsPattern) return globMatch(entry, granted, options);
  if (!hasGlobWildcard(entry)) return globMatch(granted, entry, options);
  // Both patterns: a bounded intersection test (assumes a collision past its budget: the safe side).
  return globsOverlap(entry.toLowerCase(), granted.toLowerCase());
}
