import { narrowingEntries } from '../../aws/condition-narrowing';
import { Inventory, OtherResource } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { documentOf, isRecord, otherLocation, statementsOf, stringsOf } from './private/resource-documents';

/** Resource types whose policy property can open the resource to other accounts, and that property. */
const POLICY_PROPERTY: ReadonlyMap<string, string> = new Map([
  ['AWS::S3::BucketPolicy', 'PolicyDocument'],
  ['AWS::S3::AccessPoint', 'Policy'],
  ['AWS::KMS::Key', 'KeyPolicy'],
  ['AWS::KMS::ReplicaKey', 'KeyPolicy'],
  ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
  ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
  ['AWS::SecretsManager::ResourcePolicy', 'ResourcePolicy'],
  ['AWS::ECR::Repository', 'RepositoryPolicyText'],
  ['AWS::DynamoDB::Table', 'ResourcePolicy'],
  ['AWS::Kinesis::ResourcePolicy', 'ResourcePolicy'],
  ['AWS::Events::EventBus', 'Policy'],
  ['AWS::Events::EventBusPolicy', 'Statement'],
  ['AWS::Logs::ResourcePolicy', 'PolicyDocument'],
  ['AWS::Backup::BackupVault', 'AccessPolicy'],
]);

/**
 * Keys of resource policies that also pin where a call comes from, beyond the shared table's
 * principal keys (lib/aws/condition-narrowing.ts): read with the same operator rules, exact values only.
 * `s3:DataAccessPointAccount`/`Arn` delegate the bucket to access points of one account, whose own
 * policies (AWS::S3::AccessPoint, checked here too) decide who gets in: AWS's documented pattern
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html, "Delegating access control to access points").
 */
const ROUTE_KEYS = new Set(['aws:sourcevpce', 'aws:sourcevpc', 'aws:sourceowner', 'kms:calleraccount', 'aws:userid', 's3:dataaccesspointaccount', 's3:dataaccesspointarn']);

/** AWS-016: resource policies (buckets, keys, topics, queues, secrets, repositories, tables, streams, event buses, log and backup policies, functions) that let anyone in. */
export const PUBLIC_RESOURCE_POLICIES: Rule = {
  id: 'AWS-016',
  cloud: 'aws',
  severity: 'error',
  reason: 'A resource policy lets any AWS principal in (Principal "*" without a condition naming the caller).',
  explanation: 'A bucket, key, topic, queue, secret, repository, table, stream, event bus, backup vault, CloudWatch Logs resource policy or function whose resource policy allows Principal "*" (or '
    + '{"AWS": "*"}, or NotPrincipal) is open to every AWS account, and for some services to anonymous callers: it is how an agent\'s '
    + 'data leaks, whatever its own role allows. A condition counts only when it names the caller with exact values '
    + '(aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, aws:SourceAccount, aws:SourceVpce, kms:CallerAccount, …); an '
    + '`...IfExists` or `ForAllValues:` operator, or a value of only wildcards, does not.',
  fix: 'Name the principals (account or role ARNs), or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn '
    + 'or aws:SourceAccount with exact values.',
  controls: ['CKV_AWS_70', 'CKV_AWS_33', 'CKV_AWS_168', 'CKV_AWS_283', 'CKV_AWS_301'],
  evaluate(inventory: Inventory): RawFinding[] {
    const out: RawFinding[] = [];
    for (const r of inventory.others) {
      if (r.cloud !== 'aws') continue;
      if (r.type === 'AWS::Lambda::Permission' || r.type === 'AWS::Lambda::LayerVersionPermission') {
        const finding = publicPermission(r);
        if (finding) out.push(finding);
        continue;
      }
      const property = POLICY_PROPERTY.get(r.type);
      if (!property) continue;
      statementsOf(policyOf(r, property)).forEach((s, i) => {
        const who = openPrincipal(s);
        if (!who || s.Effect !== 'Allow' || narrows(s.Condition)) return;
        out.push({
          ...otherLocation(r), detail: `${r.type.split('::')[1].toLowerCase()}-public`,
          message: `${r.source.resource} (${r.type}) ${property} statement ${i} allows ${who} ${describeActions(s)} without a condition naming the caller.`,
          fix: 'Name the principals, or add a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn or aws:SourceAccount with exact values.',
        });
      });
    }
    return out;
  },
};

