import { Grant, Identity, Inventory, PolicyDocumentEntry, PolicyStatement } from '../../../inventory/inventory';
import { RawFinding, Severity } from '../../rule';
import { GLOB_MAX_LENGTH } from '../../../private/glob-match';
import { actionMatches, arnFields, expandPattern, globCovers } from './effective-permissions';

/**
 * Helpers for the statement-level AWS rules (AWS-001/002/003/005/009/010/011/013/014): they judge
 * each grant as written, where `effective-permissions.ts` judges what an identity can do in the end.
 */

/** AWS Allow grants of the inventory (one per statement and attached principal); found once per inventory (AWS-001 and the admin set ask). */
export function awsAllowGrants(inventory: Inventory): readonly Grant[] {
  return perGrantList(ALLOW_GRANTS, inventory, () => inventory.grants.filter((g) => g.cloud === 'aws' && g.effect === 'Allow'));
}

/**
 * AWS Allow grants, one per statement as written and resource it is reported on: a policy attached to
 * several principals (a managed policy's `Roles`, a group and its users) yields one grant per holder,
 * and a rule that judges the statement itself (AWS-002, AWS-003, AWS-005) reports it once, on the policy.
 * AWS-managed policies are reported on each identity they are attached to, so each keeps its grant.
 * Found once per inventory: those three rules each ask, and a key string per grant is most of the cost.
 */
