import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../../lib/baseline/baseline';

/** One entry of `policies/gcp-roles.json`. */
export interface GcpRoleEntry {
  readonly title: string;
  readonly flags: string[];
  readonly permissionsComplete: boolean;
  readonly permissions: string[];
}

let roles: Record<string, GcpRoleEntry> | undefined;

/** The known predefined roles (`policies/gcp-roles.json`, schema-checked in tests), loaded once. */
export function gcpRoles(): Record<string, GcpRoleEntry> {
  if (!roles) roles = JSON.parse(fs.readFileSync(path.join(policiesDir(), 'gcp-roles.json'), 'utf8')).roles as Record<string, GcpRoleEntry>;
  return roles;
}
