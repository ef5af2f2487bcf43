import { Grant } from '../../../inventory/inventory';

/**
 * The roles aws-cdk-lib creates for its own singleton helpers, recognised by the construct id CDK
 * gives them (a fixed id with a UUID, at the stack root: `<Stack>/LogRetentionaae0…/ServiceRole`),
 * with the grants CDK writes for them on `"*"` (where no resource name can be known at synth):
 *
 * - LogRetention (aws-logs `LogRetention`, used by `logRetention` props): logs:PutRetentionPolicy and
 *   logs:DeleteRetentionPolicy, to set the retention of log groups the service creates later.
 * - BucketNotifications handler (aws-s3 notifications): s3:PutBucketNotification, for imported buckets.
 *
 * Only these actions, on `"*"`, in the helper's own policy pass: anything else in that role is judged
 * like any role, so naming a construct like a helper hides nothing but the helper's standard grant.
 */
const HELPERS: { readonly id: RegExp; readonly actions: ReadonlySet<string> }[] = [
  { id: /^[^/]+\/LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a\/ServiceRole\//, actions: new Set(['logs:putretentionpolicy', 'logs:deleteretentionpolicy']) },
  { id: /^[^/]+\/BucketNotificationsHandler050a0587b7544547bf325f094a3db834\/Role\//, actions: new Set(['s3:putbucketnotification']) },
];

/** Whether `action` on `"*"` in this grant is a CDK helper role's standard grant. */
export function isCdkHelperStandardGrant(grant: Grant, action: string): boolean {
  const path = grant.source.path;
  if (path === undefined || grant.via !== 'inline-policy' || (grant.resources.length !== 1 || grant.resources[0] !== '*') || grant.condition !== undefined) return false;
  return HELPERS.some((h) => h.id.test(path) && h.actions.has(action.toLowerCase()));
}
