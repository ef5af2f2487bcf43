import { AwsActionInfo, hasWildcard } from '../../aws/action-catalog';
import { Grant, Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext, Severity } from '../rule';
import { adminForm } from './private/admin';
import { expandPattern, sample } from './private/effective-permissions';
import { isCdkHelperStandardGrant } from './private/cdk-framework-roles';
import { CreateVerdict, StatementCreates } from './private/create-lifecycle';
import { actionReach, wideReachTest, boundedActions, dataReadActions, isWriteLevel, takesNoResource } from './private/grant-effect';
import { awsAllowStatements, grantFinding, grantOrigin } from './private/grant-findings';
import { heldByAgent, isLogAppend, LOG_GROUP_ARN, matchesLogAppend } from './private/log-append';

/**
 * AWS-003: `Resource: "*"` (or an ARN that covers every resource of a type, like `key/*` of an
 * account) only where it widens nothing real. An error for writes, permission changes and tagging
 * of actions that take a resource, and for data reads (policies/catalogs/aws-data-read.json); a warning for metadata reads; nothing for actions without a
 * resource type or with only an optional one, actions AWS bounds itself, or statements a condition
 * narrows (`aws:ResourceTag`, `kms:ViaService`, the action's own keys), and the standard grants of
 * CDK's own helper roles (`private/cdk-framework-roles.ts`). Data reads and credential
 * returns on `*` are AWS-007's. AWS-managed policies are out of scope (AWS-001/002/
 * 004–008 judge what they grant), but for log appends on every log group (`private/log-append.ts`):
 * those are judged by who holds them, inline or AWS-managed alike. A `Create…` action on the type it creates is no finding; what a
 * creating statement allows beyond its own creations is a warning (`private/create-lifecycle.ts`).
 * One finding per statement.
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
    + 'returns are judged by AWS-007. Log appends (logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents) on every log group '
    + 'are judged by who holds them, whether written inline or granted by an AWS-managed policy such as AWSLambdaBasicExecutionRole: '
    + 'a warning for an ordinary identity (it can append to any log group), an error for an agent\'s tool or broker role (it could '
    + 'forge lines in audit log groups); other grants of AWS-managed policies are judged by the other rules, not this one. Creating resources: a new resource has no id until it is created, so a `Create…` action '
    + 'can only name the type it creates as `type/*` (`ec2:CreateNetworkInterface` on `network-interface/*`); that reaches no existing '
    + 'resource and is no finding. The types it is created in or attached to (`subnet/*`, `security-group/*`), a delete or other '
    + 'write of the same statement confined to the types it creates, and tagging confined to the types it creates or uses '
    + '(tag-on-create) are one warning naming the condition that confines them (`aws:ResourceTag`, `ec2:CreateAction`). Which '
    + 'type an action creates comes from the Service Authorization Reference (the resource type named by the action\'s object), '
    + 'never from a name alone; it never applies to "*", to IAM/Organizations/RAM writes, permissions management, escalation, '
    + 'credential, data-read or tamper actions (their catalogs win), nor to destructive writes on a type a data-read action reads '
    + '(`dynamodb:DeleteTable` on `table/*` stays an error next to `dynamodb:CreateTable`). A baseline with '
    + '`"aws": { "wildcards": "strict" }` reports reads too, as errors.',
  fix: 'Replace "*" with the ARNs of the resources the actions are used on, or split the statement: resource-less actions on "*", the others on their ARNs.',
  controls: ['CKV_AWS_355', 'CKV_AWS_356', 'policy_sentry wildcard-only', 'AwsSolutions-IAM5'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const grants = awsAllowStatements(inventory);
    if (grants.length === 0) return [];
    const strict = context.baseline.strictWildcards;
    const bounded = boundedActions();
    const dataReads = dataReadActions();
    const findings: RawFinding[] = [];
    for (const grant of grants) {
      if (grant.notActions || adminForm(grant)) continue;
      // Of an AWS-managed policy only the log appends are this rule's (AWS writes them on "*" for its execution roles).
      const managed = grant.via === 'aws-managed-policy';
      if (managed && !grant.actions.some(matchesLogAppend)) continue;
      const writes: AwsActionInfo[] = [];
      const reads: AwsActionInfo[] = [];
      const creating: { info: AwsActionInfo; verdict: Exclude<CreateVerdict, { kind: 'creates' }> }[] = [];
      const unknown: string[] = [];
      const wide = new Set<string>();
      const appends: AwsActionInfo[] = [];
      const appendWide = new Set<string>();
      const seen = new Set<string>();
      const creates = new StatementCreates(grant);
      const mayReachWide = wideReachTest(grant);
      for (const written of grant.actions) {
        const infos = expandPattern(written);
        // A wildcard matching nothing is AWS-002's; a plain unknown action cannot be shown to need no resource.
        if (infos.length === 0 && !hasWildcard(written) && grant.resources.includes('*')) unknown.push(written);
        for (const info of infos) {
          if (managed && !isLogAppend(info.action)) continue;
          if (seen.has(info.action) || takesNoResource(info) || bounded.has(info.action.toLowerCase()) || isCdkHelperStandardGrant(grant, info.action, inventory)) continue;
          seen.add(info.action);
          if (!mayReachWide(info)) continue;
          const reach = actionReach(grant, info);
          if (reach.reach !== 'wide') continue;
          const verdict = !strict && isWriteLevel(info) ? creates.judge(info, reach.wideResources) : undefined;
          if (verdict?.kind === 'creates') continue;
          if (isLogAppend(info.action)) {
            appends.push(info);
            reach.wideResources.forEach((r) => appendWide.add(r));
            continue;
          }
          if (verdict) {
            creating.push({ info, verdict });
            continue;
          }
          reach.wideResources.forEach((r) => wide.add(r));
          if (isWriteLevel(info) || dataReads.has(info.action.toLowerCase())) writes.push(info);
          else if (info.accessLevels.includes('Read') || strict) reads.push(info);
        }
      }
      const on = [...wide].map((r) => (r === '*' ? '"*"' : r)).join(', ');
      const created = creating.length > 0 ? describeCreating(creating) : undefined;
      const parts: StatementPart[] = [];
      if (writes.length > 0 || (strict && reads.length > 0)) {
        const all = [...writes, ...(strict ? reads : [])];
        parts.push({ detail: detailOf(all), severity: 'error',
          message: `grants ${sample(all, 8)} on ${on}, reaching every resource of ${all.length === 1 ? 'its type' : 'their types'} (${[...new Set(all.flatMap((a) => a.resourceTypes))].slice(0, 4).join(', ')}).`,
          fix: `Replace ${on} with the ARNs these actions are used on.` });
      }
      if (created) parts.push({ detail: detailOf(creating.map((c) => c.info)), severity: 'warning', message: created.message, fix: created.fix });
      if (reads.length > 0 && !strict) {
        parts.push({ detail: detailOf(reads), severity: 'warning',
          message: `grants the reads ${sample(reads, 8)} on ${[...wide].map((r) => (r === '*' ? '"*"' : r)).join(', ')}: metadata of every resource of their type.`,
          fix: 'Scope the reads to the ARNs they are used on if the metadata is sensitive; otherwise acknowledge with a reason.' });
      }
      if (appends.length > 0) {
        const agent = heldByAgent(grant, inventory);
        const onAppend = [...appendWide].map((r) => (r === '*' ? '"*"' : r)).join(', ');
        parts.push({ detail: detailOf(appends), severity: agent || strict ? 'error' : 'warning',
          message: `grants the log appends ${sample(appends, 3)} on ${onAppend}: it can append to any log group of the account`
            + `${agent ? ', and an agent\'s role that writes any log group can forge lines in its audit logs' : ''}.`,
          fix: `Name the log group written to: ${LOG_GROUP_ARN} (the group and its streams).` });
      }
      if (unknown.length > 0) {
        parts.push({ detail: unknown.join(','), severity: 'warning', message: `grants ${unknown.join(', ')} on "*", which the AWS action list does not know.`,
          fix: 'Check the spelling; if it is a new action, scope it to resource ARNs or acknowledge with a reason.' });
      }
      if (parts.length > 0) findings.push(foldParts(grant, grantOrigin(grant), parts));
    }
    return findings;
  },
};

/** One cause of a statement's finding; a statement gets one finding per rule, its parts folded. */
interface StatementPart {
  readonly detail: string;
  readonly severity: Severity;
  /** A sentence starting with a verb (`grants …`), after the statement's origin. */
  readonly message: string;
  readonly fix: string;
}

