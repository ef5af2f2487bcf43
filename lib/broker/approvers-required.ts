import { fail } from '../errors';
import { Tool } from '../model/tool';

/**
 * Fail at construct time when a broker serves tools that need an approval but names nobody who may
 * approve: such a broker refuses those tools on every request (fail closed at run time), which is a
 * configuration mistake to catch before deploying, not a state to discover on call.
 * (The AWS broker reports the same as a synth validation: its `approvalGate` is required.)
 * @param field the construct prop that names the approvers, e.g. `gcp.CredentialBroker.approvers`
 * @param approvers that prop's value
 * @param example how to declare one approver on this cloud (the fix names it)
 */
export function requireApproversForGatedTools(field: string, agentName: string, tools: readonly Tool[], approvers: readonly string[] | undefined, example: string): void {
  const gated = tools.filter((t) => t.requiresApproval).map((t) => t.name);
  if (gated.length === 0 || (approvers ?? []).length > 0) return;
  fail('AG_BROKER_NO_APPROVERS', field,
    `must name at least one approver: agent ${agentName}'s tools ${JSON.stringify(gated)} need an approval, and a broker without approvers refuses them on every request`,
    approvers,
    `Pass ${example}; without one, those tools can never be used.`);
}
