import { gcpRoleRecords } from '../../role-data/role-data';

/** A GCP role as the role data in force describes it (shipped catalog, overlaid by pulled data). */
export interface GcpPredefinedRole {
  readonly name: string;
  readonly permissions: string[];
  /** Whether `permissions` is the role's full list (false for basic and broad admin roles the catalog does not list). */
  readonly permissionsComplete: boolean;
  /** `basic`, `admin`, `impersonation`, `read-only`, `project-telemetry`, … (see gcp-roles.schema.json). */
  readonly flags: string[];
}

/** A role (`roles/logging.logWriter`) from the role data in force; undefined when the data does not know it. */
export function gcpPredefinedRole(role: string): GcpPredefinedRole | undefined {
  return gcpRoleRecords().get(role);
}

/** The permissions of a role, or undefined when the role data does not know it. */
export function gcpPredefinedRolePermissions(role: string): readonly string[] | undefined {
  return gcpRoleRecords().get(role)?.permissions;
}

/** The basic roles: whole-project access, never for an agent. */
export const GCP_BASIC_ROLES: readonly string[] = ['roles/owner', 'roles/editor', 'roles/viewer'];
