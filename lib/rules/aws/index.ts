import { Rule } from '../rule';
import { ADMIN_ACCESS } from './admin-access';
import { BASELINE_FORBIDDEN_ACTIONS } from './baseline-forbidden';
import { CREDENTIAL_EXPOSURE } from './credential-exposure';
import { DATA_EXFILTRATION } from './data-exfiltration';
import { GUARDRAIL_TAMPER } from './guardrail-tamper';
import { PASS_ROLE_SCOPE } from './pass-role-scope';
import { PERMISSIONS_BOUNDARY } from './permissions-boundary';
import { PERMISSIONS_MANAGEMENT } from './permissions-management';
import { PRIVILEGE_ESCALATION } from './privilege-escalation';
import { QUOTAS } from './quotas';
import { RESOURCE_WILDCARDS } from './resource-wildcards';
import { SERVICE_WILDCARDS } from './service-wildcards';
import { SESSION_LENGTH } from './session-length';
import { TRUST_POLICY } from './trust-policy';
import { UNRESOLVED_VALUES } from './unresolved-values';

/** The AWS rules (AWS-001 … AWS-015), in id order. */
export const AWS_RULES: Rule[] = [
  ADMIN_ACCESS,
  SERVICE_WILDCARDS,
  RESOURCE_WILDCARDS,
  PRIVILEGE_ESCALATION,
  PASS_ROLE_SCOPE,
  PERMISSIONS_MANAGEMENT,
  CREDENTIAL_EXPOSURE,
  DATA_EXFILTRATION,
  TRUST_POLICY,
  PERMISSIONS_BOUNDARY,
  SESSION_LENGTH,
  GUARDRAIL_TAMPER,
  QUOTAS,
  UNRESOLVED_VALUES,
  BASELINE_FORBIDDEN_ACTIONS,
];
