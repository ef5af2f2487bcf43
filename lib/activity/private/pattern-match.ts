import { Cloud } from '../../inventory/inventory';
import { globCovers, resourceWithin } from '../../rules/agent/private/resource-match';

/**
 * The one place the evaluator matches a concrete value against a declared pattern (`*`, `?`),
 * without regular expressions built from input. Patterns with `*` only (nearly all declared ARNs
 * and actions) are matched segment by segment, each leftmost (which is exact for `*`-only globs);
 * patterns with `?` use the checks' own matcher.
 */
export function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern.includes('?')) return globCovers(pattern, value, ignoreCase);
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const segments = p.split('*');
  if (segments.length === 1) return p === v;
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (v.length < first.length + last.length || !v.startsWith(first) || !v.endsWith(last)) return false;
  let at = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const s = segments[i];
    if (s === '') continue;
    const found = v.indexOf(s, at);
    if (found < 0 || found + s.length > end) return false;
    at = found + s.length;
  }
  return true;
}

/**
 * Whether a concrete resource lies within declared resources, with AGENT-001's semantics per cloud
 * (AWS by glob; GCP names and Azure scopes also cover their children, never their parents).
 */
export function resourceDeclared(cloud: Cloud, resource: string, declared: readonly string[]): boolean {
  if (cloud === 'aws') return declared.some((d) => globMatches(d, resource, false));
  return resourceWithin(cloud, resource, declared);
}
