import { Rule } from '../rule';
import { AGENT_007_ACKNOWLEDGEMENTS } from './acknowledgements';
import { AIBOM_DRIFT } from './aibom-drift';
import { DESTRUCTIVE_THROUGH_BROKER } from './destructive-through-broker';
import { ENVIRONMENT_ISOLATION } from './environment-isolation';
import { IDENTITY_PER_TOOL } from './identity-per-tool';
import { KILL_SWITCH } from './kill-switch';
import { LINEAGE } from './lineage';
import { TIER_CONTRACT } from './tier-contract';

export { AIBOM_DRIFT, IDENTITY_PER_TOOL, TIER_CONTRACT, DESTRUCTIVE_THROUGH_BROKER, KILL_SWITCH, LINEAGE, ENVIRONMENT_ISOLATION };

/** The agent rules (AGENT-001 … AGENT-008), all clouds, in id order. */
export const AGENT_RULES: Rule[] = [
  AIBOM_DRIFT,
  IDENTITY_PER_TOOL,
  TIER_CONTRACT,
  DESTRUCTIVE_THROUGH_BROKER,
  KILL_SWITCH,
  LINEAGE,
  AGENT_007_ACKNOWLEDGEMENTS,
  ENVIRONMENT_ISOLATION,
];
