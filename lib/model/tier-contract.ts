import { Baseline } from '../baseline/baseline';
import { AccessLevel } from './access-level';
import { AgentTier } from './tier';
import { Tool } from './tool';

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
  const errors: string[] = [];
  const ceiling = baseline.tierCeiling(tier);
  const seen = new Set<string>();
  if (tools.length === 0) {
    errors.push(`Agent(${agentName}).tools must hold at least one tool; got []. Declare the tools the agent calls.`);
  }
  for (const tool of tools) {
    const field = `Agent(${agentName}).tools[${tool.name}]`;
    if (seen.has(tool.name)) {
      errors.push(`${field} is a duplicate tool name; got "${tool.name}". One tool = one identity: give each tool a unique name.`);
    }
    seen.add(tool.name);
    if (!ceiling.accessLevels.includes(tool.accessLevel)) {
      errors.push(`${field} exceeds the ${tier} tier (baseline ${baseline.id} allows ${ceiling.accessLevels.join(', ')}); got ${tool.accessLevel}. Raise the agent's tier or make the tool ${ceiling.accessLevels.join('/')}.`);
    } else if (tool.accessLevel === AccessLevel.WRITE && ceiling.writesMustBeProposals && !isProposalOnly(tool)) {
      errors.push(`${field} holds writes beyond proposal actions, which the ${tier} tier forbids; got a write tool. Keep only proposal actions (pull requests, tickets, change requests; policies/catalogs/proposal-actions.json) or use an operator agent.`);
    }
    if (ceiling.requireWindowFor.includes(tool.accessLevel) && !tool.window) {
      errors.push(`${field} needs a change window for ${tool.accessLevel} tools under baseline ${baseline.id}; got none. Pass window: ChangeWindow.workdays(...).`);
    }
    if (baseline.approvalRequiredFor(tool.accessLevel) && !tool.requiresApproval) {
      errors.push(`${field}.requiresApproval must be true for ${tool.accessLevel} tools under baseline ${baseline.id}; got false. Remove requiresApproval: false; approvals go through the broker.`);
    }
  }
  return errors;
}
