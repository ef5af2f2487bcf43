/**
 * Entra (azuread) grants outside Azure RBAC, and the arguments that hold their role and principal: a Microsoft Graph
 * application permission given to a service principal (`azuread_app_role_assignment`) and a directory role
 * (`azuread_directory_role_assignment`, the older `azuread_directory_role_member`). One table for the Terraform reader
 * (which resolves these arguments) and AZ-003 (which judges them).
 *
 * Each list is read in order and the first argument present is the one judged. The two directory-role types list
 * each other's argument names too: a block written with the other type's name (which `terraform validate` rejects)
 * is still judged by the role it names, never passed because its usual argument is absent.
 */
export interface EntraGrantFields {
  readonly role: readonly string[];
  readonly principal: readonly string[];
  /** Whether a directory scope (`directory_scope_id`, default `/`) narrows the grant. */
  readonly directoryRole: boolean;
}

const DIRECTORY_ROLE: EntraGrantFields = { role: ['role_id', 'role_object_id'], principal: ['principal_object_id', 'member_object_id'], directoryRole: true };

export const ENTRA_GRANT_FIELDS: Readonly<Record<string, EntraGrantFields>> = {
  azuread_app_role_assignment: { role: ['app_role_id'], principal: ['principal_object_id'], directoryRole: false },
  azuread_directory_role_assignment: DIRECTORY_ROLE,
  azuread_directory_role_member: DIRECTORY_ROLE,
};

/** The table entry of a resource type, if it is an Entra grant (own keys only: types come from the input). */
export function entraGrantFields(type: string): EntraGrantFields | undefined {
  return Object.prototype.hasOwnProperty.call(ENTRA_GRANT_FIELDS, type) ? ENTRA_GRANT_FIELDS[type] : undefined;
}
