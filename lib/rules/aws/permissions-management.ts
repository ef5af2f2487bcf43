import { AwsActionInfo } from '../../aws/action-catalog';
import { Identity, Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { ATTACH_POLICY, attachesDenyOnly } from './private/deny-only-attach';
import { EffectivePermissions, sample } from './private/effective-permissions';
import { judgedSubjects } from './private/admin';

/** Services whose every write changes who may do what. */
const IDENTITY_SERVICES = new Set(['iam', 'organizations', 'ram']);

/**
 * AWS-006: no permissions-management actions (access level `Permissions management`, any write
 * to IAM, Organizations or RAM, tagging of the identity itself) for agent identities, whatever
 * their tier. Other identities get a warning.
 */
export const PERMISSIONS_MANAGEMENT: Rule = {
  id: 'AWS-006',
  cloud: 'aws',
  severity: 'error',
  reason: 'An identity can change permissions (IAM, Organizations or RAM writes, resource policies, tags on itself).',
  explanation: 'Actions of the "Permissions management" access level (iam:PutRolePolicy, s3:PutBucketPolicy, kms:CreateGrant, '
    + 'lambda:AddPermission, ...), every write to IAM, AWS Organizations and AWS RAM, and tagging of the identity itself let the holder '
    + 'change who may do what, so its reach is no longer what was reviewed. Agent identities of every tier must never hold them; '
    + 'on other identities they are reported as warnings. Wildcards and NotAction are expanded against the AWS action list, '
    + 'and actions removed by a Deny or the permissions boundary do not count.',
  fix: 'Remove the action (or narrow the wildcard that brings it in). Permission changes belong to a reviewed deployment pipeline, '
    + 'not to an agent; if a non-agent role truly needs one, acknowledge the warning with a reason.',
  controls: ['Parliament PERMISSIONS_MANAGEMENT_ACTIONS', 'CKV_AWS_109', 'CKV_AWS_289', 'Cloudsplaining ResourceExposure'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const perms of judgedSubjects(inventory, context)) {
      // Most identities name no action this rule looks at: no expansion of their grants.
      if (!perms.namesAny(mayManagePermissions)) continue;
      // The identity's own ARN patterns, built only for an IAM tagging action (most identities hold none).
      let self: string[] | undefined;
      for (const [written, infos] of perms.granted()) {
        const hits = infos.filter((info) => (changesPermissions(info) && !onlyAttachesDenies(perms, info, inventory))
          || (isIamTagging(info) && taggedSelf(perms, info, self ??= selfArnPatterns(perms.subject.identity))));
        if (hits.length === 0) continue;
        const who = perms.subject.isAgent ? 'agent identity' : 'identity';
        findings.push(perms.finding(written,
          `${who} ${perms.subject.resource} holds permissions-management actions through ${written}: ${sample(hits)}.`,
          `Remove ${written} from ${perms.subject.resource}${written === 'NotAction' ? ' (replace NotAction with the actions it needs)' : ''}; `
            + (perms.subject.isAgent ? 'agent identities never manage permissions.' : 'or acknowledge this warning with a reason.'),
          perms.subject.isAgent ? undefined : 'warning'));
      }
    }
    return findings;
  },
};

/**
 * `Permissions management` access level, or any write to IAM / Organizations / RAM. Tagging
 * (`Tagging, Write` in the data) is judged separately: only tags on the identity itself count.
 */
function changesPermissions(info: AwsActionInfo): boolean {
  const level: string = info.accessLevel;
  // iam:PassRole is a Write in the data but hands over an existing role: AWS-005 and AWS-004 judge it.
  if (info.action === 'iam:PassRole') return false;
  if (level.includes('Permissions management')) return true;
  return IDENTITY_SERVICES.has(info.service) && level.includes('Write') && !level.includes('Tagging');
}

/** An action `changesPermissions` or `isIamTagging` accepts: the only ones that can make a finding. */
function mayManagePermissions(info: AwsActionInfo): boolean {
  return changesPermissions(info) || isIamTagging(info);
}

function isIamTagging(info: AwsActionInfo): boolean {
  const level: string = info.accessLevel;
  return info.service === 'iam' && level.includes('Tagging');
}

/** A kill switch's Attach*Policy limited to deny-only policies can only take permissions away. */
function onlyAttachesDenies(perms: EffectivePermissions, info: AwsActionInfo, inventory: Inventory): boolean {
  return ATTACH_POLICY.test(info.action.toLowerCase()) && perms.usesOf(info.action).every((u) => attachesDenyOnly(u, inventory));
}

/** Whether a tagging action is allowed on a resource that can be the identity itself. */
function taggedSelf(perms: EffectivePermissions, info: AwsActionInfo, self: string[]): boolean {
  return self.some((s) => perms.reaches(info.action, s));
}

/**
 * ARN patterns that can name the identity. Without a literal name we fall back to the logical id
 * the adapter writes in its ARN placeholders, and to any name containing it (CloudFormation's
 * generated names embed it).
 */
function selfArnPatterns(identity: Identity | undefined): string[] {
  if (!identity) return ['*'];
  const type = identity.kind === 'aws-iam-user' ? 'user' : identity.kind === 'aws-iam-group' ? 'group' : 'role';
  if (identity.name) return [`arn:*:iam::*:${type}/${identity.name}`, `arn:*:iam::*:${type}/*/${identity.name}`];
  return [`arn:*:iam::*:${type}/*${identity.source.resource}*`];
}
