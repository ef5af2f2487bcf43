import { Grant, Identity, Inventory, SourceLocation } from '../../../inventory/inventory';
import { RawFinding } from '../../rule';
import { globMatch } from '../../../private/glob-match';
import { isAsciiLetter } from '../../../private/ascii';

/** Identities by id, for the rules of one cloud. */
export function identitiesById(inventory: Inventory, cloud: 'gcp' | 'azure'): Map<string, Identity> {
  return new Map(inventory.identities.filter((i) => i.cloud === cloud).map((i) => [i.id, i]));
}

/** The Allow grants of one cloud. */
export function allowGrants(inventory: Inventory, cloud: 'gcp' | 'azure'): Grant[] {
  return inventory.grants.filter((g) => g.cloud === cloud && g.effect === 'Allow');
}

/** A finding located at a Terraform resource. */
export function findingAt(cloud: 'gcp' | 'azure', source: SourceLocation, fields: { detail?: string; identity?: string; message: string; fix: string; severity?: 'error' | 'warning' }): RawFinding {
  return {
    cloud,
    resource: source.resource,
    ...(source.stack !== undefined ? { stack: source.stack } : {}),
    ...(source.file !== undefined ? { file: source.file } : {}),
    ...(source.path !== undefined ? { path: source.path } : {}),
    ...fields,
  };
}

/** Who a grant is for, as a reader wants to see it. */
export function principalOf(grant: Grant, identity: Identity | undefined): string {
  return identity ? `${identity.source.resource}${identity.name ? ` (${identity.name})` : ''}` : grant.principal ?? '(unknown principal)';
}

/** Glob match for permissions and roles: `*` matches any run of characters, case-insensitive. */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return equalIgnoringCase(pattern, value);
  return globMatch(pattern, value);
}

/**
 * `a.toLowerCase() === b.toLowerCase()` without making either string (rules compare every permission of every
 * grant with catalog and deny lists): ASCII compared in place; at the first character outside ASCII, as before.
 * A mismatch after an ASCII-only prefix decides, since lower-casing ASCII keeps positions.
 */
function equalIgnoringCase(a: string, b: string): boolean {
  if (a === b) return true;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x >= 128 || y >= 128) return a.toLowerCase() === b.toLowerCase();
    // Equal in lower case only when the same, or one letter in its two cases (they differ in bit 5 only).
    if (x !== y && ((x | 32) !== (y | 32) || !isAsciiLetter(x))) return false;
  }
  // An ASCII-only prefix of equal lower case: the longer string has more to lower-case, so they differ.
  return a.length === b.length;
}

/** Whether two globs can match a common value (tested on each side's literal instance). */
export function globsOverlap(a: string, b: string): boolean {
  const sample = (g: string) => g.replace(/\*/g, 'x').replace(/\?/g, 'x');
  return globMatches(a, sample(b)) || globMatches(b, sample(a));
}
