import { gcpPredefinedRole } from '../../adapters/terraform/gcp-roles';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';

/** Admin roles by name (`roles/storage.admin`, `roles/iam.securityAdmin`) or by the data file's `admin` flag. */
export function isGcpAdminRole(role: string): boolean {
  if (!role.startsWith('roles/')) return false;
  return /(\.admin|Admin)$/.test(role) || (gcpPredefinedRole(role)?.flags.includes('admin') ?? false);
}

/** GCP-003: no admin roles for agent service accounts. */
export const GCP_ADMIN_ROLES_RULE: Rule = {
  id: 'GCP-003',
  cloud: 'gcp',
  severity: 'error',
  reason: 'An agent service account holds an admin role (roles/*.admin, roles/*Admin).',
  explanation: 'Admin roles manage a whole service, usually including its IAM policies (setIamPolicy) and deletion of everything in it. '
    + 'An agent tool needs the few permissions of its task, never the administration of the service.',
  fix: 'Replace the admin role with the narrow predefined role of the task (objectViewer, publisher, secretAccessor, …) or a per-tool custom role.',
  controls: ['CKV_GCP_42'],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    return allowGrants(inventory, 'gcp').flatMap((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent || g.role === undefined || !isGcpAdminRole(g.role)) return [];
      return [findingAt('gcp', g.source, {
        detail: g.role,
        identity: identity.id,
        message: `${g.source.resource} grants the admin role ${g.role} on ${g.resources.join(', ')} to the agent service account ${principalOf(g, identity)}.`,
        fix: GCP_ADMIN_ROLES_RULE.fix,
      })];
    });
  },
};
