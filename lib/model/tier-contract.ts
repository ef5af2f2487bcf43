import { Baseline } from '../baseline/baseline';
import { AccessLevel } from './access-level';
import { AgentTier } from './tier';
import { Tool } from './tool';

/** One broken term of the tier contract, with its stable error code. */
export interface TierContractViolation {
  readonly code: string;
  /** `<field> <rule>; got <value>. <fix>` */
  readonly message: string;
}

/**
 * Cloud-neutral checks of an agent's tool list against its tier and the baseline. Returns
 * messages (`<field> <rule>; got <value>. <fix>`), so a construct can throw them, a construct
 * validation can report them, and rules can reuse them.
 *
 * @param isProposalOnly tells whether a write tool holds proposal actions only, for the cloud at hand
 */
export function tierContractViolations(
  agentName: string,
  tier: AgentTier,
  tools: readonly Tool[],
  baseline: Baseline,
  isProposalOnly: (tool: Tool) => boolean,
): string[] {
  return codedTierContractViolations(agentName, tier, tools, baseline, isProposalOnly).map((v) => v.message);
}

/** The same checks as `tierContractViolations`, each with its stable code (`AG_TOOL_DUPLICATE`, `AG_TIER_CEILING`, …). */
export function codedTierContractViolations(
  agentName: string,
  tier: AgentTier,
  tools: readonly Tool[],
  baseline: Baseline,
  isProposalOnly: (tool: Tool) => boolean,
): TierContractViolation[] {
  const errors: TierContractViolation[] = [];
  const push = (code: string, message: string) => errors.push({ code, message });
  const ceiling = baseline.tierCeiling(tier);
  const seen = new Set<string>();
  if (tools.length === 0) {
    push('AG_AGENT_NO_TOOLS', `Agent(${agentName}).tools must hold at least one tool; got []. Declare the tools the agent calls.`);
  }
  for (const tool of tools) {
    const field = `Agent(${agentName}).tools[${tool.name}]`;
    if (seen.has(tool.name)) {
      push('AG_TOOL_DUPLICATE', `${field} is a duplicate tool name; got "${tool.name}". One tool = one identity: give each tool a unique name.`);
    }
    seen.add(tool.name);
    if (!ceiling.accessLevels.includes(tool.accessLevel)) {
      push('AG_TIER_CEILING', `${field} exceeds the ${tier} tier (baseline ${baseline.id} allows ${ceiling.accessLevels.join(', ')}); got ${tool.accessLevel}. Raise the agent's tier or make the tool ${ceiling.accessLevels.join('/')}.`);
    } else if (tool.accessLevel === AccessLevel.WRITE && ceiling.writesMustBeProposals && !isProposalOnly(tool)) {
      push('AG_TIER_ADVISOR_WRITE', `${field} holds writes beyond proposal actions, which the ${tier} tier forbids; got a write tool. Keep only proposal actions (pull requests, tickets, change requests; policies/catalogs/proposal-actions.json) or use an operator agent.`);
    }
    if (ceiling.requireWindowFor.includes(tool.accessLevel) && !tool.window) {
      push('AG_TOOL_WINDOW_REQUIRED', `${field} needs a change window for ${tool.accessLevel} tools under baseline ${baseline.id}; got none. Pass window: ChangeWindow.workdays(...).`);
    }
    if (baseline.approvalRequiredFor(tool.accessLevel) && !tool.requiresApproval) {
      push('AG_TOOL_APPROVAL_REQUIRED', `${field}.requiresApproval must be true for ${tool.accessLevel} tools under baseline ${baseline.id}; got false. Remove requiresApproval: false; approvals go through the broker.`);
    }
  }
  return errors;
}
