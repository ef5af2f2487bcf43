import { awsManagedPolicyDocument, awsManagedPolicyKey } from '../../adapters/cloudformation/aws-managed-policies';
import { Inventory, OtherResource } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { adminForm } from './private/admin';
import { actionMatches } from './private/effective-permissions';
import { coversAllResources } from './private/grant-findings';
import { documentOf, otherLocation, statementsOf, stringsOf } from './private/resource-documents';

/**
 * AWS-017: IAM Identity Center permission sets (`AWS::SSO::PermissionSet`) that make whoever is
 * assigned them an administrator: `AdministratorAccess` or another managed policy, or an inline
 * policy, that allows every action (or all of IAM) on every resource.
 */
export const SSO_PERMISSION_SETS: Rule = {
  id: 'AWS-017',
  cloud: 'aws',
  severity: 'error',
  reason: 'An IAM Identity Center permission set grants administrator access.',
  explanation: 'A permission set becomes a role in every account it is assigned to. With AdministratorAccess, or any policy that '
    + 'allows `*` (or `iam:*`) on every resource, each assignment creates an administrator that the role checks never see. An agent '
    + 'stack has no reason to create one; a pull request that does deserves a human reading it.',
  fix: 'Give the permission set the narrow managed or inline policy its users need, or create it outside the agent stacks.',
  controls: ['CKV_AWS_1'],
  evaluate(inventory: Inventory): RawFinding[] {
    const out: RawFinding[] = [];
    for (const r of inventory.others) {
      if (r.cloud !== 'aws' || r.type !== 'AWS::SSO::PermissionSet') continue;
      const managed = stringsOf(r.properties.ManagedPolicies);
      for (const arn of managed) {
        const key = awsManagedPolicyKey(arn);
        const doc = key === undefined ? undefined : documentOf(awsManagedPolicyDocument(key));
        if (key !== undefined && (doc === undefined || statementsOf(doc).some(isAdminStatement))) {
          out.push(finding(r, `managed policy ${key}${doc === undefined ? ' (unknown to the checks, so assumed admin)' : ''}`, key));
        }
      }
      const inline = documentOf(r.properties.InlinePolicy);
      if (inline && statementsOf(inline).some(isAdminStatement)) out.push(finding(r, 'its inline policy', 'InlinePolicy'));
    }
    return out;
  },
};

function finding(r: OtherResource, what: string, detail: string): RawFinding {
  return {
    ...otherLocation(r), detail: `sso-${detail.replace(/[^A-Za-z0-9-]/g, '-')}`,
    message: `${r.source.resource} (AWS::SSO::PermissionSet) grants administrator access through ${what}: everyone assigned it is an administrator of the account.`,
    fix: 'Give the permission set a narrow policy, or create it outside the agent stacks.',
  };
}

/** Allow of everything (or of all of IAM, which reaches everything) on every resource. */
function isAdminStatement(raw: Record<string, unknown>): boolean {
  const s = {
    effect: raw.Effect === 'Allow' ? 'Allow' as const : 'Deny' as const,
    actions: raw.Action === undefined ? undefined : stringsOf(raw.Action),
    notActions: raw.NotAction === undefined ? undefined : stringsOf(raw.NotAction),
    resources: raw.Resource === undefined ? undefined : stringsOf(raw.Resource),
    notResources: raw.NotResource === undefined ? undefined : stringsOf(raw.NotResource),
  };
  if (adminForm(s) !== undefined) return true;
  return s.effect === 'Allow' && coversAllResources(s) && (s.actions ?? []).some((a) => actionMatches(a, 'iam:PutRolePolicy') && actionMatches(a, 'iam:CreateUser'));
}
