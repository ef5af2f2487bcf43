import { Grant, Identity, Inventory, SourceLocation } from '../../../inventory/inventory';
import { RawFinding } from '../../rule';
import { globMatch } from '../../../private/glob-match';

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
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === value.toLowerCase();
  return globMatch(pattern, value);
}

/** Whether two globs can match a common value (tested on each side's literal instance). */
export function globsOverlap(a: string, b: string): boolean {
  const sample = (g: string) => g.replace(/\*/g, 'x').replace(/\?/g, 'x');
  return globMatches(a, sample(b)) || globMatches(b, sample(a));
}
