import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../baseline/baseline';
import { isObject } from './private/terraform-blocks';

/** A GCP predefined role as `policies/gcp-roles.json` describes it. */
export interface GcpPredefinedRole {
  readonly name: string;
  readonly permissions: string[];
  /** Whether `permissions` is the role's full list (false for basic and broad admin roles). */
  readonly permissionsComplete: boolean;
  /** `basic`, `admin`, `impersonation`, `read-only`, `project-telemetry`, … (see gcp-roles.schema.json). */
  readonly flags: string[];
}

let cache: Map<string, GcpPredefinedRole> | undefined;

function load(): Map<string, GcpPredefinedRole> {
  if (cache) return cache;
  cache = new Map();
  const file = path.join(policiesDir(), 'gcp-roles.json');
  if (!fs.existsSync(file)) return cache;
  const doc: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const roles = isObject(doc) && isObject(doc.roles) ? doc.roles : {};
  const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
  for (const [name, value] of Object.entries(roles)) {
    if (!isObject(value)) continue;
    cache.set(name, { name, permissions: strings(value.permissions), permissionsComplete: value.permissionsComplete === true, flags: strings(value.flags) });
  }
  return cache;
}

/** A predefined role (`roles/logging.logWriter`) from `policies/gcp-roles.json`; undefined when the file does not know it. */
export function gcpPredefinedRole(role: string): GcpPredefinedRole | undefined {
  return load().get(role);
}

/** The permissions of a predefined role, or undefined when the data file does not know it. */
export function gcpPredefinedRolePermissions(role: string): readonly string[] | undefined {
  return load().get(role)?.permissions;
}

/** The basic roles: whole-project access, never for an agent. */
export const GCP_BASIC_ROLES: readonly string[] = ['roles/owner', 'roles/editor', 'roles/viewer'];
