/** What a finding about a role the checks cannot see into tells the user to do. */
export const UNKNOWN_ROLE_ADVICE = 'not in the role data; run `agent-guardrails data pull`';
