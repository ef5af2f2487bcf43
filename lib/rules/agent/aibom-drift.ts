import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { effectiveResources } from './private/gcp-resource-condition';
import { actionWithin, resourceWithin } from './private/resource-match';
import { allowGrants, describeIdentity, grantsByIdentity, grantFinding, identityFinding, toolIdentities } from './private/agent-inventory';

/**
 * AGENT-001: every Allow grant of an agent identity maps to what its tool declared: the action
 * is declared, and each resource lies within the declared resources or data sources. A wildcard
 * in a granted resource is accepted only when the declared resource has the same wildcard.
 */
export const AIBOM_DRIFT: Rule = {
  id: 'AGENT-001',
  cloud: 'all',
  severity: 'error',
  reason: 'Every permission an agent identity holds must map to a declared tool action, resource or data source (AIBOM drift).',
  explanation:
    'The agent bill of materials (AIBOM) records what each tool declared: its actions, resources and data sources. '
    + 'A grant beyond that declaration (added by hand, by another construct, or by a wider managed policy) is access nobody reviewed as part of the agent. '
    + 'An agent identity without a declaration cannot be compared at all, so it is reported too.',
  fix: 'Remove the extra grant, or add the action/resource to the tool\'s declaration (Tool.read/write/destructive) so the AIBOM shows it.',
  controls: [],
  evaluate(inventory: Inventory, _context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const byIdentity = grantsByIdentity(inventory);
    for (const identity of toolIdentities(inventory)) {
      const decl = identity.declaration;
      if (!decl) {
        findings.push(identityFinding(identity, 'no-declaration',
          `agent identity ${describeIdentity(identity)} has no agent-guardrails:declaration, so its grants cannot be compared with the AIBOM`,
          'Create the identity through AgentIdentity (which writes the declaration), or add the declaration metadata.'));
        continue;
      }
      const declaredResources = [...decl.resources, ...decl.dataSources];
      for (const grant of allowGrants(byIdentity, identity)) {
        if (grant.notActions?.length || grant.notResources?.length) {
          findings.push(grantFinding(identity, grant, 'not-action',
            `${describeIdentity(identity)} holds an Allow with NotAction/NotResource, which no declaration can cover`,
            'Replace NotAction/NotResource with the declared actions and resources.'));
          continue;
        }
        const roleDeclared = grant.role !== undefined && actionWithin(grant.role, decl.actions);
        const actions = roleDeclared ? [] : grant.actions.length > 0 ? grant.actions : grant.role ? [grant.role] : [];
        for (const action of actions) {
          if (!actionWithin(action, decl.actions)) {
            findings.push(grantFinding(identity, grant, `action:${action}`,
              `${describeIdentity(identity)} is granted ${action}, which tool ${decl.tool} does not declare (declared: ${decl.actions.join(', ') || 'none'})`,
              `Remove ${action} from the grant, or declare it on tool ${decl.tool}.`));
          }
        }
        for (const resource of effectiveResources(grant)) {
          if (!resourceWithin(grant.cloud, resource, declaredResources)) {
            findings.push(grantFinding(identity, grant, `resource:${shortResource(resource)}`,
              `${describeIdentity(identity)} is granted access to ${resource}, which is outside tool ${decl.tool}'s declared resources and data sources (${declaredResources.join(', ') || 'none'})`,
              `Narrow the grant to the declared resources, or declare ${resource} on tool ${decl.tool}.`));
          }
        }
      }
    }
    return findings;
  },
};

/** A stable, short detail for a resource: its last path segment keeps ids readable and ARN-free. */
function shortResource(resource: string): string {
  if (resource === '*') return '*';
  const tail = resource.split(/[:/]/).filter((s) => s.length > 0).pop() ?? resource;
  return tail;
}
