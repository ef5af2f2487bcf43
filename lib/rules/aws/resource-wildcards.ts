import { AwsActionInfo, hasWildcard } from '../../aws/action-catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { adminForm } from './private/admin';
import { expandPattern, sample } from './private/effective-permissions';
import { isCdkHelperStandardGrant } from './private/cdk-framework-roles';
import { actionReach, boundedActions, dataReadActions, isWriteLevel, takesNoResource } from './private/grant-effect';
import { awsAllowGrants, grantFinding, grantOrigin } from './private/grant-findings';

/**
 * AWS-003: `Resource: "*"` (or an ARN that covers every resource of a type, like `key/*` of an
 * account) only where it widens nothing real. An error for writes, permission changes and tagging
 * of actions that take a resource, and for data reads (policies/catalogs/aws-data-read.json); a warning for metadata reads; nothing for actions without a
 * resource type or with only an optional one, actions AWS bounds itself, or statements a condition
 * narrows (`aws:ResourceTag`, `kms:ViaService`, the action's own keys), and the standard grants of
 * CDK's own helper roles (`private/cdk-framework-roles.ts`). Data reads and credential
 * returns on `*` are AWS-007's. AWS-managed policies are out of scope (AWS-001/002/
 * 004–008 judge what they grant). One finding per statement.
 */
export const RESOURCE_WILDCARDS: Rule = {
  id: 'AWS-003',
  cloud: 'aws',
  severity: 'error',
  reason: 'A policy grants writes, permission changes, tagging or data reads on Resource "*" (or on every resource of a type) for actions that can be scoped.',
  explanation: 'Most actions can be limited to named resources (a bucket, a table, a key). Granting a write on `*`, or on an ARN '
    + 'that covers every resource of its type in an account (`arn:aws:kms:REGION:ACCOUNT:key/*`), reaches every such resource, '
    + 'present and future, including those of other teams, environments and accounts. Actions that support no resource type, or '
    + 'only an optional one (`xray:PutTraceSegments`, `cloudwatch:PutMetricData`), need `*`; actions AWS bounds itself '
    + '(policies/catalogs/aws-bounded-actions.json) widen nothing on `*`. A condition that narrows in IAM semantics (resource tags, '
    + '`kms:ViaService`, an exact `aws:ResourceAccount`, the action\'s own service keys with exact values) counts as scoping. '
    + 'Data reads (objects, items, parameters, object listings) on `*` are errors too; metadata reads are a warning; credential '
    + 'returns are judged by AWS-007. A baseline with '
    + '`"aws": { "wildcards": "strict" }` reports reads too, as errors.',
  fix: 'Replace "*" with the ARNs of the resources the actions are used on, or split the statement: resource-less actions on "*", the others on their ARNs.',
  controls: ['CKV_AWS_355', 'CKV_AWS_356', 'policy_sentry wildcard-only', 'AwsSolutions-IAM5'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const strict = context.baseline.strictWildcards;
    const bounded = boundedActions();
    const dataReads = dataReadActions();
    const findings: RawFinding[] = [];
    for (const grant of awsAllowGrants(inventory)) {
      if (grant.via === 'aws-managed-policy' || grant.notActions || adminForm(grant)) continue;
      const writes: AwsActionInfo[] = [];
      const reads: AwsActionInfo[] = [];
      const unknown: string[] = [];
      const wide = new Set<string>();
      const seen = new Set<string>();
      for (const written of grant.actions) {
        const infos = expandPattern(written);
        // A wildcard matching nothing is AWS-002's; a plain unknown action cannot be shown to need no resource.
        if (infos.length === 0 && !hasWildcard(written) && grant.resources.includes('*')) unknown.push(written);
        for (const info of infos) {
          if (seen.has(info.action) || takesNoResource(info) || bounded.has(info.action.toLowerCase()) || isCdkHelperStandardGrant(grant, info.action, inventory)) continue;
          seen.add(info.action);
          const reach = actionReach(grant, info);
          if (reach.reach !== 'wide') continue;
          reach.wideResources.forEach((r) => wide.add(r));
          if (isWriteLevel(info) || dataReads.has(info.action.toLowerCase())) writes.push(info);
          else if (info.accessLevels.includes('Read') || strict) reads.push(info);
        }
      }
      const origin = grantOrigin(grant);
      const on = [...wide].map((r) => (r === '*' ? '"*"' : r)).join(', ');
      if (writes.length > 0 || (strict && reads.length > 0)) {
        const all = [...writes, ...(strict ? reads : [])];
        findings.push(grantFinding(grant, detailOf(all),
          `${origin} grants ${sample(all, 8)} on ${on}, reaching every resource of ${all.length === 1 ? 'its type' : 'their types'} (${[...new Set(all.flatMap((a) => a.resourceTypes))].slice(0, 4).join(', ')}).`,
          `Replace ${on} with the ARNs these actions are used on.`));
      } else if (reads.length > 0) {
        findings.push(grantFinding(grant, detailOf(reads),
          `${origin} grants the reads ${sample(reads, 8)} on ${on}: metadata of every resource of their type.`,
          `Scope the reads to the ARNs they are used on if the metadata is sensitive; otherwise acknowledge with a reason.`, 'warning'));
      }
      if (unknown.length > 0) {
        findings.push(grantFinding(grant, unknown.join(','), `${origin} grants ${unknown.join(', ')} on "*", which the AWS action list does not know.`,
          'Check the spelling; if it is a new action, scope it to resource ARNs or acknowledge with a reason.', 'warning'));
      }
    }
    return findings;
  },
};

/** A stable detail: the actions, sorted (no ARNs). */
function detailOf(actions: AwsActionInfo[]): string {
  const names = [...new Set(actions.map((a) => a.action))].sort();
  return names.length <= 3 ? names.join(',') : `${names.slice(0, 3).join(',')},+${names.length - 3}`;
}
