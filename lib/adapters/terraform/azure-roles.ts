import { AzureRoleRecord, azureRoleRecords, onRoleDataChange } from '../../role-data/role-data';

/** An Azure role definition as the role data in force describes it (shipped catalog, overlaid by pulled data). */
export type AzureBuiltInRole = AzureRoleRecord;

/**
 * The most privileged built-in roles, by their well-known GUIDs. Kept here as well as in
 * `policies/azure-builtin-roles.json` so AZ-001 recognises them by GUID even with a trimmed data file.
 */
export const AZURE_PRIVILEGED_ROLES: readonly AzureBuiltInRole[] = [
  { name: 'Owner', id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', actions: ['*'], notActions: [], dataActions: [], notDataActions: [], flags: ['privileged'] },
  {
    name: 'Contributor', id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action', 'Microsoft.Blueprint/blueprintAssignments/write', 'Microsoft.Blueprint/blueprintAssignments/delete', 'Microsoft.Compute/galleries/share/action', 'Microsoft.Purview/consents/write', 'Microsoft.Purview/consents/delete', 'Microsoft.Resources/deploymentStacks/manageDenySetting/action', 'Microsoft.Subscription/cancel/action', 'Microsoft.Subscription/enable/action'],
    dataActions: [], notDataActions: [], flags: ['privileged'],
  },
  { name: 'User Access Administrator', id: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'], notActions: [], dataActions: [], notDataActions: [], flags: ['privileged'] },
  {
    name: 'Role Based Access Control Administrator', id: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
    actions: ['Microsoft.Authorization/roleAssignments/write', 'Microsoft.Authorization/roleAssignments/delete', '*/read', 'Microsoft.Support/*'],
    notActions: [], dataActions: [], notDataActions: [], flags: ['privileged'],
  },
];

let cache: { byId: Map<string, AzureBuiltInRole>; byName: Map<string, AzureBuiltInRole> } | undefined;
onRoleDataChange(() => { cache = undefined; });

function load(): { byId: Map<string, AzureBuiltInRole>; byName: Map<string, AzureBuiltInRole> } {
  if (cache) return cache;
  const byId = new Map<string, AzureBuiltInRole>();
  const byName = new Map<string, AzureBuiltInRole>();
  const add = (r: AzureBuiltInRole) => {
    byId.set(r.id.toLowerCase(), r);
    byName.set(r.name.toLowerCase(), r);
  };
  AZURE_PRIVILEGED_ROLES.forEach(add);
  azureRoleRecords().forEach(add);
  cache = { byId, byName };
  return cache;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A built-in role by name (`Reader`, any case), by GUID, or by role-definition id
 * (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>`).
 */
export function azureBuiltInRole(nameOrId: string): AzureBuiltInRole | undefined {
  const { byId, byName } = load();
  const guid = roleDefinitionGuid(nameOrId);
  if (guid && (GUID.test(nameOrId) || /roleDefinitions\//i.test(nameOrId))) return byId.get(guid);
  return byName.get(nameOrId.toLowerCase());
}

/** The GUID of a role-definition id (the last one: the subscription id is a GUID too) or a bare GUID. */
export function roleDefinitionGuid(value: string): string | undefined {
  const all = value.match(GUID_ALL);
  return all ? all[all.length - 1].toLowerCase() : undefined;
}

const GUID_ALL = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
