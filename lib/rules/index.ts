import { AGENT_RULES } from './agent';
import { AWS_RULES } from './aws';
import { AZURE_RULES } from './azure';
import { GCP_RULES } from './gcp';
import { Rule } from './rule';

export * from './rule';
export * from './run-rules';
export { AWS_RULES, GCP_RULES, AZURE_RULES, AGENT_RULES };

/** Every rule of the engine. */
export const ALL_RULES: readonly Rule[] = [...AWS_RULES, ...GCP_RULES, ...AZURE_RULES, ...AGENT_RULES];
