import { Grant, Identity, Inventory, OtherResource } from '../../../inventory/inventory';

/**
 * The roles aws-cdk-lib creates for its own singleton helpers, with the grants CDK writes for them
 * on `"*"` (where no resource name can be known at synth):
 *
 * - LogRetention (aws-logs `LogRetention`, used by `logRetention` props): logs:PutRetentionPolicy and
 *   logs:DeleteRetentionPolicy, to set the retention of log groups the service creates later.
 * - BucketNotifications handler (aws-s3 notifications): s3:PutBucketNotification, for imported buckets.
 * - BucketDeployment handler (aws-s3-deployment, given a `distribution`): cloudfront:CreateInvalidation
 *   and cloudfront:GetInvalidation (CDK writes them on `"*"`; an invalidation only empties caches).
 * - CrossRegionStringParameterReader (cloudfront.experimental.EdgeFunction outside us-east-1, a core
 *   `CustomResourceProvider`): ssm:GetParameter on `parameter/cdk/EdgeFunctionArn/*` in us-east-1 of
 *   the stack's account, the namespace CDK's own edge stack writes the function's version ARN to (a
 *   String parameter; the reader cannot know the name until the edge stack is deployed).
 *
 * A role is the helper's only by the whole shape CDK emits, never by a name alone: the helper's
 * construct id (`<Stack>/LogRetentionaae0…/ServiceRole`), a trust of Lambda only, and a Lambda
 * function at the helper's own path that runs as the role and serves the helper's custom-resource
 * type in the same stack (a core provider's: `<Type>CustomResourceProvider/Role` and `/Handler`).
 * Only the standard actions, on `"*"` (or the helper's own resource), without condition, in a policy
 * attached to that role alone pass: anything else in the role is judged like any role, so a role
 * made to look like a helper hides nothing but the helper's standard grant.
 */
interface CdkHelper {
  /** The singleton's construct id, directly under the stack (BucketDeployment's takes a suffix per memory size / VPC). */
  readonly id: string;
  readonly idTakesSuffix?: boolean;
  /** The role's construct id under the singleton. */
  readonly role: string;
  /** The custom-resource type the helper's function serves. */
  readonly serves: string;
  /** Standard actions, lower case. */
  readonly actions: ReadonlySet<string>;
  /** The one resource CDK writes them on, when not `"*"`. */
  readonly resource?: RegExp;
  /** A core `CustomResourceProvider` (role `<id>/Role`, function `<id>/Handler`) rather than a singleton function (`<id>/Resource`). */
  readonly coreProvider?: true;
}

