import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../../lib/baseline/baseline';

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

let roles: AzureBuiltinRole[] | undefined;

/** The known built-in roles, loaded once. */
export function azureBuiltinRoles(): AzureBuiltinRole[] {
  if (!roles) roles = JSON.parse(fs.readFileSync(path.join(policiesDir(), 'azure-builtin-roles.json'), 'utf8')).roles as AzureBuiltinRole[];
  return roles;
}

/** A built-in role by name (case-insensitive) or by GUID; undefined when unknown. */
export function findBuiltinRole(nameOrId: string): AzureBuiltinRole | undefined {
  const key = nameOrId.toLowerCase();
  return azureBuiltinRoles().find((r) => r.name.toLowerCase() === key || r.id === key);
}
