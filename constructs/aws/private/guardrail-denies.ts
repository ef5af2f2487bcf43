import * as iam from 'aws-cdk-lib/aws-iam';
import { awsActions, wildcardGlob } from '../../../lib/aws/action-catalog';
import { TAG_KEYS } from '../../../lib/model/tags';

/**
 * Services whose write actions are privilege escalation for an agent: IAM identities and policies,
 * the organization, and IAM Identity Center (permission sets, account assignments, its users/groups).
 */
export const ESCALATION_SERVICES = ['iam', 'organizations', 'sso', 'identitystore'];
/** Read-only access levels: everything else changes state. */
const READ_LEVELS = new Set(['List', 'Read']);

/**
 * `service:Verb*` patterns covering every write, permissions-management and tagging action of the
 * escalation services (Create*, Put*, Attach*, Detach*, Delete*, Update*, Tag*, …), derived from the
 * AWS action list so that a verb is never forgotten. Verb wildcards keep the boundary small and also
 * cover actions AWS adds later under the same verbs. `iam:PassRole` is handled on its own.
 */
export function escalationDenyPatterns(): string[] {
  const patterns = new Set<string>();
  for (const service of ESCALATION_SERVICES) {
    for (const info of awsActions().actionsOf(service)?.values() ?? []) {
      if (READ_LEVELS.has(info.accessLevel) || info.action === 'iam:PassRole') continue;
      const verb = info.action.split(':')[1].match(/^[A-Z][a-z]+/)?.[0] ?? info.action.split(':')[1];
      patterns.add(`${service}:${verb}*`);
    }
  }
  return [...patterns].sort();
}

/** Services of the guardrails' runtime resources (the activity monitor): any action on them is tamper. */
export const GUARDRAIL_RUNTIME_SERVICES = ['events', 'lambda', 'sns', 'sqs', 'dynamodb', 'cloudwatch'];

/** Name prefix of every runtime resource the guardrails create (monitor rule, function, topic, queue, table, alarms). */
export const GUARDRAIL_RESOURCE_PREFIX = 'agent-guardrails-';

/**
 * ARN patterns of the guardrails' runtime resources in one account: whatever creates them names
 * them `agent-guardrails-…`, so the boundary denies tampering with them even before they exist
 * (disabling the monitor's rule, changing or throttling its function, deleting its topic,
 * unsubscribing, purging its queue, silencing its alarms).
 */
export function guardrailRuntimeArns(partition: string, account: string): string[] {
  const p = GUARDRAIL_RESOURCE_PREFIX;
  return [
    `arn:${partition}:events:*:${account}:rule/${p}*`,
    `arn:${partition}:lambda:*:${account}:function:${p}*`,
    `arn:${partition}:sns:*:${account}:${p}*`,
    `arn:${partition}:sqs:*:${account}:${p}*`,
    `arn:${partition}:dynamodb:*:${account}:table/${p}*`,
    `arn:${partition}:cloudwatch:*:${account}:alarm:${p}*`,
  ];
}

/** Actions that blind the audit trail. */
export const AUDIT_TAMPER_ACTIONS = [
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'cloudtrail:UpdateTrail',
  'cloudtrail:PutEventSelectors',
  'cloudtrail:PutInsightSelectors',
  'cloudtrail:DeleteEventDataStore',
  'cloudtrail:UpdateEventDataStore',
  'cloudtrail:StopEventDataStoreIngestion',
  'logs:DeleteLogGroup',
  'logs:DeleteLogStream',
  'logs:PutRetentionPolicy',
  'logs:DeleteRetentionPolicy',
  'logs:DisassociateKmsKey',
];

/**
 * Global services, exempt from the region deny: their requests carry `us-east-1` (or no region)
 * whatever the environment's regions are.
 */
export const GLOBAL_SERVICE_ACTIONS = [
  'iam:*', 'sts:*', 'organizations:*', 'support:*', 'cloudfront:*', 'route53:*', 'route53domains:*',
  'globalaccelerator:*', 'waf:*', 'budgets:*', 'ce:*', 'health:*', 'trustedadvisor:*', 'account:*',
];

