import { Rule } from '../rule';
import { AGENT_007_ACKNOWLEDGEMENTS } from './acknowledgements';

/** The agent rules (AGENT-001 … AGENT-008), all clouds, in id order. */
export const AGENT_RULES: Rule[] = [
  AGENT_007_ACKNOWLEDGEMENTS,
];
