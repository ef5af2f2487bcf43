/**
 * What an agent is trusted to do. Ceilings per tier live in the baseline (`tiers`).
 */
export enum AgentTier {
  /** Read/list only: logs, metrics, health. */
  OBSERVER = 'observer',
  /** Observer plus proposing changes (pull requests, tickets, change requests); no production mutation. */
  ADVISOR = 'advisor',
  /** Narrow writes on declared resources, short-lived credentials, approval for destructive actions. */
  OPERATOR = 'operator',
}

export const ALL_TIERS: readonly AgentTier[] = [AgentTier.OBSERVER, AgentTier.ADVISOR, AgentTier.OPERATOR];

/** Parse a tier name (e.g. from a tag); undefined when it is not one. */
export function parseTier(value: string | undefined): AgentTier | undefined {
  return ALL_TIERS.find((t) => t === value);
}
