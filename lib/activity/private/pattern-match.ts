import { Cloud } from '../../inventory/inventory';
import { Glob, GLOB_MAX_LENGTH } from '../../private/glob-match';
import { resourceWithin } from '../../rules/agent/private/resource-match';

/** A declared action or resource pattern, compiled once with its cloud's semantics. */
export interface DeclaredPattern {
  test(value: string): boolean;
}

/**
 * A declared action pattern: IAM (`*`, `?`, any case), GCP permissions (any case), Azure actions
 * (`*` only, `/*\/` may be empty, any case). Uses the library's one linear-time glob matcher.
 */
export function actionPattern(cloud: Cloud, pattern: string): DeclaredPattern {
  return guarded(Glob.compile(pattern, cloud === 'azure' ? { caseInsensitive: true, questionWildcard: false, slashStarMayBeEmpty: true } : { caseInsensitive: true }));
}

/**
 * Declared resources, compiled: AWS ARNs by glob (case-sensitive); GCP names and Azure scopes with
 * AGENT-001's semantics (they also cover their children, never their parents).
 */
export function resourcePatterns(cloud: Cloud, declared: readonly string[]): DeclaredPattern {
  if (cloud !== 'aws') return { test: (value) => value.length <= GLOB_MAX_LENGTH && resourceWithin(cloud, value, declared) };
  const globs = declared.map((d) => guarded(Glob.compile(d, { caseInsensitive: false })));
  return { test: (value) => globs.some((g) => g.test(value)) };
}

/** A value longer than the matcher accepts (hostile log input) matches nothing declared. */
function guarded(glob: Glob): DeclaredPattern {
  return { test: (value) => value.length <= GLOB_MAX_LENGTH && glob.test(value) };
}