function publicPermission(r: OtherResource): RawFinding | undefined {
  const p = r.properties;
  if (r.type === 'AWS::Lambda::LayerVersionPermission') {
    if (p.Principal !== '*' || (typeof p.OrganizationId === 'string' && p.OrganizationId !== '')) return undefined;
    return {
      ...otherLocation(r), detail: 'layer-public',
      message: `${r.source.resource} (AWS::Lambda::LayerVersionPermission) lets every AWS account use the layer (Principal "*", no OrganizationId).`,
      fix: 'Name the account, or set OrganizationId.',
    };
  }
  if (p.Principal !== '*') return undefined;
  const scoped = ['SourceArn', 'SourceAccount', 'PrincipalOrgID'].some((k) => typeof p[k] === 'string' && !/^[*?]*$/.test(p[k] as string));
  if (scoped) return undefined;
  return {
    ...otherLocation(r), detail: 'lambda-public',
    message: `${r.source.resource} (AWS::Lambda::Permission) lets any principal call ${typeof p.Action === 'string' ? p.Action : 'the function'} (Principal "*", no SourceArn, SourceAccount or PrincipalOrgID).`,
    fix: 'Name the calling service or account, and set SourceArn or SourceAccount (or PrincipalOrgID).',
  };
}

/**
 * The policy document a resource holds under `property`: a DynamoDB table's is nested (`ResourcePolicy.PolicyDocument`);
 * an EventBridge bus policy holds one statement (`Statement`), or, in its older form, one grant as properties
 * (`Principal`, `Action`, `Condition` as `{Type, Key, Value}`).
 */
function policyOf(r: OtherResource, property: string): Record<string, unknown> | undefined {
  const p = r.properties;
  if (r.type === 'AWS::Events::EventBusPolicy') {
    const one = documentOf(p.Statement);
    if (one) return { Statement: [one] };
    if (p.Principal === undefined) return undefined;
    const c = isRecord(p.Condition) ? p.Condition : undefined;
    const condition = c && typeof c.Type === 'string' && typeof c.Key === 'string' ? { [c.Type]: { [c.Key]: c.Value } } : undefined;
    return { Statement: [{ Effect: 'Allow', Principal: p.Principal === '*' ? '*' : { AWS: p.Principal }, Action: p.Action, ...(condition ? { Condition: condition } : {}) }] };
  }
  const doc = documentOf(p[property]);
  return doc && doc.Statement === undefined && doc.PolicyDocument !== undefined ? documentOf(doc.PolicyDocument) : doc;
}

/** How a statement opens the resource to everyone (`Principal "*"`, `{"AWS": "*"}`, NotPrincipal), or undefined. */
function openPrincipal(s: Record<string, unknown>): string | undefined {
  if (s.NotPrincipal !== undefined) return 'every principal but those in NotPrincipal';
  const p = s.Principal;
  if (p === '*') return 'Principal "*"';
  if (isRecord(p) && stringsOf(p.AWS).includes('*')) return 'Principal {"AWS": "*"}';
  return undefined;
}

function narrows(condition: unknown): boolean {
  if (!isRecord(condition)) return false;
  if (narrowingEntries(condition, 'principal').length > 0) return true;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isRecord(block) || /IfExists$/i.test(operator) || /^ForAllValues:/i.test(operator) || /^Null$/i.test(operator)) continue;
    for (const [key, values] of Object.entries(block)) {
      if (!ROUTE_KEYS.has(key.toLowerCase()) || /Not|^Null$|^Bool$/i.test(operator)) continue;
      const list = stringsOf(values);
      if (list.length > 0 && list.every((v) => !/[*?]/.test(v))) return true;
    }
  }
  return false;
}

function describeActions(s: Record<string, unknown>): string {
  const actions = stringsOf(s.Action);
  if (s.NotAction !== undefined) return 'every action but its NotAction';
  return actions.length === 0 ? 'no action' : actions.length <= 3 ? actions.join(', ') : `${actions.slice(0, 3).join(', ')} and ${actions.length - 3} more`;
}
