import { Rule } from '../rule';

/** The agent rules (AGENT-001 … AGENT-008), all clouds, in id order. */
export const AGENT_RULES: Rule[] = [];