export function awsAllowStatements(inventory: Inventory): readonly Grant[] {
  return perGrantList(ALLOW_STATEMENTS, inventory, () => {
    const seen = new Set<string>();
    return awsAllowGrants(inventory).filter((g) => {
      const key = statementKey(g);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  });
}

/** The statement a grant comes from, as written and reported: the same for each of its holders (see `awsAllowStatements`). */
export function statementKey(g: Grant): string {
  const at = g.id.lastIndexOf('@');
  return `${at < 0 ? g.id : g.id.slice(0, at)}\u0000${g.source.stack ?? ''}\u0000${g.source.resource}`;
}

/** A list derived from an inventory's grants, kept while the inventory holds the same grants (the rules never change them). */
function perGrantList(table: WeakMap<Inventory, GrantList>, inventory: Inventory, make: () => readonly Grant[]): readonly Grant[] {
  const hit = table.get(inventory);
  if (hit && hit.grants === inventory.grants && hit.count === inventory.grants.length) return hit.list;
  const list = make();
  table.set(inventory, { grants: inventory.grants, count: inventory.grants.length, list });
  return list;
}

interface GrantList {
  readonly grants: readonly Grant[];
  readonly count: number;
  readonly list: readonly Grant[];
}

const ALLOW_GRANTS = new WeakMap<Inventory, GrantList>();
const ALLOW_STATEMENTS = new WeakMap<Inventory, GrantList>();

/**
 * Whether the inventory holds any AWS statement (a grant or a policy document). The rules that expand action
 * catalogs before looking at the inventory return early without one (a Terraform-only input).
 */
export function holdsAwsStatement(inventory: Inventory): boolean {
  return inventory.grants.some((g) => g.cloud === 'aws') || inventory.policies.some((p) => p.cloud === 'aws');
}

/** AWS identities of the inventory. */
export function awsIdentities(inventory: Inventory): Identity[] {
  return inventory.identities.filter((i) => i.cloud === 'aws');
}

/** A finding on the resource holding a grant's statement (the policy, or the role for inline/AWS-managed policies). */
export function grantFinding(grant: Grant, detail: string, message: string, fix: string, severity?: Severity): RawFinding {
  const { source } = grant;
  return strip({ detail, cloud: 'aws', resource: source.resource, stack: source.stack, file: source.file, path: source.path, identity: grant.identityId, message, fix, severity });
}

/** A finding on an identity (its logical id). */
export function identityFinding(identity: Identity, detail: string, message: string, fix: string, severity?: Severity): RawFinding {
  const { source } = identity;
  return strip({ detail, cloud: 'aws', resource: source.resource, stack: source.stack, file: source.file, path: source.path, identity: identity.id, message, fix, severity });
}

/** A finding on a policy resource (its logical id). */
export function policyFinding(policy: PolicyDocumentEntry, detail: string, message: string, fix: string): RawFinding {
  const { source } = policy;
  return strip({ detail, cloud: 'aws', resource: source.resource, stack: source.stack, file: source.file, path: source.path, message, fix });
}

/** How a message names where a grant comes from: `policy read-reports, statement 2`. */
export function grantOrigin(grant: Grant): string {
  const index = statementIndex(grant);
  const prefix = `aws:${grant.source.stack ?? ''}/`;
  const policy = grant.policyId === undefined ? grant.source.resource
    : grant.policyId.startsWith(prefix) ? grant.policyId.slice(prefix.length) : grant.policyId.split('/').slice(1).join('/');
  const kind = grant.via === 'aws-managed-policy' ? 'AWS-managed policy' : 'policy';
  return `${kind} ${grant.via === 'aws-managed-policy' ? policy.replace(/^aws-managed\//, '') : policy}${index === undefined ? '' : `, statement ${index}`}`;
}

/** The statement's position in its policy (from the adapter's grant id `<policy>#<index>@<principal>`). */
export function statementIndex(grant: Grant): number | undefined {
  const m = /#(\d+)@/.exec(grant.id);
  return m ? Number(m[1]) : undefined;
}

/** `*` or `*:*`-like: an action pattern that matches every action of every service. */
export function isAllActionsPattern(pattern: string): boolean {
  return /^\*+(:\*+)?$/.test(pattern);
}

/** Whether a grant or statement applies to every resource (`Resource: *`, or any `NotResource`). */
export function coversAllResources(s: Pick<PolicyStatement, 'resources' | 'notResources'>): boolean {
  return s.notResources !== undefined || (s.resources ?? []).some((r) => r === '*' || namesEveryArn(r));
}

/**
 * Whether a Resource pattern names every ARN of its partition (`arn:*`, `arn:aws:*:*:*:*`, `arn:${AWS::Partition}:*:*:*:*`):
 * `*` in all but name for every action that takes a resource, which is every permission-changing one.
 */
function namesEveryArn(resource: string): boolean {
  // Most ARNs end here, unparsed and not looked up (asked per statement and rule): see `mayNameEveryArn`.
  if (!resource.startsWith('arn:') || (resource.length <= GLOB_MAX_LENGTH && !mayNameEveryArn(resource))) return false;
  const fields = arnFields(resource);
  if (fields) return fields.slice(2).every((f) => /^\*+$/.test(f));
  return globCovers(resource, 'arn:*:*:*:*:*');
}

/**
 * False when an ARN pattern cannot name every ARN, read from its end: six fields whose last four are all `*` end in
 * `:*:*:*:*` (four colons in its closing run of `*`, `?` and `:`), and a shorter pattern can cover `arn:*:*:*:*:*` only
 * with nothing but those three after `arn` (the matcher has no escapes: any other character is a literal, which matches
 * none there). `bucket/*` and `log-group:/app:log-stream:*` stop at their first letter from the end.
 */
function mayNameEveryArn(resource: string): boolean {
  let colons = 0;
  let i = resource.length - 1;
  for (; i >= 0; i--) {
    const c = resource.charCodeAt(i);
    if (c === COLON) colons++;
    else if (c !== STAR && c !== QUESTION) break;
  }
  return colons >= 4 || i <= 2;
}

const COLON = 58;
const STAR = 42;
const QUESTION = 63;

/** Whether a grant or statement allows `action` (a concrete action, any case), through Action or NotAction. */
export function allowsAction(s: Pick<PolicyStatement, 'actions' | 'notActions'>, action: string): boolean {
  if (s.notActions) return !s.notActions.some((p) => actionMatches(p, action));
  return (s.actions ?? []).some((p) => actionMatches(p, action));
}

let totalActions: number | undefined;

/** The share (0..1) of all AWS actions a NotAction list leaves allowed. */
export function notActionAllowedShare(notActions: string[]): number {
  totalActions ??= expandPattern('*').length;
  const excluded = new Set(notActions.flatMap((p) => expandPattern(p).map((a) => a.action.toLowerCase())));
  return totalActions === 0 ? 1 : (totalActions - excluded.size) / totalActions;
}

/** Whether an IAM condition block names `key` (lower case) under some operator, its keys compared lower-cased. */
export function hasConditionKey(condition: Grant['condition'], key: string): boolean {
  if (!condition || typeof condition === 'string') return false;
  for (const block of Object.values(condition)) {
    if (block && typeof block === 'object') for (const k of Object.keys(block)) if (k.toLowerCase() === key) return true;
  }
  return false;
}

/**
 * Values a condition requires for `key` under a positive operator (`StringEquals`, `StringLike`,
 * `ArnEquals`, `ArnLike`, their `ForAnyValue:`/`ForAllValues:` and `IfExists` forms, `Null` excluded).
 * Undefined when the key is not constrained that way.
 */
export function requiredValues(condition: Grant['condition'], key: string): string[] | undefined {
  if (!condition || typeof condition === 'string') return undefined;
  let found: string[] | undefined;
  for (const [op, block] of Object.entries(condition)) {
    const base = op.replace(/^For(Any|All)Values:/, '').replace(/IfExists$/, '');
    if (!/^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/.test(base) || !block || typeof block !== 'object') continue;
    for (const [k, v] of Object.entries(block)) {
      if (k.toLowerCase() === key.toLowerCase()) found = [...(found ?? []), ...(Array.isArray(v) ? v : [v]).map(String)];
    }
  }
  return found;
}

function strip(f: RawFinding & { severity?: Severity }): RawFinding {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined) out[k] = v;
  return out as unknown as RawFinding;
}
