import * as fs from 'fs';
import * as path from 'path';
import { evaluateCondition } from './gcp-cel';

/**
 * A GCP IAM evaluator over one synthesized CDKTF stack (the `cdk.tf.json` shape), for tests: it
 * decides whether a service account may use a permission on a resource at a time, so tests prove
 * what a tool can do instead of asserting the shape of its bindings.
 *
 * What it models, and nothing more:
 * - **Allow policies**: the stack's `google_*_iam_member` resources (project, service account,
 *   Cloud Run v2 service, bucket, topic, subscription, secret, dataset), plus bindings and roles a
 *   test adds (e.g. a widened tool). A binding applies when its member is the caller
 *   (`serviceAccount:<email>`), its role holds the permission (a predefined role from
 *   `policies/gcp-roles.json` whose permission list is complete, or a custom role of the stack), the
 *   bound resource is the requested one or an ancestor of it (a project covers every resource of the
 *   project; any other resource covers itself and the names under it, at a `/` boundary), and its
 *   condition, evaluated with @bufbuild/cel on `request.time` and `resource.name`, is true.
 * - **Deny policies**: the stack's `google_iam_deny_policy` resources attached to the request's
 *   project. A rule denies when the caller is one of its denied principals
 *   (`principal://iam.googleapis.com/projects/-/serviceAccounts/<email>`, or
 *   `principalSet://goog/public:all`) and not one of its exception principals, and the permission,
 *   in the deny form `<service>.googleapis.com/<resource>.<verb>` (`*` for a whole segment), is
 *   denied and not excepted. A rule with a denial condition makes the call throw: deny conditions
 *   test resource tags, which this evaluator does not model.
 * - **Order**: deny first: a denied permission is denied whatever the allow policies grant
 *   (https://cloud.google.com/iam/docs/deny-overview#policy-eval); then allowed if a binding
 *   applies; else not granted.
 *
 * Not modelled: policies inherited from folders or the organization, principal access boundaries,
 * organization policy constraints, grants made outside the stack, group membership, conditions on
 * other attributes (they throw), deny conditions (they throw). Values still holding a Terraform
 * reference (`${...}`) throw: a test never evaluates a half-resolved policy.
 */
export type GcpDecision = 'Allowed' | 'Denied' | 'NotGranted';

export interface GcpRequest {
  /** The caller's service account email. */
  readonly principal: string;
  /** The permission, `service.resource.verb` (`run.services.update`). */
  readonly permission: string;
  /** The resource's relative name (`projects/p/locations/l/services/s`, `projects/_/buckets/b`). */
  readonly resource: string;
  /** @default - the project in the resource name (required for buckets, whose names carry none) */
  readonly project?: string;
  readonly time: Date;
}

export interface GcpBinding {
  readonly member: string;
  readonly role: string;
  /** The bound resource's relative name (`projects/p` for a project binding). */
  readonly resource: string;
  readonly condition?: string;
}

/** What a test adds to the stack's policies, e.g. a widened tool. */
export interface GcpExtras {
  /** Bindings made outside the stack. */
  readonly bindings?: GcpBinding[];
  /** Roles by name with their permissions (e.g. a broad role a widened tool was given). */
  readonly roles?: Record<string, string[]>;
}

interface DenyRule {
  readonly deniedPrincipals: string[];
  readonly exceptionPrincipals: string[];
  readonly deniedPermissions: string[];
  readonly exceptionPermissions: string[];
  readonly project: string;
}

/** Member resource types and how each names its resource. */
const MEMBER_TYPES: Record<string, (r: any) => string> = {
  google_project_iam_member: (r) => `projects/${r.project}`,
  google_service_account_iam_member: (r) => r.service_account_id,
  google_cloud_run_v2_service_iam_member: (r) => `projects/${r.project}/locations/${r.location}/services/${r.name}`,
  google_storage_bucket_iam_member: (r) => `projects/_/buckets/${r.bucket}`,
  google_pubsub_topic_iam_member: (r) => `projects/${r.project}/topics/${r.topic}`,
  google_pubsub_subscription_iam_member: (r) => `projects/${r.project}/subscriptions/${r.subscription}`,
  google_secret_manager_secret_iam_member: (r) => `projects/${r.project}/secrets/${r.secret_id}`,
  google_bigquery_dataset_iam_member: (r) => `projects/${r.project}/datasets/${r.dataset_id}`,
};

let predefined: Record<string, { permissionsComplete: boolean; permissions: string[] }> | undefined;
function predefinedRoles(): Record<string, { permissionsComplete: boolean; permissions: string[] }> {
  predefined ??= JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'policies', 'gcp-roles.json'), 'utf8')).roles;
  return predefined!;
}

export class GcpIamEvaluator {
  public static fromTerraform(json: any, extra: GcpExtras = {}): GcpIamEvaluator {
    return new GcpIamEvaluator(json, extra);
  }

