import { AwsActionInfo } from './action-catalog';
import { isIssuerClaim } from '../private/linear-scans';

/**
 * Which IAM conditions really narrow a statement, in IAM's own semantics. One table serves
 * identity policies (does the condition narrow the resources or the route of a grant?) and trust
 * policies (does it narrow who may assume the role?).
 *
 * A condition entry narrows only when every request it admits is a proper, attacker-proof subset:
 * - a positive operator (`StringEquals`, `StringLike`, `ArnEquals`, `ArnLike`, their
 *   `IgnoreCase`/`ForAnyValue:` forms); negated operators (`StringNotEquals`, …) admit almost
 *   everything, `Null`/`Bool` say nothing about who or what;
 * - no `...IfExists`, unless the key is present in every request (an absent key makes the entry true);
 * - no `ForAllValues:` (true when the key is absent, whatever the values);
 * - values that pin the key: no value that admits every value the key can take (`*`, `o-*` for
 *   an organization id, `arn:aws:*`, an ARN whose account is a wildcard, `1*` for an account).
 *
 * See the IAM User Guide, "IAM JSON policy elements: Condition operators" and "AWS global
 * condition context keys" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 */

/** What a condition can narrow. */
export type NarrowingDimension = 'principal' | 'resource' | 'route';

/** How a key's values identify something, which decides what value admits everyone. */
type ValueForm = 'account' | 'org-id' | 'org-path' | 'arn' | 'service' | 'via-service' | 'text';

interface KeySpec {
  readonly dimension: NarrowingDimension;
  readonly form: ValueForm;
  /** Present in every request (IfExists does not weaken it). */
  readonly alwaysPresent?: boolean;
}

/** Global keys (lower case) and what they narrow. Keys not listed narrow nothing here. */
const GLOBAL_KEYS: Record<string, KeySpec> = {
  'aws:principalarn': { dimension: 'principal', form: 'arn', alwaysPresent: true },
  'aws:principalaccount': { dimension: 'principal', form: 'account', alwaysPresent: true },
  'aws:principalorgid': { dimension: 'principal', form: 'org-id' },
  'aws:principalorgpaths': { dimension: 'principal', form: 'org-path' },
  'aws:sourcearn': { dimension: 'principal', form: 'arn' },
  'aws:sourceaccount': { dimension: 'principal', form: 'account' },
  'aws:sourceorgid': { dimension: 'principal', form: 'org-id' },
  'aws:sourceorgpaths': { dimension: 'principal', form: 'org-path' },
  'sts:externalid': { dimension: 'principal', form: 'text' },
  'aws:resourceaccount': { dimension: 'resource', form: 'account' },
  'aws:resourceorgid': { dimension: 'resource', form: 'org-id' },
  'aws:resourceorgpaths': { dimension: 'resource', form: 'org-path' },
  'kms:viaservice': { dimension: 'route', form: 'via-service' },
  'iam:passedtoservice': { dimension: 'route', form: 'service' },
  'aws:calledvia': { dimension: 'route', form: 'service' },
  'aws:calledviafirst': { dimension: 'route', form: 'service' },
  'aws:calledvialast': { dimension: 'route', form: 'service' },
};

/** Tag keys on the resource (`aws:ResourceTag/<k>`, `iam:ResourceTag/<k>`, `<service>:ResourceTag/<k>`). */
const RESOURCE_TAG = /^[a-z0-9-]+:resourcetag\/.+$/;

const POSITIVE_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

/** One entry of a condition block, parsed. */
export interface ConditionEntry {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

/** Every operator → key → values entry of an IAM condition block. */
export function conditionEntries(condition: unknown): ConditionEntry[] {
  const out: ConditionEntry[] = [];
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return out;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!block || typeof block !== 'object' || Array.isArray(block)) continue;
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      out.push({ operator, key, values: (Array.isArray(raw) ? raw : [raw]).map((v) => String(v)) });
    }
  }
  return out;
}

/**
 * The entries of a condition that narrow along `dimension` (empty when none does). Service
 * condition keys that name the resource (`ssm:resourceTag/…`, `cloudwatch:namespace`) are the
 * caller's to add through `extraKeys` (lower case), as `resource` keys of `text` form.
 */
export function narrowingEntries(condition: unknown, dimension: NarrowingDimension, extraKeys?: ReadonlySet<string>): ConditionEntry[] {
  return conditionEntries(condition).filter((e) => entryNarrows(e, dimension, extraKeys));
}

