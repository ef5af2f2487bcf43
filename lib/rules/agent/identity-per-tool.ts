import { Identity, Inventory } from '../../inventory/inventory';
import { isBundledReaderChannel, isReadClass } from '../private/access-classifier';
import { RawFinding, Rule, RuleContext } from '../rule';
import {
  agentOf, allowGrants, assumersOf, describeIdentity, environmentOf, grantedActions, grantsByIdentity, grantFinding, groupBy, identityFinding, PrincipalIndex, toolIdentities, toolOf,
} from './private/agent-inventory';
import { pushAll } from '../../private/push-all';

/**
 * AGENT-002: one identity per tool. No two identities share an (agent, tool, environment); an
 * identity carries only its own tool's declaration; a read tool's identity holds no writes; and
 * no identity can be reached from another environment's principals.
 */
export const IDENTITY_PER_TOOL: Rule = {
  id: 'AGENT-002',
  cloud: 'all',
  severity: 'error',
  reason: 'Each tool has its own identity: never shared across tools, agents or environments, and read and write never share one.',
  explanation:
    'One tool = one identity is what makes every grant attributable and every tool revocable on its own. '
    + 'Two identities for the same tool, an identity carrying another tool\'s declaration, a read tool that also holds writes, '
    + 'or an identity that principals of another environment can assume all break that: the blast radius of one tool becomes that of several.',
  fix: 'Give each tool in each environment exactly one identity (AgentIdentity does this), split read and write into separate tools, '
    + 'and let only the same environment\'s broker assume a tool identity.',
  controls: [],
  evaluate(inventory: Inventory, _context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const tools = toolIdentities(inventory);
    const byIdentity = grantsByIdentity(inventory);
    const index = PrincipalIndex.of(inventory);

    // Same (agent, tool, environment) on more than one identity (per cloud: a tool may exist on several clouds).
    const groups = groupBy(tools, (i) => {
      const [agent, tool] = [agentOf(i), toolOf(i)];
      return agent && tool ? `${i.cloud}|${agent}|${tool}|${environmentOf(i) ?? ''}` : undefined;
    });
    for (const [, same] of groups) {
      if (same.length < 2) continue;
      for (const identity of same.slice(1)) {
        findings.push(identityFinding(identity, `duplicate:${agentOf(identity)}/${toolOf(identity)}`,
          `${describeIdentity(identity)} is a second identity for the same agent, tool and environment as ${same[0].source.resource}`,
          'Keep one identity per tool and environment; remove the duplicate or give the tool a distinct name.'));
      }
    }

    for (const identity of tools) {
      pushAll(findings, mismatchedDeclaration(identity));
      pushAll(findings, readToolWrites(identity, allowGrants(byIdentity, identity)));
      pushAll(findings, crossEnvironmentAssumers(index, identity));
    }
    return findings;
  },
};

/** The labels name one tool, the declaration another (a declaration copied or shared). */
function mismatchedDeclaration(identity: Identity): RawFinding[] {
  const d = identity.declaration;
  if (!d) return [];
  const pairs: [string, string | undefined, string][] = [
    ['agent', identity.labels.agent, d.agent], ['tool', identity.labels.tool, d.tool], ['environment', identity.labels.environment, d.environment],
  ];
  return pairs.filter(([, label, declared]) => label !== undefined && label !== declared).map(([key, label, declared]) =>
    identityFinding(identity, `declaration-${key}`,
      `${describeIdentity(identity)} is labelled ${key} ${label} but holds the declaration of ${key} ${declared}`,
      'Each identity carries only its own tool\'s declaration; do not share identities or copy declarations between tools.'));
}

/** A read tool whose identity holds writes: read and write must not share an identity. */
function readToolWrites(identity: Identity, grants: ReturnType<typeof allowGrants>): RawFinding[] {
  if (identity.declaration?.accessLevel !== 'read') return [];
  const out: RawFinding[] = [];
  for (const grant of grants) {
    for (const { action, cls } of grantedActions(grant)) {
      // Reported by AGENT-003 as a warning: Azure bundles support tickets into its reader roles.
      if (isReadClass(cls) || isBundledReaderChannel(grant.cloud, action, grant.role)) continue;
      out.push(grantFinding(identity, grant, `read-tool-write:${action}`,
        `${describeIdentity(identity)} belongs to read tool ${identity.declaration.tool} but holds ${action} (${cls === 'unknown' ? 'unclassified, treated as a write' : cls})`,
        'Move the write into a separate write tool with its own identity, or remove it.'));
    }
  }
  return out;
}

/** Principals of another environment can become this identity (shared broker, token creator, trust). */
function crossEnvironmentAssumers(index: PrincipalIndex, identity: Identity): RawFinding[] {
  const env = environmentOf(identity);
  if (!env) return [];
  const out: RawFinding[] = [];
  for (const assumer of assumersOf(index, identity)) {
    const other = (assumer.identity ? environmentOf(assumer.identity) : undefined) ?? assumer.environment;
    if (other === undefined || other === env) continue;
    const who = assumer.identity ? describeIdentity(assumer.identity) : assumer.principal;
    out.push(identityFinding(identity, `cross-environment:${other}`,
      `${describeIdentity(identity)} (environment ${env}) can be assumed by ${who} of environment ${other} (via ${assumer.via})`,
      `Let only environment ${env}'s broker assume this identity; give each environment its own identities.`));
  }
  return out;
}
