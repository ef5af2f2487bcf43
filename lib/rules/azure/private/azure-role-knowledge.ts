import { azureBuiltInRole, roleDefinitionGuid } from '../../../adapters/terraform/azure-roles';
import { Grant, Inventory } from '../../../inventory/inventory';

/** Scopes that reach every resource group below them (and ones created later). */
export const BROAD_AZURE_LEVELS: ReadonlySet<string> = new Set(['subscription', 'management-group', 'root']);

/** The pseudo-role the adapter gives a Key Vault access policy (its actions are known). */
export const KEY_VAULT_ACCESS_POLICY_ROLE = 'Key Vault access policy';

/** The names (lower case) of the role definitions the configuration defines. */
export function azureCustomRoleNames(inventory: Inventory): Set<string> {
  return new Set(inventory.policies.filter((p) => p.cloud === 'azure' && p.kind === 'azure-role-definition' && p.name !== undefined).map((p) => p.name!.toLowerCase()));
}

/**
 * Whether the role data or the configuration says what an assignment's role holds. A role-definition
 * GUID nobody knows is reported by AZ-007 (unresolved) already, so it counts as handled here.
 */
export function isKnownAzureRole(g: Grant, customRoles: ReadonlySet<string>): boolean {
  const role = g.role ?? '';
  if (role === KEY_VAULT_ACCESS_POLICY_ROLE || customRoles.has(role.toLowerCase()) || azureBuiltInRole(role) !== undefined) return true;
  return roleDefinitionGuid(role) !== undefined;
}

/** Built-in role names that read like the privileged ones: the guess may raise a verdict, never lower it. */
export function azureRoleNameSuggestsPrivilege(role: string): boolean {
  const r = role.trim().toLowerCase();
  return r.endsWith('owner') || r.endsWith('contributor') || r.endsWith('administrator') || r.endsWith('admin');
}
