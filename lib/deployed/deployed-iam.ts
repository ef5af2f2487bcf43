import * as fs from 'fs';
import { GuardrailError } from '../errors';

/**
 * Deployed IAM as the clouds' CLIs export it, read into one small model per cloud. Shapes (from
 * the clouds' documentation):
 * - AWS `aws iam get-account-authorization-details`: `{RoleDetailList: [{RoleName, Arn, Tags,
 *   AssumeRolePolicyDocument, RolePolicyList: [{PolicyName, PolicyDocument}], AttachedManagedPolicies:
 *   [{PolicyName, PolicyArn}], PermissionsBoundary}], Policies: [{Arn, DefaultVersionId,
 *   PolicyVersionList: [{Document, VersionId, IsDefaultVersion}]}]}`; policy documents are JSON or,
 *   from the raw API, URL-encoded JSON text.
 * - GCP `gcloud projects get-iam-policy PROJECT --format=json`: `{bindings: [{role, members,
 *   condition?: {expression, title}}], etag, version}`. The file does not name its project: it is
 *   given as `PROJECT=FILE` or inferred from the agent service accounts it names.
 * - Azure `az role assignment list --all`: `[{principalId, principalType, roleDefinitionName,
 *   roleDefinitionId, scope, condition}]`, with `az identity list`: `[{name, principalId, id, tags,
 *   type: "Microsoft.ManagedIdentity/userAssignedIdentities"}]` (assignments name principals by
 *   object id only; the identities' tags and names tell which tool each is).
 */

/** Largest export read (bytes): bounded memory for a hostile or mistaken file. */
export const DEPLOYED_MAX_BYTES = 256 * 1024 * 1024;

/** One IAM policy statement, as deployed. */
export interface DeployedStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** Principals (trust policies): ARNs, services, federated providers, `*`. */
  readonly principals: string[];
  /** The condition block, flattened to `operator|key|value` entries (empty: none). */
  readonly conditions: string[];
}

export interface DeployedAwsRole {
  readonly name: string;
  readonly arn: string;
  readonly tags: Record<string, string>;
  readonly trust: DeployedStatement[];
  /** Inline and customer-managed policies' statements. */
  readonly statements: DeployedStatement[];
  /** AWS-managed policies attached (`arn:aws:iam::aws:policy/...`). */
  readonly awsManagedPolicies: string[];
  readonly boundary?: string;
}

export interface DeployedGcpBinding {
  readonly role: string;
  readonly members: string[];
  readonly condition?: string;
}

export interface DeployedAzureAssignment {
  readonly principalId: string;
  readonly roleDefinitionName: string;
  readonly scope: string;
  readonly condition?: string;
}

export interface DeployedAzureIdentity {
  readonly name: string;
  readonly principalId: string;
  readonly id: string;
  readonly tags: Record<string, string>;
}

/** One export file, read. */
export type DeployedExport =
  | { readonly kind: 'aws-authorization-details'; readonly file: string; readonly roles: DeployedAwsRole[] }
  | { readonly kind: 'gcp-project-iam-policy'; readonly file: string; readonly project?: string; readonly bindings: DeployedGcpBinding[] }
  | { readonly kind: 'azure-role-assignments'; readonly file: string; readonly assignments: DeployedAzureAssignment[] }
  | { readonly kind: 'azure-identities'; readonly file: string; readonly identities: DeployedAzureIdentity[] };

/**
 * Read `spec` (`FILE`, or `PROJECT=FILE` for a GCP project policy): one line naming the file and
 * the fix when it cannot be read or is none of the shapes above.
 */
export function readDeployedExport(spec: string): DeployedExport {
  const named = /^([a-z][a-z0-9-]{4,28}[a-z0-9])=(.+)$/.exec(spec);
  const file = named ? named[2] : spec;
  const doc = readJson(file);
  const bad = (why: string): never => {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('--deployed', why, file, 'Pass the JSON of `aws iam get-account-authorization-details`, `gcloud projects get-iam-policy PROJECT --format=json` (as PROJECT=FILE when it names no agent service account), `az role assignment list --all` or `az identity list`.'));
  };
  if (isObject(doc) && Array.isArray(doc.RoleDetailList)) {
    if (named) bad('takes PROJECT= only for a GCP project policy');
    const policies = new Map<string, unknown>();
    for (const p of arrayOf(doc.Policies)) {
      if (!isObject(p) || typeof p.Arn !== 'string') continue;
      const current = arrayOf(p.PolicyVersionList).find((v) => isObject(v) && (v.IsDefaultVersion === true || v.VersionId === p.DefaultVersionId));
      if (isObject(current)) policies.set(p.Arn, current.Document);
    }
    return { kind: 'aws-authorization-details', file, roles: arrayOf(doc.RoleDetailList).filter(isObject).map((r) => awsRole(r, policies, bad)) };
  }
  // A project policy without bindings comes back as `{etag, version}` only.
  if (isObject(doc) && (Array.isArray(doc.bindings) || (typeof doc.etag === 'string' && doc.bindings === undefined))) {
    return {
      kind: 'gcp-project-iam-policy', file, ...(named ? { project: named[1] } : {}),
      bindings: arrayOf(doc.bindings).filter(isObject).map((b) => ({
        role: str(b.role),
        members: arrayOf(b.members).filter((m): m is string => typeof m === 'string'),
        ...(isObject(b.condition) && typeof b.condition.expression === 'string' ? { condition: b.condition.expression } : {}),
      })).filter((b) => b.role !== ''),
    };
  }
  if (Array.isArray(doc)) {
    if (named) bad('takes PROJECT= only for a GCP project policy');
    const items = doc.filter(isObject);
    if (items.length > 0 && items.every((i) => typeof i.type === 'string' && i.type.toLowerCase() === 'microsoft.managedidentity/userassignedidentities')) {
      return {
        kind: 'azure-identities', file,
        identities: items.map((i) => ({ name: str(i.name), principalId: str(i.principalId).toLowerCase(), id: str(i.id), tags: stringRecord(i.tags) })),
      };
    }
    if (items.length === doc.length && items.every((i) => typeof i.principalId === 'string' && typeof i.scope === 'string')) {
      return {
        kind: 'azure-role-assignments', file,
        assignments: items.map((i) => ({
          principalId: str(i.principalId).toLowerCase(), roleDefinitionName: str(i.roleDefinitionName) || str(i.roleDefinitionId), scope: str(i.scope),
          ...(typeof i.condition === 'string' && i.condition !== '' ? { condition: i.condition } : {}),
        })),
      };
    }
  }
  return bad('is not an export this command reads');
}

