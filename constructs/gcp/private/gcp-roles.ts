import { gcpRoleRecords, onRoleDataChange } from '../../../lib/role-data/role-data';

/** One GCP role of the role data in force. */
export interface GcpRoleEntry {
  readonly title: string;
  readonly flags: string[];
  readonly permissionsComplete: boolean;
  readonly permissions: string[];
}

/** The known roles (shipped catalog `policies/gcp-roles.json`, overlaid by pulled role data), by name. */
export function gcpRoles(): Record<string, GcpRoleEntry> {
  byName ??= Object.fromEntries(gcpRoleRecords());
  return byName;
}

let byName: Record<string, GcpRoleEntry> | undefined;
onRoleDataChange(() => { byName = undefined; });
