import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { findingAt } from './private/gcp-rule-helpers';

/** GCP-004: no `google_service_account_key` (long-lived keys). */
export const GCP_SERVICE_ACCOUNT_KEYS_RULE: Rule = {
  id: 'GCP-004',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A long-lived service account key (google_service_account_key) is created.',
  explanation: 'A service account key is a credential that works from anywhere until it is deleted; it ends up in state files, '
    + 'CI logs and laptops. Agents get short-lived tokens (generateAccessToken, at most 1 h) through the broker instead.',
  fix: 'Remove the google_service_account_key; grant the broker roles/iam.serviceAccountTokenCreator on the service account and '
    + 'enforce the org policy iam.disableServiceAccountKeyCreation.',
  controls: ['CKV2_GCP_3'],
  evaluate(inventory: Inventory): RawFinding[] {
    return inventory.others.filter((o) => o.cloud === 'gcp' && o.type === 'google_service_account_key').map((o) => {
      const owner = inventory.identities.find((i) => i.longLivedKeys.some((k) => k.resource === o.source.resource && k.stack === o.source.stack));
      return findingAt('gcp', o.source, {
        identity: owner?.id,
        message: `${o.source.resource} creates a long-lived key for ${owner ? owner.source.resource : String(o.properties.service_account_id ?? 'a service account')}.`,
        fix: GCP_SERVICE_ACCOUNT_KEYS_RULE.fix,
      });
    });
  },
};