function readJson(file: string): unknown {
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = stat.size;
  } catch (e) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('--deployed', 'cannot be read', file, `${(e as NodeJS.ErrnoException).code ?? 'error'}: check the path of the exported IAM.`));
  }
  if (size > DEPLOYED_MAX_BYTES) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('--deployed', `is larger than ${DEPLOYED_MAX_BYTES} bytes`, file, 'Export one account, project or subscription per file.'));
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GuardrailError('AG_INPUT_INVALID', GuardrailError.format('--deployed', 'is not valid JSON', file, `${String((e as Error).message).split('\n')[0]}. Export with --output json (AWS, Azure) or --format=json (gcloud).`));
  }
}

function awsRole(r: Record<string, unknown>, policies: Map<string, unknown>, bad: (why: string) => never): DeployedAwsRole {
  const statements: DeployedStatement[] = [];
  for (const p of arrayOf(r.RolePolicyList)) if (isObject(p)) statements.push(...policyStatements(p.PolicyDocument, bad));
  const awsManaged: string[] = [];
  for (const p of arrayOf(r.AttachedManagedPolicies)) {
    if (!isObject(p) || typeof p.PolicyArn !== 'string') continue;
    if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(p.PolicyArn)) awsManaged.push(p.PolicyArn);
    else if (policies.has(p.PolicyArn)) statements.push(...policyStatements(policies.get(p.PolicyArn), bad));
    // A customer-managed policy whose document is not in the export: its name still shows as a change.
    else statements.push({ effect: 'Allow', actions: [`(policy ${p.PolicyArn}, document not exported)`], notActions: [], resources: ['*'], notResources: [], principals: [], conditions: [] });
  }
  const boundary = isObject(r.PermissionsBoundary) && typeof r.PermissionsBoundary.PermissionsBoundaryArn === 'string' ? r.PermissionsBoundary.PermissionsBoundaryArn : undefined;
  return {
    name: str(r.RoleName), arn: str(r.Arn),
    tags: Object.fromEntries(arrayOf(r.Tags).filter(isObject).map((t) => [str(t.Key), str(t.Value)])),
    trust: policyStatements(r.AssumeRolePolicyDocument, bad),
    statements, awsManagedPolicies: awsManaged.sort(),
    ...(boundary ? { boundary } : {}),
  };
}

/** Statements of a policy document given as JSON or as URL-encoded JSON text (the raw API's form). */
function policyStatements(doc: unknown, bad: (why: string) => never): DeployedStatement[] {
  let parsed = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc.trimStart().startsWith('{') ? doc : decodeURIComponent(doc));
    } catch {
      return bad('holds a policy document that is neither JSON nor URL-encoded JSON');
    }
  }
  if (!isObject(parsed)) return [];
  const list = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return list.filter(isObject).map((s) => ({
    effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: strings(s.Action), notActions: strings(s.NotAction),
    resources: strings(s.Resource), notResources: strings(s.NotResource),
    principals: s.Principal === '*' ? ['*'] : isObject(s.Principal) ? Object.values(s.Principal).flatMap(strings) : [],
    conditions: flattenCondition(s.Condition),
  }));
}

/** An IAM condition block as `operator|key|value` entries (operators and keys compared case-insensitively, as IAM does). */
export function flattenCondition(condition: unknown): string[] {
  if (!isObject(condition)) return [];
  const out: string[] = [];
  for (const [op, block] of Object.entries(condition)) {
    if (!isObject(block)) continue;
    for (const [k, v] of Object.entries(block)) {
      const values = Array.isArray(v) ? v : [v];
      for (const value of values) out.push(`${op.toLowerCase()}|${k.toLowerCase()}|${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
  }
  return out.sort();
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function arrayOf(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

function strings(x: unknown): string[] {
  return typeof x === 'string' ? [x] : Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

function stringRecord(x: unknown): Record<string, string> {
  return isObject(x) ? Object.fromEntries(Object.entries(x).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
}