/** What the guardrail denies need to know about the agent. */
export interface GuardrailDenyProps {
  readonly environmentName: string;
  readonly regions: string[];
  /** ARNs of the guardrails' own policies: the boundary itself and the kill switch. */
  readonly protectedPolicyArns: string[];
  /** `arn:<partition>:iam::<account>:policy/agent-guardrails/*`: every guardrail policy of the account. */
  readonly guardrailPolicyPathArn: string;
  /** `arn:<partition>:ssm:*:<account>:parameter/agent-guardrails/*`: kill-switch flags and broker settings. */
  readonly guardrailParameterArn: string;
  /**
   * ARN patterns of the guardrails' runtime resources, all named `agent-guardrails-*`: the activity
   * monitor's rule, function, topic, queue, table and alarms (see `guardrailRuntimeArns`).
   */
  readonly guardrailRuntimeArns: string[];
  /** Role ARNs some tool declared for `iam:PassRole`; every other PassRole is denied. */
  readonly passableRoleArns: string[];
  /** Role ARNs some tool declared for `sts:AssumeRole`; every other AssumeRole is denied. */
  readonly assumableRoleArns: string[];
  /** Actions the baseline forbids for every agent. */
  readonly forbiddenActions: string[];
  /** The ARN partition (`aws`, `aws-cn`, `aws-us-gov`), for the AWS-owned resource exceptions. */
  readonly partition: string;
  /**
   * Accounts whose resources the agent may reach: the environment's own account, and only that one
   * unless a typed cross-account opt-in adds another (a resource of any other account is denied).
   */
  readonly resourceAccounts: string[];
}

/**
 * Reads of AWS managed policies, which live in an AWS-owned account: AWS's documented exception to a
 * `aws:ResourceAccount` deny ("Deny access to resources outside your account except AWS managed IAM
 * policies", https://docs.aws.amazon.com/IAM/latest/UserGuide/resource_examples_iam_policies_resource_account.html).
 */
export const AWS_MANAGED_POLICY_READS = ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListEntitiesForPolicy', 'iam:ListPolicies'];

/**
 * Service-owned resources that AWS documents as needed for ordinary work (public SSM documents and
 * parameters, AWS managed policies, Image Builder components and images, managed prefix lists,
 * CloudFormation transforms): the fixed-ARN rows of AWS's data-perimeter list of service-owned
 * resources (https://github.com/aws-samples/data-perimeter-policy-examples/blob/main/service_owned_resources.md,
 * as used by its `resource_perimeter_scp.json`). Rows that need a per-region service account id are
 * left out: they stay denied unless an opt-in names that account.
 */
export function awsOwnedResourceArns(partition: string): string[] {
  return [
    `arn:${partition}:iam::aws:policy/*`,
    `arn:${partition}:ssm:*::document/*`,
    `arn:${partition}:ssm:*::parameter/*`,
    `arn:${partition}:ssm:*::automation-definition/*`,
    `arn:${partition}:imagebuilder:*:aws:component/*`,
    `arn:${partition}:imagebuilder:*:aws:image/*`,
    `arn:${partition}:ec2:*:aws:prefix-list/*`,
    `arn:${partition}:cloudformation:*:aws:transform/*`,
  ];
}

/**
 * The explicit denies of an agent's permissions boundary. A Deny in a boundary wins over any Allow
 * in the role's policies, so even a role widened to `*` on `*` cannot escalate, tamper with the
 * guardrails or reach another environment.
 */
