import { AwsActionInfo, hasWildcard } from '../../aws/action-catalog';
import { Grant, Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { adminForm } from './private/admin';
import { expandPattern, sample } from './private/effective-permissions';
import { actionReach, catalogedDangerous, destructiveActions, isPermissionsManagement } from './private/grant-effect';
import { awsAllowStatements, grantFinding, grantOrigin } from './private/grant-findings';
import { StatementCreates } from './private/create-lifecycle';
import { AS_AWS_DESIGNED, AWS_DESIGNED_EXPLANATION, grantHeldAsAwsDesigned } from './private/aws-designed';

/**
 * AWS-002: wildcard action patterns (`s3:*`, `iam:*Policy*`, `iam:Put*`, `?`, any case) are
 * expanded against the AWS action list and judged by what they reach, on which resources: an
 * error when the expansion reaches permissions management, a guardrail-tamper or one-step
 * escalation action, or destructive actions (policies/catalogs/aws-destructive.json) on every
 * resource of a type (other writes on `*` are AWS-003's, and so is the delete of what the statement itself
 * creates: RULES.md AWS-003 "Creating resources"); a warning when the only permission
 * changes it reaches are on resources below a named one (`s3:PutObjectAcl` under `bucket/*`);
 * nothing for read/list families or writes within named resources (what `grantRead()` and
 * `grantReadWrite()` emit). An Allow with `NotAction`/`NotResource` is always an error. A baseline
 * with `aws.wildcards: strict` reports every wildcard pattern (IAM5-like). One finding per
 * statement, naming every pattern it holds and its NotAction / NotResource; admin statements are AWS-001's.
 */
export const SERVICE_WILDCARDS: Rule = {
  id: 'AWS-002',
  cloud: 'aws',
  severity: 'error',
  reason: 'A wildcard action pattern reaches permission changes, guardrail tampering or deletes on every resource, or an Allow uses NotAction / NotResource.',
  explanation: 'A wildcard pattern grants every action that matches it today and every action AWS adds tomorrow, and IAM matches '
    + 'patterns case-insensitively with `?` as any one character. This rule expands each pattern against the AWS action list and '
    + 'judges what it reaches, on the statement\'s resources: `s3:GetObject*` or `kms:GenerateDataKey*` on one bucket or key is '
    + 'least privilege (what CDK\'s grant methods emit), `s3:*` on a bucket reaches PutBucketPolicy, `events:Put*` on "*" reaches '
    + 'PutPermission on every bus and `lex:*` on "*" deletes every bot (the destructive list is policies/catalogs/aws-destructive.json). Permission changes confined to objects below a named resource (`s3:PutObjectAcl` through '
    + '`s3:PutObject*` on `bucket/*`) are a warning. A pattern over the create and the delete of the type the statement itself creates '
    + '(`ec2:*InstanceConnectEndpoint` on `instance-connect-endpoint/*`) is judged as AWS-003 judges creating resources: a warning there, '
    + 'unless the type holds data. An Allow with `NotAction` or `NotResource` grants everything not listed. A '
    + 'baseline with `"aws": { "wildcards": "strict" }` reports every wildcard pattern, as cdk-nag\'s IAM5 does. Permissions '
    + 'boundaries are ceilings, not grants, and are not checked here.' + AWS_DESIGNED_EXPLANATION,
  fix: 'List the exact actions the identity needs (the message names what the pattern reaches that it should not); replace '
    + 'NotAction/NotResource with Action/Resource lists.',
  controls: ['AwsSolutions-IAM5', 'Cloudsplaining ServiceWildcard', 'Parliament', 'CKV_AWS_63'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const strict = context.baseline.strictWildcards;
    const findings: RawFinding[] = [];
    for (const grant of awsAllowStatements(inventory)) {
      if (adminForm(grant)) continue;
      // Most statements hold neither a wildcard nor NotAction/NotResource: nothing to judge or describe.
      const patterns = grant.actions.filter(hasWildcard);
      if (patterns.length === 0 && !grant.notActions && !grant.notResources) continue;
      const creates = new StatementCreates(grant);
      const memo = judgementsOf(grant);
      const judged = patterns.map((pattern) => {
        if (!memo) return judgePattern(grant, pattern, strict, creates);
        const key = `${strict ? 's' : '-'}${grant.notResources ? 'n' : 'r'}${pattern}`;
        let hit = memo.get(key);
        if (!hit) memo.set(key, hit = judgePattern(grant, pattern, strict, creates));
        return hit;
      });
      const errors = judged.filter((j) => j.severity === 'error');
      const flagged = errors.length > 0 ? errors : judged.filter((j) => j.severity === 'warning');
      // One finding per statement: the patterns, NotAction and NotResource are parts of it.
      const parts: { detail: string; message: string; fix: string; error: boolean }[] = [];
      if (flagged.length > 0) {
        parts.push({ detail: flagged.map((j) => j.pattern).join(','), error: errors.length > 0,
          message: `grants ${flagged.map((j) => `${JSON.stringify(j.pattern)} (${j.why})`).join('; ')}.`,
          fix: `Replace ${flagged.map((j) => JSON.stringify(j.pattern)).join(', ')} with the exact actions needed.` });
      }
      if (grant.notActions) {
        parts.push({ detail: 'NotAction', error: true, message: `allows every action except ${JSON.stringify(grant.notActions)} (Allow with NotAction).`,
          fix: 'Replace NotAction with an Action list of exactly what is needed.' });
      }
      if (grant.notResources) {
        parts.push({ detail: 'NotResource', error: true,
          message: `allows ${grant.actions.length ? grant.actions.join(', ') : 'its actions'} on every resource except ${JSON.stringify(grant.notResources)} (Allow with NotResource).`,
          fix: 'Replace NotResource with a Resource list of the ARNs needed.' });
      }
      if (parts.length > 0) {
        const error = parts.some((p) => p.error);
        const message = [`${grantOrigin(grant)} ${parts[0].message}`, ...parts.slice(1).map((p) => (p.error || !error ? `It also ${p.message}` : `It also ${p.message.replace(/\.$/, '')} (a warning on its own).`))].join(' ');
        const asDesigned = error && grantHeldAsAwsDesigned(grant, inventory);
        findings.push(grantFinding(grant, parts.map((p) => p.detail).join(','), asDesigned ? message.replace(/\.$/, `${AS_AWS_DESIGNED}.`) : message,
          parts.map((p) => p.fix).join(' '), error && !asDesigned ? undefined : 'warning'));
      }
    }
    return findings;
  },
};

/**
 * The judgements of a grant's patterns, shared by every grant with the same actions, resources (or NotResource) and
 * condition objects: what `judgePattern` reads. The grants of one policy statement share them by reference across every
 * role the policy is attached to (an AWS-managed policy on thousands of SAM functions): judged once, not once per role.
 * Undefined for a condition that is not an object (judged each time). Weak tables: they live as long as the input.
 */
function judgementsOf(grant: Grant): Map<string, Judgement> | undefined {
  const condition = grant.condition === undefined ? NO_CONDITION : grant.condition;
  if (typeof condition !== 'object' || condition === null) return undefined;
  const scope = grant.notResources ?? grant.resources;
  let byScope = JUDGED.get(grant.actions);
  if (!byScope) JUDGED.set(grant.actions, byScope = new WeakMap());
  let byCondition = byScope.get(scope);
  if (!byCondition) byScope.set(scope, byCondition = new WeakMap());
  let out = byCondition.get(condition);
  if (!out) byCondition.set(condition, out = new Map());
  return out;
}

const NO_CONDITION = {};
const JUDGED = new WeakMap<readonly string[], WeakMap<readonly string[], WeakMap<object, Map<string, Judgement>>>>();

interface Judgement {
  readonly pattern: string;
  readonly severity?: 'error' | 'warning';
  readonly why: string;
}

/** What one wildcard pattern of a grant reaches, and whether that is an error, a warning or fine. */
function judgePattern(grant: Grant, pattern: string, strict: boolean, creates: StatementCreates): Judgement {
  const matched = expandPattern(pattern);
  if (matched.length === 0) {
    return { pattern, severity: 'warning', why: 'matches no action today, and will match any AWS adds later that fits' };
  }
  if (strict) return { pattern, severity: 'error', why: `matches ${matched.length} action(s): ${sample(matched)}` };
  const dangerous = catalogedDangerous();
  const destructive = destructiveActions();
  const permissions: AwsActionInfo[] = [];
  const confinedPermissions: AwsActionInfo[] = [];
  const tamper: AwsActionInfo[] = [];
  const wideWrites: AwsActionInfo[] = [];
  for (const info of matched) {
    const reach = actionReach(grant, info);
    if (reach.reach === 'none') continue;
    if (dangerous.has(info.action.toLowerCase())) tamper.push(info);
    else if (isPermissionsManagement(info)) {
      // A permission change on a resource the statement names exactly, on every one, or on the account (no resource type)
      // opens it; below a named one it is confined.
      if (reach.reach === 'wide' || reach.exactResources.length > 0 || info.resourceTypes.length === 0) permissions.push(info);
      else confinedPermissions.push(info);
    } else if (reach.reach === 'wide' && destructive.has(info.action.toLowerCase())
      // The delete or change of what the statement itself creates (`ec2:*InstanceConnectEndpoint` on the type it creates) is
      // AWS-003's create-lifecycle warning, unless the type holds data.
      && creates.judge(info, reach.wideResources) === undefined) wideWrites.push(info);
  }
  const reasons: string[] = [];
  if (tamper.length) reasons.push(`guardrail tampering or escalation: ${sample(tamper)}`);
  if (permissions.length) reasons.push(`permission changes: ${sample(permissions)}`);
  if (wideWrites.length) reasons.push(`deletes or destructive changes on every resource of their type: ${sample(wideWrites)}`);
  if (reasons.length) return { pattern, severity: 'error', why: `reaches ${reasons.join('; ')}` };
  if (confinedPermissions.length) return { pattern, severity: 'warning', why: `reaches permission changes on what it names: ${sample(confinedPermissions)}` };
  return { pattern, why: 'reads, lists or writes within named resources' };
}