const HELPERS: readonly CdkHelper[] = [
  { id: 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a', role: 'ServiceRole', serves: 'Custom::LogRetention', actions: new Set(['logs:putretentionpolicy', 'logs:deleteretentionpolicy']) },
  { id: 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834', role: 'Role', serves: 'Custom::S3BucketNotifications', actions: new Set(['s3:putbucketnotification']) },
  { id: 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C', idTakesSuffix: true, role: 'ServiceRole', serves: 'Custom::CDKBucketDeployment', actions: new Set(['cloudfront:createinvalidation', 'cloudfront:getinvalidation']) },
  { id: 'Custom::CrossRegionStringParameterReaderCustomResourceProvider', role: 'Role', coreProvider: true, serves: 'Custom::CrossRegionStringParameterReader', actions: new Set(['ssm:getparameter']),
    resource: /^arn:(?:aws|\$\{AWS::Partition\}):ssm:us-east-1:(?:\d{12}|\$\{AWS::AccountId\}):parameter\/cdk\/EdgeFunctionArn\/\*$/ },
];

const RECOGNISED = new WeakMap<Inventory, Map<string, CdkHelper | undefined>>();

/** Whether `action` in this grant is a CDK helper role's standard grant, on `"*"` or on the helper's own resource. */
export function isCdkHelperStandardGrant(grant: Grant, action: string, inventory: Inventory): boolean {
  if (grant.via !== 'inline-policy' || grant.resources.length !== 1 || grant.condition !== undefined || grant.notActions) return false;
  const policy = grant.policyId === undefined ? undefined : byId(inventory.policies, inventory).get(grant.policyId);
  const roleId = grant.identityId;
  if (roleId === undefined || (policy && (policy.attachedTo.length !== 1 || policy.attachedTo[0] !== roleId))) return false;
  const helper = helperOf(roleId, inventory);
  if (!helper?.actions.has(action.toLowerCase())) return false;
  return helper.resource ? helper.resource.test(grant.resources[0]) : grant.resources[0] === '*';
}

/** The helper a role is, by the shape CDK emits, memoized per inventory. */
function helperOf(roleId: string, inventory: Inventory): CdkHelper | undefined {
  let known = RECOGNISED.get(inventory);
  if (!known) RECOGNISED.set(inventory, (known = new Map()));
  if (!known.has(roleId)) {
    const role = byId(inventory.identities, inventory).get(roleId);
    known.set(roleId, role ? HELPERS.find((h) => hasHelperShape(role, h, inventory)) : undefined);
  }
  return known.get(roleId);
}

function hasHelperShape(role: Identity, helper: CdkHelper, inventory: Inventory): boolean {
  const parts = role.source.path?.split('/') ?? [];
  if (helper.coreProvider) parts.push('Resource'); // a core provider's role is a CfnResource: `<id>/Role`, no `/Resource`
  if (role.kind !== 'aws-iam-role' || parts.length < 4 || parts[parts.length - 1] !== 'Resource' || parts[parts.length - 2] !== helper.role) return false;
  const singleton = parts[parts.length - 3];
  if (!(singleton === helper.id || (helper.idTakesSuffix && singleton.startsWith(helper.id) && /^[A-Za-z0-9]*$/.test(singleton.slice(helper.id.length))))) return false;
  const stackPath = parts.slice(0, -3).join('/');
  if (!trustsLambdaOnly(role)) return false;
  const stack = role.source.stack;
  const roleName = role.name ?? role.source.resource;
  const inStack = (o: OtherResource) => o.cloud === 'aws' && o.source.stack === stack && o.source.file === role.source.file;
  const fnPath = `${stackPath}/${singleton}/${helper.coreProvider ? 'Handler' : 'Resource'}`;
  const fn = inventory.others.find((o) => inStack(o) && o.type === 'AWS::Lambda::Function' && o.source.path === fnPath);
  const runsAs = fn?.properties.Role;
  if (!fn || typeof runsAs !== 'string' || !(runsAs.endsWith(`:role/${roleName}`) || runsAs === `\${${role.source.resource}.Arn}`)) return false;
  const token = `\${${fn.source.resource}.Arn}`;
  return inventory.others.some((o) => inStack(o) && o.type === helper.serves && o.properties.ServiceToken === token);
}

/** A trust policy whose every Allow names the Lambda service only. */
function trustsLambdaOnly(role: Identity): boolean {
  const allows = role.trust.filter((t) => t.effect === 'Allow');
  return allows.length > 0 && allows.every((t) => !t.notPrincipal && t.principals.length > 0
    && t.principals.every((p, i) => t.principalKinds[i] === 'Service' && p === 'lambda.amazonaws.com'));
}

/**
 * Policies or identities of an inventory by id (the first of an id, as `find` gives), built once per
 * list: the rules ask per grant and action, and a scan each time is quadratic in roles.
 */
function byId<T extends { readonly id: string }>(list: readonly T[], inventory: Inventory): ReadonlyMap<string, T> {
  let perList = BY_ID.get(inventory);
  if (!perList) BY_ID.set(inventory, (perList = new Map()));
  let index = perList.get(list) as Map<string, T> | undefined;
  if (!index) {
    index = new Map();
    for (const item of list) if (!index.has(item.id)) index.set(item.id, item);
    perList.set(list, index);
  }
  return index;
}

const BY_ID = new WeakMap<Inventory, Map<readonly unknown[], ReadonlyMap<string, unknown>>>();