export function guardrailDenyStatements(props: GuardrailDenyProps): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({ sid: 'DenyPrivilegeEscalation', effect: iam.Effect.DENY, actions: escalationDenyPatterns(), resources: ['*'] }),
    denyExcept('DenyPassRoleUndeclared', 'iam:PassRole', props.passableRoleArns),
    denyExcept('DenyAssumeRoleUndeclared', 'sts:AssumeRole', props.assumableRoleArns),
    new iam.PolicyStatement({
      sid: 'DenyGuardrailPolicyTamper', effect: iam.Effect.DENY, actions: ['iam:*'],
      resources: [...props.protectedPolicyArns, props.guardrailPolicyPathArn],
    }),
    new iam.PolicyStatement({ sid: 'DenyGuardrailParameterTamper', effect: iam.Effect.DENY, actions: ['ssm:*'], resources: [props.guardrailParameterArn] }),
    new iam.PolicyStatement({ sid: 'DenyGuardrailRuntimeTamper', effect: iam.Effect.DENY, actions: GUARDRAIL_RUNTIME_SERVICES.map((s) => `${s}:*`), resources: props.guardrailRuntimeArns }),
    new iam.PolicyStatement({ sid: 'DenyAuditTamper', effect: iam.Effect.DENY, actions: AUDIT_TAMPER_ACTIONS, resources: ['*'] }),
    // Deny only when the tag is present and differs: untagged resources and services without tag
    // support are limited by the role's declared ARNs instead (Null false = the key exists).
    new iam.PolicyStatement({
      sid: 'DenyOtherEnvironmentResources', effect: iam.Effect.DENY, actions: ['*'], resources: ['*'],
      conditions: {
        StringNotEquals: { [`aws:ResourceTag/${TAG_KEYS.environment}`]: props.environmentName },
        Null: { [`aws:ResourceTag/${TAG_KEYS.environment}`]: 'false' },
      },
    }),
    new iam.PolicyStatement({
      sid: 'DenyOtherEnvironmentTags', effect: iam.Effect.DENY, actions: ['*'], resources: ['*'],
      conditions: {
        StringNotEquals: { [`aws:RequestTag/${TAG_KEYS.environment}`]: props.environmentName },
        Null: { [`aws:RequestTag/${TAG_KEYS.environment}`]: 'false' },
      },
    }),
    otherAccountResourcesDeny(props),
    new iam.PolicyStatement({
      sid: 'DenyOtherRegions', effect: iam.Effect.DENY, notActions: GLOBAL_SERVICE_ACTIONS, resources: ['*'],
      conditions: { StringNotEquals: { 'aws:RequestedRegion': props.regions } },
    }),
  ];
  if (props.forbiddenActions.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'DenyBaselineForbidden', effect: iam.Effect.DENY, actions: props.forbiddenActions, resources: ['*'] }));
  }
  return statements;
}

/**
 * Deny every request on a resource of another account (`aws:ResourceAccount`), so that a wildcard in
 * a declared ARN (`arn:aws:s3:::prod-*`, a `*` ceiling) or a widened role never reaches a look-alike
 * resource someone else owns. Following AWS's documented pattern and its exceptions:
 * - the key is compared only when present (`Null: false`): a few actions carry no resource account
 *   (EBS direct APIs, `ec2:CopyImage`/`CopySnapshot`/`CreateVolume`, `events:PutEvents`, …; see
 *   "aws:ResourceAccount — Availability" in
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount),
 *   and those stay limited by the ceiling's declared ARNs instead of being broken everywhere;
 * - reads of AWS managed policies (NotAction, from the IAM user guide's example) and the fixed
 *   service-owned resources (NotResource, from AWS's data-perimeter examples) stay reachable;
 * - Amazon-owned AMIs stay usable (`ec2:Owner` = `amazon`, as in the data-perimeter SCP).
 * A call a service makes on the tool's behalf (forward access sessions, e.g. S3 to KMS) is judged on
 * the resource it touches, so another account's KMS key is denied too; the opt-in covers such a case.
 */
function otherAccountResourcesDeny(props: GuardrailDenyProps): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyOtherAccountResources',
    effect: iam.Effect.DENY,
    notActions: AWS_MANAGED_POLICY_READS,
    notResources: awsOwnedResourceArns(props.partition),
    conditions: {
      StringNotEquals: { 'aws:ResourceAccount': props.resourceAccounts },
      Null: { 'aws:ResourceAccount': 'false' },
      StringNotEqualsIfExists: { 'ec2:Owner': 'amazon' },
    },
  });
}

/** Deny `action` on everything but `allowed` (on everything when nothing is declared). */
function denyExcept(sid: string, action: string, allowed: string[]): iam.PolicyStatement {
  return allowed.length === 0
    ? new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions: [action], resources: ['*'] })
    : new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, actions: [action], notResources: allowed });
}

/**
 * The declared actions the boundary's fixed denies would block: such a tool could never work, and
 * declaring an escalation or tamper action is a mistake worth a clear error rather than a silent deny.
 */
export function actionsDeniedByBoundary(actions: readonly string[]): string[] {
  const patterns = [...escalationDenyPatterns(), ...AUDIT_TAMPER_ACTIONS].map((p) => wildcardGlob(p));
  return actions.filter((a) => patterns.some((p) => p.test(a)));
}
