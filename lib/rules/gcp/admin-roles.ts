import { gcpPredefinedRole } from '../../adapters/terraform/gcp-roles';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { gcpRoleNameSaysAdmin } from './private/gcp-role-knowledge';

/**
 * Admin roles by name (`roles/storage.admin`, `roles/iam.securityAdmin`, also versioned: `roles/compute.instanceAdmin.v1`)
 * or by the data file's `admin` flag.
 */
export function isGcpAdminRole(role: string): boolean {
  if (!role.startsWith('roles/')) return false;
  return gcpRoleNameSaysAdmin(role) || (gcpPredefinedRole(role)?.flags.includes('admin') ?? false);
}

/**
 * Service agent roles (`roles/run.serviceAgent`, `roles/composer.ServiceAgentV2Ext`, `roles/dataprocrm.nodeServiceAgent`):
 * Google's IAM roles reference says they are to be granted to service agents only. They bundle what a Google service
 * needs to run on the customer's behalf, often impersonation and IAM policy writes, so any other holder is misusing one.
 */
export function isGcpServiceAgentRole(role: string): boolean {
  if (!role.startsWith('roles/')) return false;
  return role.slice(role.lastIndexOf('.') + 1).toLowerCase().includes('serviceagent');
}

/** Roles GCP-003 reports for agent service accounts: admin roles and service agent roles. */
export function isGcpAdminOrServiceAgentRole(role: string): boolean {
  return isGcpAdminRole(role) || isGcpServiceAgentRole(role);
}

/** GCP-003: no admin roles and no service agent roles for agent service accounts. */
export const GCP_ADMIN_ROLES_RULE: Rule = {
  id: 'GCP-003',
  cloud: 'gcp',
  severity: 'error',
  reason: 'An agent service account holds an admin role (roles/*.admin, roles/*Admin) or a service agent role (roles/*.serviceAgent).',
  explanation: 'Admin roles manage a whole service, usually including its IAM policies (setIamPolicy) and deletion of everything in it. '
    + 'An agent tool needs the few permissions of its task, never the administration of the service. Service agent roles are for '
    + 'Google\'s own service agents only (the IAM roles reference says so); they often hold impersonation and IAM policy writes.',
  fix: 'Replace the admin role with the narrow predefined role of the task (objectViewer, publisher, secretAccessor, …) or a per-tool custom role.',
  controls: ['CKV_GCP_42'],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    return allowGrants(inventory, 'gcp').flatMap((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent || g.role === undefined || !isGcpAdminOrServiceAgentRole(g.role)) return [];
      const kind = isGcpAdminRole(g.role) ? 'the admin role' : 'the service agent role (for Google service agents only)';
      return [findingAt('gcp', g.source, {
        detail: g.role,
        identity: identity.id,
        message: `${g.source.resource} grants ${kind} ${g.role} on ${g.resources.join(', ')} to the agent service account ${principalOf(g, identity)}.`,
        fix: GCP_ADMIN_ROLES_RULE.fix,
      })];
    });
  },
};
