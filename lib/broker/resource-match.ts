import { GLOB_MAX_LENGTH, GlobOptions, globMatch } from '../private/glob-match';

const CASE_SENSITIVE: GlobOptions = { caseInsensitive: false };

/**
 * Whether a concrete resource lies within a declared resource pattern. Patterns use the IAM
 * wildcards `*` (any run of characters) and `?` (one character); matching is case-sensitive, as
 * IAM's resource matching is. The resource itself holds no wildcards (the request schema forbids them).
 */
export function resourceWithin(resource: string, patterns: readonly string[]): boolean {
  // A linear-time match: a RegExp here let one request with a long resource stall the broker.
  // Past the matcher's length budget nothing matches (the request is refused).
  if (resource.length > GLOB_MAX_LENGTH) return false;
  return patterns.some((p) => p.length <= GLOB_MAX_LENGTH && globMatch(p, resource, CASE_SENSITIVE));
}

/**
 * A comparable key for an identity: AWS assumed-role session ARNs become their role's ARN (so a
 * session of a role counts as that role), and case is folded (IAM names are case-insensitive).
 * Other strings are only trimmed and lowercased.
 */
export function identityKey(identity: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.*$/.exec(identity.trim());
  const key = m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : identity.trim();
  return key.toLowerCase();
}

/** Whether two identity strings name the same identity (see `identityKey`); IAM role paths are ignored. */
export function sameIdentity(a: string, b: string): boolean {
  return stripRolePath(identityKey(a)) === stripRolePath(identityKey(b));
}

function stripRolePath(key: string): string {
  // arn:aws:iam::123:role/path/to/Name → arn:aws:iam::123:role/Name (session ARNs carry no path)
  const m = /^(arn:[^:]+:iam::\d{12}:role\/)(?:.*\/)?([^/]+)$/.exec(key);
  return m ? `${m[1]}${m[2]}` : key;
}
