import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { gcpPredefinedRole } from '../../adapters/terraform/gcp-roles';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { GCP_IMPERSONATION_PERMISSIONS } from './private/gcp-role-knowledge';

/** The catalog of impersonation roles (`policies/catalogs/gcp-impersonation-roles.json`). */
export const GCP_IMPERSONATION_CATALOG = 'gcp-impersonation-roles';

/**
 * GCP-002: roles that act as or mint tokens for service accounts only on one named service
 * account, never at project, folder or organization level (where they reach every account).
 */
export const GCP_IMPERSONATION_ROLES_RULE: Rule = {
  id: 'GCP-002',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A service-account impersonation role is granted at project, folder or organization level.',
  explanation: 'Service Account User, Token Creator, Workload Identity User and Key Admin let the holder act as a service account. '
    + 'Granted on a project, folder or organization they apply to every service account below it, including more privileged '
    + 'ones created later. The roles are listed in policies/catalogs/gcp-impersonation-roles.json; any other predefined role whose '
    + 'permissions in the role data include actAs, getAccessToken, getOpenIdToken, signBlob, signJwt, implicitDelegation or '
    + 'serviceAccountKeys.create (service agent roles, for example) counts too.',
  fix: 'Grant the role with google_service_account_iam_member on the one service account the principal must impersonate.',
  controls: ['CKV_GCP_41', 'CKV_GCP_44', 'CKV_GCP_45', 'CKV_GCP_49'],
  evaluate(inventory: Inventory): RawFinding[] {
    const roles = new Set(loadCatalog(GCP_IMPERSONATION_CATALOG).gcp ?? []);
    const identities = identitiesById(inventory, 'gcp');
    const impersonates = (role: string): boolean => {
      if (roles.has(role)) return true;
      const known = gcpPredefinedRole(role);
      return known !== undefined && !known.flags.includes('basic') && known.permissions.some((p) => GCP_IMPERSONATION_PERMISSIONS.includes(p));
    };
    return allowGrants(inventory, 'gcp')
      .filter((g) => g.role !== undefined && g.scopeLevel !== 'resource' && impersonates(g.role))
      .map((g) => {
        const identity = g.identityId ? identities.get(g.identityId) : undefined;
        return findingAt('gcp', g.source, {
          detail: g.role,
          identity: identity?.id,
          message: `${g.source.resource} grants ${g.role} at ${g.scopeLevel} level (${g.resources.join(', ')}) to ${principalOf(g, identity)}: it can impersonate every service account there.`,
          fix: GCP_IMPERSONATION_ROLES_RULE.fix,
        });
      });
  },
};
