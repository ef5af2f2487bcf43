import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, globMatches, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { BROAD_GCP_LEVELS, gcpCustomRoleNames, heldGcpPermissions } from './private/gcp-role-knowledge';

/** The catalog of secret and key permissions (`policies/catalogs/gcp-credential-access.json`). */
export const GCP_CREDENTIAL_ACCESS_CATALOG = 'gcp-credential-access';

/**
 * GCP-014: secret and key access (secretmanager.versions.access, cloudkms …useToDecrypt/useToSign)
 * only on the one secret or key, never at project, folder or organization level.
 */
export const GCP_BROAD_CREDENTIAL_ACCESS_RULE: Rule = {
  id: 'GCP-014',
  cloud: 'gcp',
  severity: 'error',
  reason: 'Secret or key access (Secret Accessor, CryptoKey Decrypter, …) is granted at project, folder or organization level.',
  explanation: 'A role is effective on the resource it is bound to and everything below it. Secret Manager Secret Accessor bound on a '
    + 'project reads every secret of the project, including ones created later; a key user bound there uses every key. The '
    + 'permissions are listed in policies/catalogs/gcp-credential-access.json. An error for agent identities, a warning for other principals.',
  fix: 'Bind the role on the one secret (google_secret_manager_secret_iam_member) or key (google_kms_crypto_key_iam_member) the principal needs.',
  controls: ['CKV_GCP_41'],
  evaluate(inventory: Inventory): RawFinding[] {
    const credential = loadCatalog(GCP_CREDENTIAL_ACCESS_CATALOG).gcp ?? [];
    const identities = identitiesById(inventory, 'gcp');
    const customRoles = gcpCustomRoleNames(inventory);
    return allowGrants(inventory, 'gcp').flatMap((g) => {
      if (!BROAD_GCP_LEVELS.has(g.scopeLevel ?? '')) return [];
      const reached = heldGcpPermissions(g, customRoles).filter((p) => credential.some((c) => globMatches(c, p)));
      if (reached.length === 0) return [];
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      return [findingAt('gcp', g.source, {
        detail: g.role,
        identity: identity?.id,
        severity: identity?.isAgent ? 'error' : 'warning',
        message: `${g.source.resource} grants ${g.role} at ${g.scopeLevel} level (${g.resources.join(', ')}) to ${principalOf(g, identity)}: `
          + `${reached.join(', ')} then reaches every secret or key there.`,
        fix: GCP_BROAD_CREDENTIAL_ACCESS_RULE.fix,
      })];
    });
  },
};
