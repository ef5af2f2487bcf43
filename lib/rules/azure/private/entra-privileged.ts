import { loadCatalog } from '../../../catalogs/catalog';
import { entraGrantFields } from '../../../adapters/terraform/entra-grant-fields';
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
    const fields = entraGrantFields(o.type);
    if (fields === undefined) return [];
    const p = o.properties;
    const first = (names: readonly string[]) => names.map((k) => (typeof p[k] === 'string' ? p[k] as string : undefined)).find((v) => v !== undefined);
    if (fields.directoryRole) {
      const scope = (first(['directory_scope_id']) ?? '/').trim();
      if (scope !== '/' && scope !== '') return [];
    }
    const entry = entryFor(fields.directoryRole ? 'directory-role' : 'graph-app-role', first(fields.role) ?? '');
    return entry ? [{ other: o, entry, principal: first(fields.principal) ?? '(unknown principal)' }] : [];
  });
}