/** Whether one entry narrows along `dimension`. */
export function entryNarrows(entry: ConditionEntry, dimension: NarrowingDimension, extraKeys?: ReadonlySet<string>): boolean {
  const key = entry.key.toLowerCase();
  const spec = specOf(key, extraKeys);
  if (!spec || spec.dimension !== dimension) return false;
  const op = parseOperator(entry.operator);
  if (!op || !POSITIVE_OPERATORS.has(op.base)) return false;
  if (op.set === 'ForAllValues') return false;
  if (op.ifExists && !spec.alwaysPresent) return false;
  if (entry.values.length === 0) return false;
  const wildcards = op.base === 'stringlike' || op.base === 'arnlike' || op.base === 'arnequals';
  return entry.values.every((v) => valuePins(v, spec.form, wildcards));
}

function specOf(key: string, extraKeys?: ReadonlySet<string>): KeySpec | undefined {
  const global = GLOBAL_KEYS[key];
  if (global) return global;
  if (RESOURCE_TAG.test(key)) return { dimension: 'resource', form: 'text' };
  if (extraKeys?.has(key)) return { dimension: 'resource', form: 'text' };
  // Web-identity and SAML claims (`token.actions.githubusercontent.com:sub`, `saml:aud`) name the caller; the issuer may be
  // a provider of the template (`${Provider}`, or its ARN's part after `oidc-provider/`, `${Provider[1]}`).
  if (isIssuerClaim(key) || /^\$\{[a-z0-9]+(\[\d+\])?\}:(sub|aud|amr|oaud|azp)$/.test(key) || /^(saml|cognito-identity\.amazonaws\.com):/.test(key)) return { dimension: 'principal', form: 'text' };
  return undefined;
}

interface ParsedOperator {
  readonly set?: 'ForAnyValue' | 'ForAllValues';
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator;
  let set: ParsedOperator['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'foranyvalue') set = 'ForAnyValue';
    else if (prefix === 'forallvalues') set = 'ForAllValues';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  const lower = rest.toLowerCase();
  const ifExists = lower.endsWith('ifexists');
  return { set, base: ifExists ? lower.slice(0, -'ifexists'.length) : lower, ifExists };
}

/** Whether `value` pins a key of `form`; `wildcards` when the operator reads `*` and `?` as wildcards. */
function valuePins(value: string, form: ValueForm, wildcards: boolean): boolean {
  // A value of only wildcards is read as "any" even where the operator takes it literally (it names nothing real).
  if (value.length === 0 || /^[*?]+$/.test(value)) return false;
  const wild = wildcards && /[*?]/.test(value);
  if (!wild) return true;
  switch (form) {
    // Anyone can open an account or organization whose id matches a pattern: only exact ids pin.
    case 'account':
    case 'org-id':
      return false;
    case 'org-path': {
      const org = value.split('/')[0];
      return /^o-[a-z0-9]+$/.test(org);
    }
    case 'arn':
      return arnPins(value);
    case 'service':
      return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(value.split('.')[0]) && !/[*?]/.test(value.split('.')[0]);
    case 'via-service': {
      // `s3.*.amazonaws.com` pins the service (any region); `*.amazonaws.com` does not.
      const service = value.split('.')[0];
      return service.length > 0 && !/[*?]/.test(service);
    }
    case 'text':
      // A pattern with literal text beyond its wildcards narrows to values carrying that text.
      return /[^*?]/.test(value);
    default:
      return false;
  }
}

/**
 * An ARN pattern pins a principal or source when its account is an exact id (or the template's
 * own), or, for ARNs without an account (S3 buckets), when the resource name starts with literal text.
 */
function arnPins(value: string): boolean {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return false;
  const [, partition, service, , account] = parts;
  if (/[*?]/.test(partition) || /[*?]/.test(service) || service === '') return false;
  if (account !== '') return !/[*?]/.test(account);
  const resource = parts.slice(5).join(':');
  return /^[^*?]{3,}/.test(resource);
}

/**
 * Whether a statement's condition confines it to some resources or to a route through a named
 * service, in IAM semantics (`aws:ResourceTag`, `kms:ViaService`, an exact `aws:ResourceAccount`, or
 * one of the action's own service keys pinned to values).
 */
export function narrowsResources(condition: unknown, info: AwsActionInfo): boolean {
  if (!condition) return false;
  const own = new Set((info.conditionKeys ?? []).filter((k) => !k.toLowerCase().startsWith('aws:')).map((k) => k.toLowerCase()));
  return narrowingEntries(condition, 'resource', own).length > 0 || narrowingEntries(condition, 'route').length > 0
    // The caller's own account or organization keys on an identity policy narrow nothing about the resource.
    || narrowingEntries(condition, 'principal').some((e) => /^aws:source(arn|account)$/i.test(e.key));
}
