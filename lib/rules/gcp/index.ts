import { Rule } from '../rule';
import { GCP_ADMIN_ROLES_RULE } from './admin-roles';
import { GCP_BASIC_ROLES_RULE } from './basic-roles';
import { GCP_BROAD_CREDENTIAL_ACCESS_RULE } from './broad-credential-access';
import { GCP_CUSTOM_ROLE_ESCALATION_RULE } from './custom-role-escalation';
import { GCP_DEFAULT_SERVICE_ACCOUNTS_RULE } from './default-service-accounts';
import { GCP_IMPERSONATION_ROLES_RULE } from './impersonation-roles';
import { GCP_ORG_FOLDER_GRANTS_RULE } from './org-folder-grants';
import { GCP_PUBLIC_MEMBERS_RULE } from './public-members';
import { GCP_SERVICE_ACCOUNT_KEYS_RULE } from './service-account-keys';
import { GCP_TIER_BINDINGS_RULE } from './tier-bindings';
import { GCP_UNKNOWN_ROLES_RULE } from './unknown-roles';
import { GCP_UNRESOLVED_VALUES_RULE } from './unresolved-values';
import { GCP_VACUOUS_CONDITIONS_RULE } from './vacuous-conditions';
import { GCP_WORKLOAD_IDENTITY_CONDITION_RULE } from './workload-identity-condition';

export {
  GCP_BASIC_ROLES_RULE, GCP_IMPERSONATION_ROLES_RULE, GCP_ADMIN_ROLES_RULE, GCP_SERVICE_ACCOUNT_KEYS_RULE,
  GCP_DEFAULT_SERVICE_ACCOUNTS_RULE, GCP_CUSTOM_ROLE_ESCALATION_RULE, GCP_WORKLOAD_IDENTITY_CONDITION_RULE,
  GCP_PUBLIC_MEMBERS_RULE, GCP_ORG_FOLDER_GRANTS_RULE, GCP_VACUOUS_CONDITIONS_RULE, GCP_TIER_BINDINGS_RULE,
  GCP_UNRESOLVED_VALUES_RULE, GCP_UNKNOWN_ROLES_RULE, GCP_BROAD_CREDENTIAL_ACCESS_RULE,
};
export { vacuousConditionReason, boundsTime, narrowsResource } from './private/gcp-conditions';

/** The GCP rules (GCP-001 … GCP-014), in id order. */
export const GCP_RULES: Rule[] = [
  GCP_BASIC_ROLES_RULE,
  GCP_IMPERSONATION_ROLES_RULE,
  GCP_ADMIN_ROLES_RULE,
  GCP_SERVICE_ACCOUNT_KEYS_RULE,
  GCP_DEFAULT_SERVICE_ACCOUNTS_RULE,
  GCP_CUSTOM_ROLE_ESCALATION_RULE,
  GCP_WORKLOAD_IDENTITY_CONDITION_RULE,
  GCP_PUBLIC_MEMBERS_RULE,
  GCP_ORG_FOLDER_GRANTS_RULE,
  GCP_VACUOUS_CONDITIONS_RULE,
  GCP_TIER_BINDINGS_RULE,
  GCP_UNRESOLVED_VALUES_RULE,
  GCP_UNKNOWN_ROLES_RULE,
  GCP_BROAD_CREDENTIAL_ACCESS_RULE,
];
