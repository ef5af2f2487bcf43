import { hasWildcard } from '../../aws/action-catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { adminForm } from './private/admin';
import { expandPattern, sample } from './private/effective-permissions';
import { awsAllowGrants, grantFinding, grantOrigin } from './private/grant-findings';

/**
 * AWS-002: no wildcard action patterns (`s3:*`, `iam:*Policy*`, `iam:Put*`, `?`, any case) and no
 * `NotAction`/`NotResource` in an Allow. Patterns are expanded against the AWS action list so the
 * message says what they really grant. Only grants count: a permissions boundary is a ceiling,
 * and a policy attached to nothing grants nothing. Admin statements are AWS-001's.
 */
export const SERVICE_WILDCARDS: Rule = {
  id: 'AWS-002',
  cloud: 'aws',
  severity: 'error',
  reason: 'A policy grants actions by wildcard pattern, or allows with NotAction / NotResource.',
  explanation: 'A wildcard pattern grants every action that matches it today and every action AWS adds tomorrow: `s3:*` includes '
    + 'PutBucketPolicy and DeleteBucket, `iam:*Policy*` and `iam:Put*` include privilege escalation, and IAM matches patterns '
    + 'case-insensitively with `?` as any one character, so `IAM:pUT*` and `iam:Pa?sRole` are wildcards too. An Allow with '
    + '`NotAction` or `NotResource` grants everything not listed. Reviewers cannot see what such a statement allows; '
    + 'this rule expands each pattern against the AWS action list and names what it matches. Permissions boundaries are ceilings, '
    + 'not grants, and are not checked here.',
  fix: 'List the exact actions the identity needs (the message names what the pattern matches); replace NotAction/NotResource with Action/Resource lists.',
  controls: ['AwsSolutions-IAM5', 'Cloudsplaining ServiceWildcard', 'Parliament', 'CKV_AWS_63'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const grant of awsAllowGrants(inventory)) {
      if (adminForm(grant)) continue;
      const origin = grantOrigin(grant);
      for (const pattern of grant.actions) {
        if (!hasWildcard(pattern)) continue;
        const matched = expandPattern(pattern);
        findings.push(grantFinding(grant, pattern,
          `${origin} grants ${JSON.stringify(pattern)}, which matches ${matched.length} action(s)${matched.length ? `: ${sample(matched)}` : ' today (and any AWS adds later)'}.`,
          `Replace ${JSON.stringify(pattern)} with the exact actions needed${matched.length ? ` (from: ${sample(matched, 3)})` : ''}.`));
      }
      if (grant.notActions) {
        findings.push(grantFinding(grant, 'NotAction',
          `${origin} allows every action except ${JSON.stringify(grant.notActions)} (Allow with NotAction).`,
          'Replace NotAction with an Action list of exactly what is needed.'));
      }
      if (grant.notResources) {
        findings.push(grantFinding(grant, 'NotResource',
          `${origin} allows ${grant.actions.length ? grant.actions.join(', ') : 'its actions'} on every resource except ${JSON.stringify(grant.notResources)} (Allow with NotResource).`,
          'Replace NotResource with a Resource list of the ARNs needed.'));
      }
    }
    return findings;
  },
};