  private readonly bindings: GcpBinding[] = [];
  private readonly customRoles = new Map<string, string[]>();
  private readonly denyRules: DenyRule[] = [];

  private constructor(json: any, extra: GcpExtras) {
    for (const [role, permissions] of Object.entries(extra.roles ?? {})) this.customRoles.set(role, permissions);
    const resources = json.resource ?? {};
    for (const r of Object.values<any>(resources.google_project_iam_custom_role ?? {})) {
      this.customRoles.set(literal(`projects/${r.project}/roles/${r.role_id}`), r.permissions.map(literal));
    }
    for (const [type, nameOf] of Object.entries(MEMBER_TYPES)) {
      for (const r of Object.values<any>(resources[type] ?? {})) {
        this.bindings.push({ member: literal(r.member), role: literal(r.role), resource: literal(nameOf(r)), condition: r.condition?.expression === undefined ? undefined : literal(r.condition.expression) });
      }
    }
    this.bindings.push(...(extra.bindings ?? []));
    for (const p of Object.values<any>(resources.google_iam_deny_policy ?? {})) {
      const parent = decodeURIComponent(literal(p.parent));
      const project = /^cloudresourcemanager\.googleapis\.com\/projects\/([^/]+)$/.exec(parent)?.[1];
      if (!project) throw new Error(`deny policy parent ${parent} is not a project: not modelled`);
      for (const rule of p.rules ?? []) {
        const d = rule.deny_rule ?? {};
        if (d.denial_condition !== undefined) throw new Error('deny rule with a denial condition (resource tags): not modelled');
        this.denyRules.push({
          project,
          deniedPrincipals: (d.denied_principals ?? []).map(literal),
          exceptionPrincipals: (d.exception_principals ?? []).map(literal),
          deniedPermissions: (d.denied_permissions ?? []).map(literal),
          exceptionPermissions: (d.exception_permissions ?? []).map(literal),
        });
      }
    }
  }

  public decide(req: GcpRequest): GcpDecision {
    const project = req.project ?? /^projects\/([^/_][^/]*)(\/|$)/.exec(req.resource)?.[1];
    if (!project) throw new Error(`request on ${req.resource} needs its project`);
    if (this.denyRules.some((rule) => rule.project === project && denies(rule, req))) return 'Denied';
    const member = `serviceAccount:${req.principal}`;
    const allowed = this.bindings.some((b) => b.member === member
      && this.roleHolds(b.role, req.permission)
      && covers(b.resource, req.resource, project)
      && (b.condition === undefined || evaluateCondition(b.condition, req.time, req.resource)));
    return allowed ? 'Allowed' : 'NotGranted';
  }

  private roleHolds(role: string, permission: string): boolean {
    const custom = this.customRoles.get(role);
    if (custom) return custom.includes(permission);
    const known = predefinedRoles()[role];
    if (!known || !known.permissionsComplete) throw new Error(`role ${role} has no complete permission list: not modelled`);
    return known.permissions.includes(permission);
  }
}

/** A project covers everything of the project; any other resource covers itself and names under it. */
function covers(bound: string, requested: string, requestProject: string): boolean {
  if (/^projects\/[^/]+$/.test(bound) && bound !== 'projects/_') return bound === `projects/${requestProject}`;
  return requested === bound || requested.startsWith(`${bound}/`);
}

function denies(rule: DenyRule, req: GcpRequest): boolean {
  const principal = `principal://iam.googleapis.com/projects/-/serviceAccounts/${req.principal}`;
  const isPrincipal = (p: string) => p === principal || p === 'principalSet://goog/public:all';
  if (!rule.deniedPrincipals.some(isPrincipal) || rule.exceptionPrincipals.some(isPrincipal)) return false;
  const permission = denyForm(req.permission);
  return rule.deniedPermissions.some((p) => denyPermissionMatches(p, permission)) && !rule.exceptionPermissions.some((p) => denyPermissionMatches(p, permission));
}

/** `iam.serviceAccounts.actAs` → `iam.googleapis.com/serviceAccounts.actAs` (resourcemanager → cloudresourcemanager). */
export function denyForm(permission: string): string {
  const [service, ...rest] = permission.split('.');
  return `${service === 'resourcemanager' ? 'cloudresourcemanager' : service}.googleapis.com/${rest.join('.')}`;
}

/** A deny-policy permission against a permission in deny form; `*` stands for a whole segment. */
function denyPermissionMatches(pattern: string, permission: string): boolean {
  const [ps, pr] = pattern.split('/');
  const [s, r] = permission.split('/');
  if (ps !== s || pr === undefined || r === undefined) return false;
  const [pRes, pVerb] = pr.split('.');
  const [res, verb] = r.split('.');
  return (pRes === '*' || pRes === res) && (pVerb === '*' || pVerb === verb);
}

function literal(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  if (value.includes('${')) throw new Error(`unresolved Terraform reference ${value}: not modelled`);
  return value;
}
