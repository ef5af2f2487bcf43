import { GCP_IMPERSONATION_PERMISSIONS } from '../../../lib/rules/gcp/private/gcp-role-knowledge';

/**
 * GCP permissions an agent tool identity may never hold directly: they let the holder grant itself
 * more (escalation) or weaken the guardrails (tamper). Rhino Security Labs' GCP escalation list and
 * the IAM permissions reference; the rules' catalog (GCP-006) is the complete version.
 */
const ESCALATION_PERMISSIONS = new Set([
  ...GCP_IMPERSONATION_PERMISSIONS,
  'iam.serviceAccounts.enable',
  'iam.serviceAccounts.undelete',
  'iam.serviceAccountKeys.upload',
  'iam.roles.create',
  'iam.roles.update',
  'iam.denypolicies.create',
  'iam.denypolicies.update',
  'iam.denypolicies.delete',
  'orgpolicy.policy.set',
  'deploymentmanager.deployments.create',
  'cloudfunctions.functions.create',
  'cloudfunctions.functions.update',
  'logging.sinks.delete',
  'logging.sinks.update',
  'logging.buckets.delete',
  'logging.buckets.update',
]);

/** Read verbs besides `get*` / `list*` (the same split as the checks' access classifier). */
const READ_VERBS = new Set(['access', 'read', 'search', 'query', 'lookup', 'view', 'check']);
/** Verbs that mint or borrow credentials: never "reading", whatever their name. */
const IDENTITY_VERBS = new Set(['getAccessToken', 'getOpenIdToken', 'signBlob', 'signJwt', 'actAs', 'implicitDelegation', 'getIamPolicy']);

export const PERMISSION_FORMAT = /^[a-z][a-zA-Z0-9]*\.[a-zA-Z0-9]+\.[a-zA-Z0-9]+$/;

/** Whether a permission can escalate or tamper (never for agent tool identities). */
export function isEscalationPermission(permission: string): boolean {
  return ESCALATION_PERMISSIONS.has(permission) || permission.endsWith('.setIamPolicy');
}

/**
 * Whether a permission only reads or lists (`get*`, `list*`, `access`, `search*`, …). Anything
 * else (`export`, `consume`, `createSnapshot`, …) is a change for a read tool, as the checks see it.
 */
export function isReadPermission(permission: string): boolean {
  const parts = permission.split('.');
  const verb = parts[parts.length - 1];
  if (parts.length < 3 || IDENTITY_VERBS.has(verb)) return false;
  return verb === 'get' || verb === 'list' || /^(get|list|search)[A-Z]/.test(verb) || READ_VERBS.has(verb);
}

/** actAs in the deny-policy form: denied in a rule of its own, which may except declared deploy tools. */
export const ACT_AS_DENY_PERMISSION = 'iam.googleapis.com/serviceAccounts.actAs';

/**
 * Escalation and tamper permissions the boundary denies to the agent's service accounts, in the
 * `SERVICE_FQDN/RESOURCE.VERB` form deny policies take (only permissions listed in
 * https://cloud.google.com/iam/docs/deny-permissions-support are accepted by the API).
 */
export const BOUNDARY_DENIED_PERMISSIONS: readonly string[] = [
  'iam.googleapis.com/serviceAccounts.actAs',
  'iam.googleapis.com/serviceAccounts.getAccessToken',
  'iam.googleapis.com/serviceAccounts.getOpenIdToken',
  'iam.googleapis.com/serviceAccounts.signBlob',
  'iam.googleapis.com/serviceAccounts.signJwt',
  'iam.googleapis.com/serviceAccounts.implicitDelegation',
  'iam.googleapis.com/serviceAccounts.setIamPolicy',
  'iam.googleapis.com/serviceAccounts.enable',
  'iam.googleapis.com/serviceAccounts.undelete',
  'iam.googleapis.com/serviceAccounts.create',
  'iam.googleapis.com/serviceAccounts.delete',
  'iam.googleapis.com/serviceAccountKeys.create',
  'iam.googleapis.com/serviceAccountKeys.upload',
  'iam.googleapis.com/roles.create',
  'iam.googleapis.com/roles.update',
  'iam.googleapis.com/roles.delete',
  'iam.googleapis.com/denypolicies.create',
  'iam.googleapis.com/denypolicies.update',
  'iam.googleapis.com/denypolicies.delete',
  'iam.googleapis.com/workloadIdentityPools.update',
  'iam.googleapis.com/workloadIdentityPoolProviders.create',
  'iam.googleapis.com/workloadIdentityPoolProviders.update',
  'cloudresourcemanager.googleapis.com/projects.setIamPolicy',
  'run.googleapis.com/services.setIamPolicy',
  'storage.googleapis.com/buckets.setIamPolicy',
  'bigquery.googleapis.com/datasets.setIamPolicy',
  'logging.googleapis.com/sinks.create',
  'logging.googleapis.com/sinks.delete',
  'logging.googleapis.com/sinks.update',
  'logging.googleapis.com/buckets.delete',
  'logging.googleapis.com/buckets.update',
];

/** The service (`storage.googleapis.com`) a permission or predefined role belongs to, for audit configs. */
export function serviceOf(permissionOrRole: string): string | undefined {
  const name = permissionOrRole.startsWith('roles/') ? permissionOrRole.slice('roles/'.length) : permissionOrRole;
  if (permissionOrRole.includes('/') && !permissionOrRole.startsWith('roles/')) return undefined; // custom role path
  const service = name.split('.')[0];
  if (!/^[a-z][a-z0-9]*$/.test(service)) return undefined;
  return service === 'resourcemanager' ? 'cloudresourcemanager.googleapis.com' : `${service}.googleapis.com`;
}
