/**
 * Tag keys written on every agent identity (AWS tags, Azure tags, GCP labels/descriptions).
 * The checks, the CLI and reviewers rely on exactly these names on all three clouds.
 */
export const TAG_KEYS = {
  agent: 'agent-guardrails:agent',
  tool: 'agent-guardrails:tool',
  tier: 'agent-guardrails:tier',
  environment: 'agent-guardrails:environment',
} as const;

/** The four keys, in a stable order. */
export const AGENT_TAG_KEYS: readonly string[] = [TAG_KEYS.agent, TAG_KEYS.tool, TAG_KEYS.tier, TAG_KEYS.environment];

/**
 * Key of the CloudFormation/Terraform metadata entry holding what a tool declared
 * (access level, actions/roles, resources, data sources). Lets checks compare grants with
 * declarations (AGENT-001) from synthesized files alone.
 */
export const DECLARATION_METADATA_KEY = 'agent-guardrails:declaration';
