import { gcpPredefinedRole } from '../../../adapters/terraform/gcp-roles';
import { Grant, Inventory } from '../../../inventory/inventory';

/** Levels at which a grant reaches every resource below it (and resources created later). */
export const BROAD_GCP_LEVELS: ReadonlySet<string> = new Set(['project', 'folder', 'organization']);

/** Permissions that let the holder act as, or mint credentials for, a service account. */
export const GCP_IMPERSONATION_PERMISSIONS: readonly string[] = [
  'iam.serviceAccounts.actAs',
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.getOpenIdToken',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccountKeys.create',
];

/**
 * Google's names for roles that administer a service or act for one (`*Admin`, `*.admin`,
 * `*.editor`, `*.serviceAgent`). A guess from the name may raise a verdict, never lower it.
 */
export function gcpRoleNameSuggestsPrivilege(role: string): boolean {
  return role.endsWith('Admin') || role.endsWith('.admin') || role.endsWith('.editor') || role.endsWith('.serviceAgent');
}

/** The names of the custom roles the configuration defines. */
export function gcpCustomRoleNames(inventory: Inventory): Set<string> {
  return new Set(inventory.policies.filter((p) => p.cloud === 'gcp' && p.kind === 'gcp-custom-role' && p.name !== undefined).map((p) => p.name!));
}

/** Whether the role data or the configuration says what the grant's role holds. */
export function isKnownGcpRole(role: string, customRoles: ReadonlySet<string>): boolean {
  return customRoles.has(role) || gcpPredefinedRole(role) !== undefined;
}

/**
 * The full permission list of a grant's role, when it is known in full (a custom role of the
 * configuration, or a predefined role the role data lists completely); undefined otherwise.
 */
export function completeGcpPermissions(g: Grant, customRoles: ReadonlySet<string>): readonly string[] | undefined {
  if (g.role === undefined) return undefined;
  if (customRoles.has(g.role)) return g.actions;
  const known = gcpPredefinedRole(g.role);
  return known?.permissionsComplete ? known.permissions : undefined;
}

/** Whether a role value is still unresolved text (GCP-012 reports it) rather than a role name. */
export function isUnresolvedRoleText(role: string | undefined): boolean {
  return role === undefined || role.trim() === '' || role.includes('${');
}
