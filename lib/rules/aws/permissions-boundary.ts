import { Inventory } from '../../inventory/inventory';
import { Component } from '../../model/tags';
import { RawFinding, Rule, RuleContext } from '../rule';
import { awsIdentities, identityFinding } from './private/grant-findings';

/**
 * AWS-010: every agent role has a permissions boundary, and it is its own agent's: a managed
 * policy marked `agent-guardrails:component=boundary` for the same `agent-guardrails:agent`.
 * Off when the baseline sets `boundary.required: false`.
 */
export const PERMISSIONS_BOUNDARY: Rule = {
  id: 'AWS-010',
  cloud: 'aws',
  severity: 'error',
  reason: 'An agent role has no permissions boundary, or not its own agent\'s.',
  explanation: 'The permissions boundary is the agent\'s ceiling: whatever policies are later attached to its roles (by a construct, '
    + 'an escape hatch, or a human in the console), they cannot exceed it, and its Deny statements protect the guardrails. A role '
    + 'without one is capped by nothing; a role with another agent\'s boundary (or a boundary the check cannot read) is capped by '
    + 'a ceiling nobody reviewed for this agent. The expected boundary is a managed policy with the metadata '
    + '`agent-guardrails:component: boundary` and the same `agent-guardrails:agent` as the role, as AgentIdentity creates it.',
  fix: 'Create the role through AgentIdentity (it applies the agent\'s boundary), or set PermissionsBoundary to the agent\'s boundary policy.',
  controls: ['aws-cdk #3242', 'CKV_AWS_274'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    if (!context.baseline.boundaryRequired) return [];
    const findings: RawFinding[] = [];
    const policies = new Map(inventory.policies.map((p) => [p.id, p]));
    for (const role of awsIdentities(inventory)) {
      if (!(role.isAgent || role.labels.component === Component.TOOL_IDENTITY)) continue;
      const name = role.source.resource;
      const agent = role.labels.agent ?? '(unknown agent)';
      if (role.boundary === undefined) {
        findings.push(identityFinding(role, 'missing', `agent role ${name} (agent ${agent}) has no permissions boundary.`,
          `Set PermissionsBoundary to the boundary policy of agent ${agent}.`));
        continue;
      }
      const policy = policies.get(role.boundary);
      if (!policy) {
        findings.push(identityFinding(role, 'unverified', `agent role ${name} has a permissions boundary the check cannot read (${role.boundary}).`,
          `Use a boundary policy defined in the same stack (agent ${agent}'s), so it can be verified.`));
      } else if (policy.labels?.component !== Component.BOUNDARY || policy.labels.agent !== role.labels.agent) {
        findings.push(identityFinding(role, 'foreign', `agent role ${name} has boundary ${policy.name ?? policy.source.resource}, which is not agent ${agent}'s boundary`
          + ` (its metadata says component ${policy.labels?.component ?? 'none'}, agent ${policy.labels?.agent ?? 'none'}).`,
          `Set PermissionsBoundary to agent ${agent}'s boundary policy.`));
      }
    }
    return findings;
  },
};
