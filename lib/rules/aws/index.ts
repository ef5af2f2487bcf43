import { Rule } from '../rule';
import { CREDENTIAL_EXPOSURE } from './credential-exposure';
import { DATA_EXFILTRATION } from './data-exfiltration';
import { GUARDRAIL_TAMPER } from './guardrail-tamper';
import { PERMISSIONS_MANAGEMENT } from './permissions-management';
import { PRIVILEGE_ESCALATION } from './privilege-escalation';

/** The AWS rules (AWS-001 … AWS-013), in id order. */
export const AWS_RULES: Rule[] = [
  PRIVILEGE_ESCALATION,
  PERMISSIONS_MANAGEMENT,
  CREDENTIAL_EXPOSURE,
  DATA_EXFILTRATION,
  GUARDRAIL_TAMPER,
];
