import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { findingAt } from './private/gcp-rule-helpers';

/** GCP-007: workload identity pool providers restrict which external identities may use them. */
export const GCP_WORKLOAD_IDENTITY_CONDITION_RULE: Rule = {
  id: 'GCP-007',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A workload identity pool provider has no attribute_condition.',
  explanation: 'Without an attribute condition any identity the external issuer vouches for can exchange its token: for GitHub or a '
    + 'shared OIDC issuer that is every repository or tenant of that issuer, not just yours.',
  fix: 'Set attribute_condition to the exact repository/subject (e.g. assertion.repository == "org/repo" && assertion.ref == "refs/heads/main").',
  controls: ['CKV_GCP_118'],
  evaluate(inventory: Inventory): RawFinding[] {
    return inventory.others.filter((o) => o.cloud === 'gcp' && o.type === 'google_iam_workload_identity_pool_provider').flatMap((o) => {
      const condition = typeof o.properties.attribute_condition === 'string' ? o.properties.attribute_condition.trim() : '';
      if (condition !== '' && condition !== 'true') return [];
      return [findingAt('gcp', o.source, {
        message: `${o.source.resource} ${condition === '' ? 'has no attribute_condition' : 'has attribute_condition "true"'}: any identity of the issuer can use it.`,
        fix: GCP_WORKLOAD_IDENTITY_CONDITION_RULE.fix,
      })];
    });
  },
};
