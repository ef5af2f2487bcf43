import { GCP_BASIC_ROLES } from '../../adapters/terraform/gcp-roles';
import { forbiddenEntryFor } from '../../baseline/forbidden';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { gcpIamResourceKind, narrowerGcpRole } from './private/gcp-narrower-roles';

/**
 * GCP-001: no basic role (owner, editor, viewer), and no role the baseline forbids, for anyone,
 * whether granted by a member, a binding or an authoritative policy. Scope counts: viewer or editor
 * bound on one resource confers its permissions on that resource only, so it is a warning that
 * names the narrower role (editor on a service account, which includes actAs, and owner stay errors).
 */
export const GCP_BASIC_ROLES_RULE: Rule = {
  id: 'GCP-001',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A basic role (roles/owner, roles/editor, roles/viewer) or a role the baseline forbids is granted.',
  explanation: 'Basic roles hold thousands of permissions across every service of the project (owner can also change IAM). '
    + 'They are granted the same way through google_*_iam_member, google_*_iam_binding and authoritative google_*_iam_policy '
    + '(including a data.google_iam_policy it references); every form counts. Bound on one resource (a Cloud Run service, a repository) '
    + 'a basic role confers its permissions there only: roles/viewer or roles/editor there is a warning naming the service\'s own role; '
    + 'roles/owner (which manages the resource\'s IAM) and roles/editor on a service account (which includes actAs) stay errors.',
  fix: 'Bind a predefined role of the one service the principal needs (e.g. roles/storage.objectViewer), on the resource itself, or a custom role with exactly its permissions.',
  controls: ['CKV_GCP_115', 'CKV_GCP_116', 'CKV_GCP_117'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    // A forbidden entry may be a pattern (roles/compute.*): it matches roles both ways, as on AWS.
    const forbidden = context.baseline.forbiddenGcpRoles;
    const isForbidden = (role: string) => GCP_BASIC_ROLES.includes(role) || forbiddenEntryFor(forbidden, role) !== undefined;
    return allowGrants(inventory, 'gcp').filter((g) => g.role !== undefined && isForbidden(g.role)).map((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      const basic = GCP_BASIC_ROLES.includes(g.role!);
      const kind = gcpIamResourceKind(g.source.resource);
      const oneResource = basic && g.scopeLevel === 'resource' && g.role !== 'roles/owner' && !(g.role === 'roles/editor' && kind === 'service_account');
      if (oneResource) {
        const narrower = narrowerGcpRole(kind, g.role!);
        return findingAt('gcp', g.source, {
          detail: g.role,
          identity: identity?.id,
          severity: 'warning',
          message: `${g.source.resource} grants the basic role ${g.role} on the one resource ${g.resources.join(', ')} to ${principalOf(g, identity)} (via ${g.via}); `
            + `it confers its permissions there only, but ${narrower ? `${narrower} is the narrower role to use` : 'a predefined role of that service is narrower'}.`,
          fix: narrower ? `Bind ${narrower} on the resource instead of ${g.role}.` : GCP_BASIC_ROLES_RULE.fix,
        });
      }
      return findingAt('gcp', g.source, {
        detail: g.role,
        identity: identity?.id,
        message: `${g.source.resource} grants ${basic ? 'the basic role' : 'the baseline-forbidden role'} ${g.role} on ${g.resources.join(', ')} to ${principalOf(g, identity)} (via ${g.via}).`,
        fix: GCP_BASIC_ROLES_RULE.fix,
      });
    });
  },
};
