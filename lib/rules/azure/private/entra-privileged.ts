import { loadCatalog } from '../../../catalogs/catalog';
import { Inventory, OtherResource } from '../../../inventory/inventory';

/** The catalog of tenant-wide Entra escalation roles and Graph permissions (`policies/catalogs/azure-entra-privileged.json`). */
export const AZURE_ENTRA_PRIVILEGED_CATALOG = 'azure-entra-privileged';

interface EntraEntry { readonly kind: 'directory-role' | 'graph-app-role'; readonly id: string; readonly name: string }

let entries: EntraEntry[] | undefined;

/** The catalog's entries (`<kind> <id> <name>`), read once. */
function catalogEntries(): EntraEntry[] {
  return entries ??= (loadCatalog(AZURE_ENTRA_PRIVILEGED_CATALOG).azure ?? []).flatMap((line) => {
    const [kind, id, ...name] = line.split(' ');
    return kind === 'directory-role' || kind === 'graph-app-role' ? [{ kind, id: id.toLowerCase(), name: name.join(' ') }] : [];
  });
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** `…app_role_ids["RoleManagement.ReadWrite.Directory"]`: a Graph permission looked up by its value. */
const BY_VALUE = /app_role_ids\["([^"\\]*)"\]/;

/** The catalog entry a role value names: by id (a GUID in it), by `app_role_ids["value"]`, or by display name. */
function entryFor(kind: EntraEntry['kind'], role: string): EntraEntry | undefined {
  const guid = GUID.exec(role)?.[0].toLowerCase();
  const value = BY_VALUE.exec(role)?.[1] ?? role.trim();
  return catalogEntries().find((e) => e.kind === kind && (guid !== undefined ? e.id === guid : e.name.toLowerCase() === value.toLowerCase()));
}

/** An Entra grant of a catalogued role or permission, tenant-wide. */
export interface EntraPrivilegedGrant {
  readonly other: OtherResource;
  readonly entry: EntraEntry;
  readonly principal: string;
}

/**
 * Grants of tenant-wide Entra escalation: a catalogued Graph application permission (azuread_app_role_assignment), or a
 * catalogued directory role (azuread_directory_role_assignment / _member) at the directory root (`/`, the default).
 * A directory role scoped to one application or administrative unit reaches only that, and is not one.
 */
export function entraPrivilegedGrants(inventory: Inventory): EntraPrivilegedGrant[] {
  return inventory.others.filter((o) => o.cloud === 'azure').flatMap((o) => {
    const p = o.properties;
    const text = (k: string) => (typeof p[k] === 'string' ? p[k] as string : undefined);
    let entry: EntraEntry | undefined;
    let principal: string | undefined;
    if (o.type === 'azuread_app_role_assignment') {
      entry = entryFor('graph-app-role', text('app_role_id') ?? '');
      principal = text('principal_object_id');
    } else if (o.type === 'azuread_directory_role_assignment' || o.type === 'azuread_directory_role_member') {
      const scope = (text('directory_scope_id') ?? '/').trim();
      if (scope !== '/' && scope !== '') return [];
      entry = entryFor('directory-role', text('role_id') ?? text('role_object_id') ?? '');
      principal = text('principal_object_id') ?? text('member_object_id');
    }
    return entry ? [{ other: o, entry, principal: principal ?? '(unknown principal)' }] : [];
  });
}
