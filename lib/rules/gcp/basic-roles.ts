import { GCP_BASIC_ROLES } from '../../adapters/terraform/gcp-roles';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';

/**
 * GCP-001: no basic role (owner, editor, viewer), and no role the baseline forbids, for anyone,
 * whether granted by a member, a binding or an authoritative policy.
 */
export const GCP_BASIC_ROLES_RULE: Rule = {
  id: 'GCP-001',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A basic role (roles/owner, roles/editor, roles/viewer) or a role the baseline forbids is granted.',
  explanation: 'Basic roles hold thousands of permissions across every service of the project (owner can also change IAM). '
    + 'They are granted the same way through google_*_iam_member, google_*_iam_binding and authoritative google_*_iam_policy '
    + '(including a data.google_iam_policy it references); every form counts.',
  fix: 'Bind a predefined role of the one service the principal needs (e.g. roles/storage.objectViewer), on the resource itself, or a custom role with exactly its permissions.',
  controls: ['CKV_GCP_115', 'CKV_GCP_116', 'CKV_GCP_117'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    const forbidden = new Set([...GCP_BASIC_ROLES, ...context.baseline.forbiddenGcpRoles]);
    return allowGrants(inventory, 'gcp').filter((g) => g.role !== undefined && forbidden.has(g.role)).map((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      const basic = GCP_BASIC_ROLES.includes(g.role!);
      return findingAt('gcp', g.source, {
        detail: g.role,
        identity: identity?.id,
        message: `${g.source.resource} grants ${basic ? 'the basic role' : 'the baseline-forbidden role'} ${g.role} on ${g.resources.join(', ')} to ${principalOf(g, identity)} (via ${g.via}).`,
        fix: GCP_BASIC_ROLES_RULE.fix,
      });
    });
  },
};
