import { hasWildcard } from '../../aws/action-catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { adminForm } from './private/admin';
import { expandPattern, sample } from './private/effective-permissions';
import { awsAllowGrants, grantFinding, grantOrigin, requiredValues } from './private/grant-findings';
import { Grant } from '../../inventory/inventory';

/**
 * AWS-003: `Resource: "*"` only for actions that support no resource type (`xray:PutTraceSegments`,
 * `cloudwatch:PutMetricData`, …), as the AWS action list records them. AWS-managed policies are
 * out of scope (their author is AWS; AWS-001/002/004–008 judge what they grant).
 */
export const RESOURCE_WILDCARDS: Rule = {
  id: 'AWS-003',
  cloud: 'aws',
  severity: 'error',
  reason: 'A policy grants, on Resource "*", actions that can be scoped to specific resources.',
  explanation: 'Most actions can be limited to named resources (a bucket, a table, a role). Granting them on `*` reaches every such '
    + 'resource in the account, present and future, including those of other teams and environments. Only actions that support no '
    + 'resource type (e.g. `xray:PutTraceSegments`, `cloudwatch:PutMetricData`, `sts:GetCallerIdentity`) need `*`; the AWS action '
    + 'list says which. An action on `*` that is narrowed by one of its own service condition keys with exact values (e.g. '
    + '`cloudwatch:PutMetricData` with `cloudwatch:namespace`) counts as scoped. Actions the list does not know are reported as '
    + 'warnings (they cannot be shown to be wildcard-only).',
  fix: 'Replace "*" with the ARNs of the resources the actions are used on, or split the statement: wildcard-only actions on "*", the others on their ARNs.',
  controls: ['CKV_AWS_355', 'CKV_AWS_356', 'policy_sentry wildcard-only', 'AwsSolutions-IAM5'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const grant of awsAllowGrants(inventory)) {
      if (grant.via === 'aws-managed-policy' || !grant.resources.includes('*') || grant.notActions || adminForm(grant)) continue;
      const origin = grantOrigin(grant);
      for (const written of grant.actions) {
        const infos = expandPattern(written);
        if (infos.length === 0) {
          // A wildcard matching nothing is AWS-002's; a plain unknown action cannot be shown wildcard-only.
          if (!hasWildcard(written)) {
            findings.push(grantFinding(grant, written, `${origin} grants ${written} on "*", and ${written} is not in the AWS action list.`,
              `Check the spelling of ${written}; if it is a new action, scope it to resource ARNs or acknowledge with a reason.`, 'warning'));
          }
          continue;
        }
        // An action narrowed by one of its own condition keys (cloudwatch:PutMetricData by cloudwatch:namespace) is scoped.
        const scopable = infos.filter((a) => !a.wildcardOnly && !narrowedByOwnConditionKey(grant, a.conditionKeys ?? []));
        if (scopable.length === 0) continue;
        findings.push(grantFinding(grant, written,
          `${origin} grants ${written} on "*", but ${sample(scopable)} can be scoped to resources (${[...new Set(scopable.flatMap((a) => a.resourceTypes))].slice(0, 4).join(', ')}).`,
          `Replace "*" with the ARNs ${written} is used on.`));
      }
    }
    return findings;
  },
};

/** Whether the grant's condition pins one of the action's own service keys to values without wildcards. */
function narrowedByOwnConditionKey(grant: Grant, keys: string[]): boolean {
  return keys.some((k) => !k.toLowerCase().startsWith('aws:') && !k.includes('${')
    && (requiredValues(grant.condition, k) ?? []).some((v) => v.length > 0)
    && (requiredValues(grant.condition, k) ?? []).every((v) => !/^[*?]+$/.test(v)));
}
