import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../baseline/baseline';
import { isObject } from './private/terraform-blocks';

/**
 * Permissions of GCP predefined roles, from `policies/gcp-roles.json` (read once per process).
 * Accepts `{ roles: { "roles/x": ["perm", …] } }`, `{ roles: { "roles/x": { permissions } } }`,
 * `{ roles: [{ name, permissions }] }` or a top-level map, so the data file can evolve.
 */
let cache: Map<string, string[]> | undefined;

function load(): Map<string, string[]> {
  if (cache) return cache;
  cache = new Map();
  const file = path.join(policiesDir(), 'gcp-roles.json');
  if (!fs.existsSync(file)) return cache;
  const doc: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const roles = isObject(doc) && doc.roles !== undefined ? doc.roles : doc;
  const add = (name: unknown, value: unknown) => {
    const perms = Array.isArray(value) ? value : isObject(value) ? value.permissions ?? value.includedPermissions : undefined;
    if (typeof name === 'string' && name.startsWith('roles/') && Array.isArray(perms)) {
      cache!.set(name, perms.filter((p): p is string => typeof p === 'string'));
    }
  };
  if (Array.isArray(roles)) for (const r of roles) if (isObject(r)) add(r.name ?? r.role, r);
  if (isObject(roles)) for (const [name, value] of Object.entries(roles)) add(name, value);
  return cache;
}

/** The permissions of a predefined role (`roles/logging.logWriter`), or undefined when the data file does not know it. */
export function gcpPredefinedRolePermissions(role: string): readonly string[] | undefined {
  return load().get(role);
}

/** The basic roles: whole-project access, never for an agent. */
export const GCP_BASIC_ROLES: readonly string[] = ['roles/owner', 'roles/editor', 'roles/viewer'];