/** One finding for a statement: the first part leads, the others follow; an error when any part is one. */
function foldParts(grant: Grant, origin: string, parts: StatementPart[]): RawFinding {
  const severity: Severity = parts.some((p) => p.severity === 'error') ? 'error' : 'warning';
  const also = (p: StatementPart) => (p.severity === severity ? `It also ${p.message}` : `It also ${p.message.replace(/\.$/, '')} (a ${p.severity} on its own).`);
  const message = [`${origin} ${parts[0].message}`, ...parts.slice(1).map(also)].join(' ');
  return grantFinding(grant, parts.map((p) => p.detail).join(','), message, parts.map((p) => p.fix).join(' '), severity === 'error' ? undefined : 'warning');
}

/**
 * One sentence per kind of create verdict, and the fix: a create's new resource can only be named
 * `type/*`, so what remains is what the statement allows beyond its own creations.
 */
function describeCreating(creating: { info: AwsActionInfo; verdict: Exclude<CreateVerdict, { kind: 'creates' }> }[]): { message: string; fix: string } {
  const of = (kind: string) => creating.filter((c) => c.verdict.kind === kind);
  const typesOf = (list: typeof creating) => [...new Set(list.flatMap((c) => c.verdict.types))].join(', ');
  const messages: string[] = [];
  const fixes: string[] = [];
  const references = of('references');
  if (references.length > 0) {
    messages.push(`grants ${sample(references.map((c) => c.info), 4)}, whose new resources may be created in, or attached to, any ${typesOf(references)} of the account`);
    fixes.push(`Name the ${typesOf(references)} the new resources belong to (or add a condition such as ec2:Vpc or aws:ResourceTag).`);
  }
  const lifecycle = of('lifecycle');
  if (lifecycle.length > 0) {
    messages.push(`grants ${sample(lifecycle.map((c) => c.info), 4)} on every ${typesOf(lifecycle)} of the account, not only the ones it creates`);
    fixes.push(`Tag what it creates (aws:RequestTag on the create) and confine ${sample(lifecycle.map((c) => c.info), 4)} with a condition on aws:ResourceTag.`);
  }
  const tagging = of('tag-on-create');
  if (tagging.length > 0) {
    messages.push(`grants ${sample(tagging.map((c) => c.info), 4)} on every ${typesOf(tagging)} of the account, where tagging is needed only on creation`);
    fixes.push('Confine the tagging to creation with a condition on the create action (ec2:CreateAction for EC2) or on aws:RequestTag.');
  }
  return { message: `${messages.join('; it also ')}.`, fix: fixes.join(' ') };
}

/** A stable detail: the actions, sorted (no ARNs). */
function detailOf(actions: AwsActionInfo[]): string {
  const names = [...new Set(actions.map((a) => a.action))].sort();
  return names.length <= 3 ? names.join(',') : `${names.slice(0, 3).join(',')},+${names.length - 3}`;
}
