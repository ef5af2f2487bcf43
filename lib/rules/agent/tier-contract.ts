import { loadCatalog } from '../../catalogs/catalog';
import { Cloud, Identity, Inventory } from '../../inventory/inventory';
import { parseAccessLevel } from '../../model/access-level';
import { AgentTier, parseTier } from '../../model/tier';
import { bundledReaderChannel, isReadClass } from '../private/access-classifier';
import { RawFinding, Rule, RuleContext } from '../rule';
import { effectiveResources } from './private/gcp-resource-condition';
import { actionWithin, resourceWithin } from './private/resource-match';
import { allowGrants, describeIdentity, grantedActions, grantsByIdentity, grantFinding, identityFinding, tierOf, toolIdentities } from './private/agent-inventory';
import { pushAll } from '../../private/push-all';

/**
 * AGENT-003: the tier contract, checked on what is granted. Observers hold list/read only;
 * advisors add proposal actions only; operators write only on declared resources, with a change
 * window where the baseline asks for one and a session no longer than the baseline's.
 */
export const TIER_CONTRACT: Rule = {
  id: 'AGENT-003',
  cloud: 'all',
  severity: 'error',
  reason: 'An agent identity holds only what its tier allows: observer read/list, advisor proposals, operator declared writes within a window.',
  explanation:
    'The tier is the contract reviewers approve: an observer that can write, or an advisor that can change production instead of proposing, '
    + 'is a different agent from the one that was reviewed. Unclassifiable actions count as writes (fail closed). '
    + 'Operators may write, but only on the resources their tools declared, within a change window when the baseline requires one, and with short sessions.',
  fix: 'Remove the actions above the tier, raise the agent\'s tier deliberately, or narrow operator writes to declared resources and add a ChangeWindow.',
  controls: [],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const byIdentity = grantsByIdentity(inventory);
    for (const identity of toolIdentities(inventory)) {
      const rawTier = tierOf(identity);
      const tier = parseTier(rawTier);
      if (!tier) {
        findings.push(identityFinding(identity, 'unknown-tier',
          `${describeIdentity(identity)} has no known tier (got ${rawTier ?? 'none'}); it is held to the observer contract`,
          'Tag the identity with agent-guardrails:tier observer, advisor or operator (AgentIdentity does this).'));
      }
      const effective = tier ?? AgentTier.OBSERVER;
      pushAll(findings, declarationVersusCeiling(identity, effective, context));
      for (const grant of allowGrants(byIdentity, identity)) {
        for (const { action, cls } of grantedActions(grant)) {
          if (isReadClass(cls)) continue;
          const what = cls === 'unknown' ? 'an unclassified action, treated as a write' : `a ${cls} action`;
          const channel = bundledReaderChannel(grant.cloud, action, grant.role);
          if (channel) {
            findings.push({ ...grantFinding(identity, grant, `${channel.kind}:${action}`,
              `${describeIdentity(identity)} (${effective}) holds ${action} through built-in role ${grant.role}: ${channel.what}`,
              'Accept it (Azure bundles it into its reader roles), or use a custom role with only the …/read actions the tool needs.'), severity: 'warning' });
          } else if (effective === AgentTier.OBSERVER) {
            findings.push(grantFinding(identity, grant, `observer:${action}`,
              `${describeIdentity(identity)} is an observer but holds ${action} (${what}); observers hold list/read only`,
              `Remove ${action}, or move it to an advisor/operator agent.`));
          } else if (effective === AgentTier.ADVISOR) {
            if (!isProposal(grant.cloud, action)) {
              findings.push(grantFinding(identity, grant, `advisor:${action}`,
                `${describeIdentity(identity)} is an advisor but holds ${action} (${what}), which is not a proposal action (policies/catalogs/proposal-actions.json)`,
                `Replace ${action} with a proposal (pull request, ticket, change request), or use an operator agent.`));
            }
          } else {
            const declared = identity.declaration ? [...identity.declaration.resources, ...identity.declaration.dataSources] : [];
            const outside = effectiveResources(grant).filter((r) => !resourceWithin(grant.cloud, r, declared));
            if (outside.length > 0 && !isProposal(grant.cloud, action)) {
              findings.push(grantFinding(identity, grant, `operator-undeclared:${action}`,
                `${describeIdentity(identity)} is an operator holding ${action} (${what}) on ${outside.join(', ')}, outside its declared resources`,
                'Operators write only on the resources their tool declared: narrow the grant to them.'));
            }
          }
        }
      }
      if (effective === AgentTier.OPERATOR && identity.maxSessionSeconds !== undefined && identity.maxSessionSeconds > context.baseline.maxSessionSeconds) {
        findings.push(identityFinding(identity, 'operator-session',
          `${describeIdentity(identity)} is an operator with sessions of ${identity.maxSessionSeconds} s, above the baseline's ${context.baseline.maxSessionSeconds} s`,
          `Set the maximum session to at most ${context.baseline.maxSessionSeconds} s.`));
      }
    }
    return findings;
  },
};

/** The declared access level must fit the tier's ceiling, with a window when the baseline asks. */
function declarationVersusCeiling(identity: Identity, tier: AgentTier, context: RuleContext): RawFinding[] {
  const decl = identity.declaration;
  if (!decl) return [];
  const level = parseAccessLevel(decl.accessLevel);
  const ceiling = context.baseline.tierCeiling(tier);
  const out: RawFinding[] = [];
  if (!level || !ceiling.accessLevels.includes(level)) {
    out.push(identityFinding(identity, `access-level:${decl.accessLevel}`,
      `${describeIdentity(identity)} declares a ${decl.accessLevel} tool, which the ${tier} tier does not allow under baseline ${context.baseline.id} (allowed: ${ceiling.accessLevels.join(', ')})`,
      `Make the tool ${ceiling.accessLevels.join('/')} or raise the agent's tier.`));
  }
  if (level && ceiling.requireWindowFor.includes(level) && !decl.hasWindow) {
    out.push(identityFinding(identity, 'no-window',
      `${describeIdentity(identity)} is a ${level} tool of a ${tier} agent without a change window, which baseline ${context.baseline.id} requires`,
      'Give the tool a window: ChangeWindow.workdays(...).'));
  }
  return out;
}

function isProposal(cloud: Cloud, action: string): boolean {
  return actionWithin(action, loadCatalog('proposal-actions')[cloud] ?? []);
}
