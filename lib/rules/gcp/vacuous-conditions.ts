import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { lookalikePrefix, vacuousConditionReason } from './private/gcp-conditions';
import { allowGrants, findingAt } from './private/gcp-rule-helpers';

/** GCP-010: a condition that narrows nothing does not count as narrowing. */
export const GCP_VACUOUS_CONDITIONS_RULE: Rule = {
  id: 'GCP-010',
  cloud: 'gcp',
  severity: 'error',
  reason: 'An IAM condition narrows nothing (always true, or a resource prefix that matches every resource of a kind).',
  explanation: 'A condition such as resource.name.startsWith("projects/_/buckets/") looks like narrowing but matches every bucket; '
    + '`true` or an alternative (||) that is always true matches everything. Such a grant is as broad as an unconditional one at its level. '
    + 'On a grant bound to one resource (a bucket, a secret) that level is the resource itself, so it is a warning there.',
  fix: 'Name the resource: resource.name == "projects/_/buckets/b" || resource.name.startsWith("projects/_/buckets/b/"), or bind the role on the resource itself.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    return allowGrants(inventory, 'gcp').flatMap((g) => {
      if (typeof g.condition !== 'string') return [];
      const reason = vacuousConditionReason(g.condition);
      if (!reason) {
        const lookalike = lookalikePrefix(g.condition);
        return lookalike ? [findingAt('gcp', g.source, {
          detail: `lookalike:${g.role}`,
          identity: g.identityId,
          severity: 'warning',
          message: `${g.source.resource} grants ${g.role} with the condition term ${lookalike}, which has no "/" boundary and also matches look-alike names (e.g. a "-archive" suffix).`,
          fix: GCP_VACUOUS_CONDITIONS_RULE.fix,
        })] : [];
      }
      // Bound on one resource, the grant reaches that resource only, condition or not: nothing wider than it looks.
      const oneResource = g.scopeLevel === 'resource';
      return [findingAt('gcp', g.source, {
        detail: g.role,
        identity: g.identityId,
        ...(oneResource ? { severity: 'warning' as const } : {}),
        message: `${g.source.resource} grants ${g.role} on ${g.resources.join(', ')} with a condition that narrows nothing: ${reason}`
          + `${oneResource ? '; the grant is bound on that one resource, so it reaches no more than the resource' : ''}.`,
        fix: GCP_VACUOUS_CONDITIONS_RULE.fix,
      })];
    });
  },
};
