import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { unpinnedConditionReason } from './private/federation-claims';
import { findingAt } from './private/gcp-rule-helpers';

/** Whether the provider's own configuration admits one owner only (an AWS account, a SAML IdP, an X.509 trust store). */
function ownerPinnedByProvider(p: Record<string, unknown>): boolean {
  const first = (v: unknown): Record<string, unknown> | undefined => {
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === 'object' && x !== null && !Array.isArray(x) ? x as Record<string, unknown> : undefined;
  };
  const aws = first(p.aws);
  if (aws && typeof aws.account_id === 'string' && /^\d{12}$/.test(aws.account_id)) return true;
  const saml = first(p.saml);
  if (saml && typeof saml.idp_metadata_xml === 'string' && saml.idp_metadata_xml.trim() !== '') return true;
  const x509 = first(p.x509);
  return x509 !== undefined && first(x509.trust_store) !== undefined;
}

/**
 * GCP-007: workload identity pool providers restrict which external identities may use them, by a
 * claim an outsider cannot choose (repository or owner, their ids, or the full subject).
 */
export const GCP_WORKLOAD_IDENTITY_CONDITION_RULE: Rule = {
  id: 'GCP-007',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A workload identity pool provider has no attribute_condition, or one that pins no claim an outsider cannot choose.',
  explanation: 'Without an attribute condition any identity the external issuer vouches for can exchange its token: for GitHub or a '
    + 'shared OIDC issuer that is every repository or tenant of that issuer, not just yours. The condition must pin, in every alternative, '
    + 'a claim the issuer derives from who owns the workload: the repository or its owner (or their ids), or the full sub. Conditions built '
    + 'only on workflow, actor, ref or environment names, or on a prefix that does not end the owner (`repo:my-org` admits `repo:my-org-evil/x`), '
    + 'can be satisfied from anyone\'s repository. AWS providers (one AWS account), SAML providers (one IdP\'s metadata) and X.509 providers '
    + '(one trust store) pin the owner themselves.',
  fix: 'Set attribute_condition to the exact repository/subject (e.g. assertion.repository == "org/repo" && assertion.ref == "refs/heads/main").',
  controls: ['CKV_GCP_118'],
  evaluate(inventory: Inventory): RawFinding[] {
    return inventory.others.filter((o) => o.cloud === 'gcp' && o.type === 'google_iam_workload_identity_pool_provider').flatMap((o) => {
      const condition = typeof o.properties.attribute_condition === 'string' ? o.properties.attribute_condition.trim() : '';
      if (condition.includes('${')) return []; // GCP-012 reports a condition it cannot resolve.
      // An AWS provider trusts one AWS account, a SAML provider one identity provider's metadata, an X.509 provider one
      // trust store: the provider itself pins who owns the workload, which no outsider can join. OIDC issuers are shared.
      if (ownerPinnedByProvider(o.properties)) return [];
      if (condition !== '' && condition !== 'true') {
        const mapping = o.properties.attribute_mapping;
        const strings = typeof mapping === 'object' && mapping !== null && !Array.isArray(mapping)
          ? Object.fromEntries(Object.entries(mapping).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
        const reason = unpinnedConditionReason(condition, strings);
        if (reason === undefined) return [];
        return [findingAt('gcp', o.source, {
          detail: 'unpinned',
          message: `${o.source.resource} has attribute_condition ${JSON.stringify(condition)}: ${reason}.`,
          fix: GCP_WORKLOAD_IDENTITY_CONDITION_RULE.fix,
        })];
      }
      return [findingAt('gcp', o.source, {
        message: `${o.source.resource} ${condition === '' ? 'has no attribute_condition' : 'has attribute_condition "true"'}: any identity of the issuer can use it.`,
        fix: GCP_WORKLOAD_IDENTITY_CONDITION_RULE.fix,
      })];
    });
  },
};
