import { azureRoleRecords } from '../../../lib/role-data/role-data';

/** One entry of `policies/azure-builtin-roles.json`. */
export interface AzureBuiltinRole {
  readonly name: string;
  readonly id: string;
  readonly flags: string[];
  readonly actions: string[];
  readonly notActions: string[];
  readonly dataActions: string[];
  readonly notDataActions: string[];
}

/** The known role definitions (shipped catalog, overlaid by pulled role data). */
export function azureBuiltinRoles(): readonly AzureBuiltinRole[] {
  return azureRoleRecords();
}

/** A built-in role by name (case-insensitive) or by GUID; undefined when unknown. */
export function findBuiltinRole(nameOrId: string): AzureBuiltinRole | undefined {
  const key = nameOrId.toLowerCase();
  return azureBuiltinRoles().find((r) => r.name.toLowerCase() === key || r.id === key);
}
