import { azureBuiltInRole } from '../../adapters/terraform/azure-roles';
import { gcpPredefinedRolePermissions } from '../../adapters/terraform/gcp-roles';
import { Cloud } from '../../inventory/inventory';

/**
 * A tool's declared actions as a log names them: GCP roles (`roles/…`) and Azure built-in roles
 * (by name or GUID) become their permissions/actions from the shipped catalogs. A role the
 * catalogs do not know stays as written, so nothing it allows is silently counted as declared.
 */
export function expandDeclaredActions(cloud: Cloud, declared: readonly string[]): string[] {
  const out = new Set<string>();
  for (const a of declared) {
    if (cloud === 'gcp' && a.startsWith('roles/')) {
      const perms = gcpPredefinedRolePermissions(a);
      if (perms) {
        for (const p of perms) out.add(p);
        continue;
      }
    }
    if (cloud === 'azure' && !a.includes('/')) {
      const role = azureBuiltInRole(a);
      if (role) {
        for (const p of [...role.actions, ...role.dataActions]) out.add(p);
        continue;
      }
    }
    out.add(a);
  }
  return [...out];
}
