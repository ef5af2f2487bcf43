import { gcpPredefinedRole } from '../../../adapters/terraform/gcp-roles';
import { loadCatalog } from '../../../catalogs/catalog';
import { Grant, Inventory } from '../../../inventory/inventory';
import { globMatch } from '../../../private/glob-match';

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
 * `*.editor`, `*.serviceAgent`), also with a version suffix. A guess from the name may raise a
 * verdict, never lower it.
 */
export function gcpRoleNameSuggestsPrivilege(role: string): boolean {
  if (gcpRoleNameSaysAdmin(role)) return true;
  const base = withoutGcpRoleVersion(role);
  return base.endsWith('.editor') || base.endsWith('.serviceAgent');
}

/** Google's names for a service's admin roles (`*.admin`, `*Admin`), also with a version suffix. */
export function gcpRoleNameSaysAdmin(role: string): boolean {
  const base = withoutGcpRoleVersion(role);
  return base.endsWith('.admin') || base.endsWith('Admin');
}

/**
 * A role name without its version suffix: `roles/compute.instanceAdmin.v1` → `roles/compute.instanceAdmin`,
 * `roles/apigee.apiAdminV2` → `roles/apigee.apiAdmin`. Google versions a role by appending `.vN` or `VN`;
 * the version does not change what the name says. A scan from the end (no regex: role names are input).
 */
export function withoutGcpRoleVersion(role: string): string {
  let i = role.length;
  while (i > 0 && role.charCodeAt(i - 1) >= 48 && role.charCodeAt(i - 1) <= 57) i--;
  if (i === role.length || i === 0) return role;
  if (role[i - 1] === 'V') return role.slice(0, i - 1);
  if (role[i - 1] === 'v' && role[i - 2] === '.') return role.slice(0, i - 2);
  return role;
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

/**
 * The permissions a grant's role is known to hold: a custom role's list, or what the role data lists
 * for a predefined role (its full list, or, for an entry that is not complete, its security-relevant
 * permissions). Enough to report what is held; never proof that nothing else is.
 */
export function heldGcpPermissions(g: Grant, customRoles: ReadonlySet<string>): readonly string[] {
  if (g.role === undefined) return [];
  if (customRoles.has(g.role)) return g.actions;
  return gcpPredefinedRole(g.role)?.permissions ?? [];
}

let relevantPatterns: string[] | undefined;

/**
 * Whether a permission is one the GCP rules judge a role by: impersonation, anything in the escalation
 * catalog (setIamPolicy, role and key writes, org policy, …) or on one of its paths (creating compute or
 * deployments that run as a service account), and secret or key access. A catalog entry that does not
 * list a role's permissions in full lists exactly these (policies/gcp-roles.schema.json).
 */
export function isSecurityRelevantGcpPermission(permission: string): boolean {
  if (relevantPatterns === undefined) {
    const escalation = loadCatalog('gcp-escalation-permissions');
    relevantPatterns = [...new Set([
      ...GCP_IMPERSONATION_PERMISSIONS,
      ...(escalation.gcp ?? []),
      ...(escalation.paths ?? []).flatMap((p) => p.actions),
      ...(loadCatalog('gcp-credential-access').gcp ?? []),
    ])];
  }
  return relevantPatterns.some((pattern) => globMatch(pattern, permission));
}

/**
 * The baseline's forbidden permissions a predefined role could hold without the role data showing it:
 * every entry when the role is unknown or is an admin entry judged by its flag alone (it lists none of
 * its permissions), and, when its entry lists only the security-relevant permissions, every entry that
 * is not one of those (an exact security-relevant permission is listed whenever the role holds it).
 * Empty when the role's permissions are known in full.
 */
export function unprovableForbiddenGcpPermissions(role: string, forbidden: readonly string[]): string[] {
  const known = gcpPredefinedRole(role);
  if (forbidden.length === 0 || !role.startsWith('roles/') || known?.permissionsComplete || known?.flags.includes('basic')) return [];
  const judgedByFlag = known !== undefined && known.permissions.length === 0 && known.flags.includes('admin');
  return forbidden.filter((f) => known === undefined || judgedByFlag || f.includes('*') || f.includes('?') || !isSecurityRelevantGcpPermission(f));
}

/** Whether a role value is still unresolved text (GCP-012 reports it) rather than a role name. */
export function isUnresolvedRoleText(role: string | undefined): boolean {
  return role === undefined || role.trim() === '' || role.includes('${');
}
