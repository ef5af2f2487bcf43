import * as fs from 'fs';
import * as path from 'path';
import { writeRoleData } from '../../lib/role-data/pull-role-data';

/**
 * The clouds' full role definitions (../shared/data: tests, benchmarks and measurements only, never
 * shipped) written into `dir` as `agent-guardrails data pull` writes them (its own writer, compact
 * format 2), for `--role-data`.
 * False when the reference data is not on this machine.
 */
export const SHARED_ROLE_DATA = process.env.AGENT_GUARDRAILS_SHARED_DATA ?? '/work/shared/data';

interface RealGcp { roles: Record<string, { title: string; permissions: string[] }> }
interface RealAzure { roles: { id: string; roleName: string; permissions: { actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }[] }[] }

export function fullRoleDataAvailable(shared = SHARED_ROLE_DATA): boolean {
  return fs.existsSync(path.join(shared, 'gcp-predefined-roles.json')) && fs.existsSync(path.join(shared, 'azure-builtin-roles.json'));
}

export function readFullRoleData(shared = SHARED_ROLE_DATA): { gcp: RealGcp; azure: RealAzure } {
  return {
    gcp: JSON.parse(fs.readFileSync(path.join(shared, 'gcp-predefined-roles.json'), 'utf8')),
    azure: JSON.parse(fs.readFileSync(path.join(shared, 'azure-builtin-roles.json'), 'utf8')),
  };
}

export function writeFullRoleData(dir: string, shared = SHARED_ROLE_DATA): void {
  const { gcp, azure } = readFullRoleData(shared);
  const gcpRoles = Object.fromEntries(Object.entries(gcp.roles).map(([name, r]) => [name, { title: r.title || name, flags: [], permissionsComplete: true, permissions: [...new Set(r.permissions)] }]));
  writeRoleData(dir, 'gcp', { id: 'gcp-roles', version: '1.0.0', description: 'test', sources: ['shared data'], roles: gcpRoles });
  const azureRoles = azure.roles.map((r) => {
    const blocks = r.permissions;
    const union = (k: 'actions' | 'dataActions') => [...new Set(blocks.flatMap((b) => b[k] ?? []))];
    // Several permission blocks: keep only the not-actions every block has (never widens).
    const common = (k: 'notActions' | 'notDataActions') => [...new Set((blocks[0]?.[k] ?? []).filter((a) => blocks.every((b) => (b[k] ?? []).includes(a))))];
    return { name: r.roleName, id: r.id.toLowerCase(), flags: [], actions: union('actions'), notActions: common('notActions'), dataActions: union('dataActions'), notDataActions: common('notDataActions') };
  });
  writeRoleData(dir, 'azure', { id: 'azure-builtin-roles', version: '1.0.0', description: 'test', sources: ['shared data'], roles: azureRoles });
}
