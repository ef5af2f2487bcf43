import { Cloud, Grant, Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { allowGrants, describeIdentity, environmentOf, escapeRegExp, grantsByIdentity, grantFinding, toolIdentities, withoutPlaceholderColons } from './private/agent-inventory';

/**
 * AGENT-008: an identity of one environment reaches no resource of another. Placement keys
 * (AWS account and account/region, GCP project, Azure subscription and resource group) are
 * learnt from the grants of each environment's identities. A grant on a key that another
 * environment uses is an error when there is evidence that the identity's own environment lives
 * elsewhere (its other identities, or the identity's own keys no other environment uses).
 * A resource whose name carries another environment's name is a warning.
 */
export const ENVIRONMENT_ISOLATION: Rule = {
  id: 'AGENT-008',
  cloud: 'all',
  severity: 'error',
  reason: 'An identity of one environment reaches no resource of another (account/region, project, subscription/resource group).',
  explanation:
    'One environment per identity is what keeps a dev agent from touching prod. The check learns where each environment lives from the grants '
    + 'of its identities (AWS account and region in ARNs, GCP projects, Azure subscriptions and resource groups) and reports a grant that lands where '
    + 'another environment lives. A resource named after another environment (e.g. prod-logs from a dev identity) is reported as a warning.',
  fix: 'Point the grant at the identity\'s own environment (its account/region, project or resource group), or give the other environment its own tool identity.',
  controls: [],
  evaluate(inventory: Inventory, _context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const byIdentity = grantsByIdentity(inventory);
    const tools = toolIdentities(inventory).filter((i) => environmentOf(i) !== undefined);
    const envNames = [...new Set([
      ...inventory.identities.map(environmentOf),
      ...inventory.others.map((o) => o.labels?.environment),
      ...inventory.policies.map((p) => p.labels?.environment),
    ].filter((e): e is string => typeof e === 'string' && e.length > 0))];

    const envMatchers = environmentMatchers(envNames);
    // Per cloud, then per resource: no key string to build for each of thousands of lookups.
    const keyCache = new Map<Cloud, Map<string, string[]>>();
    const keysOf = (cloud: Cloud, r: string) => {
      let perCloud = keyCache.get(cloud);
      if (!perCloud) keyCache.set(cloud, perCloud = new Map());
      let keys = perCloud.get(r);
      if (!keys) perCloud.set(r, keys = placementKeys(cloud, r));
      return keys;
    };
    // Which identities use each placement key.
    const users = new Map<string, Map<string, Set<string>>>(); // key → env → identity ids
    for (const identity of tools) {
      const env = environmentOf(identity)!;
      for (const grant of allowGrants(byIdentity, identity)) {
        for (const r of grant.resources) {
          for (const key of keysOf(grant.cloud, r)) {
            let byEnv = users.get(key);
            if (!byEnv) users.set(key, (byEnv = new Map<string, Set<string>>()));
            let ids = byEnv.get(env);
            if (!ids) byEnv.set(env, (ids = new Set<string>()));
            ids.add(identity.id);
          }
        }
      }
    }

    // No key that two environments use, and at most one environment name: nothing below can be found.
    if (envNames.length <= 1 && ![...users.values()].some((byEnv) => byEnv.size > 1)) return findings;

    // Per environment and key level, how many keys the environment uses (for the evidence test below).
    const keysPerLevel = new Map<string, number>();
    for (const [key, byEnv] of users) for (const env of byEnv.keys()) bump(keysPerLevel, `${env}|${levelOf(key)}`);

    for (const identity of tools) {
      const env = environmentOf(identity)!;
      const grants = allowGrants(byIdentity, identity);
      // The evidence is needed only for a key another environment also uses (rare; none in one-environment apps).
      let evidence: Set<string> | undefined;
      for (const grant of grants) {
        const reported = new Set<string>();
        for (const r of grant.resources) {
          for (const key of keysOf(grant.cloud, r)) {
            const byEnv = users.get(key)!;
            // byEnv holds this identity's environment: a second entry is another environment on the same key.
            if (byEnv.size < 2 || reported.has(key)) continue;
            const sameEnv = byEnv.get(env);
            const sameEnvOthers = sameEnv !== undefined && (sameEnv.size > 1 || !sameEnv.has(identity.id));
            if (sameEnvOthers) continue;
            // Only with evidence of where this environment lives can a key be said to be elsewhere.
            evidence ??= hasHomeEvidence(env, grants, users, keysPerLevel, keysOf);
            if (!evidence.has(levelOf(key))) continue;
            const otherEnvs = [...byEnv.keys()].filter((e) => e !== env);
            reported.add(key);
            findings.push(grantFinding(identity, grant, `placement:${otherEnvs.join('+')}`,
              `${describeIdentity(identity)} (environment ${env}) is granted ${r}, in ${describeKey(key)} which environment ${otherEnvs.join(', ')} uses and which is not where ${env} lives`,
              `Grant only resources of environment ${env}; use a separate tool identity in ${otherEnvs.join(', ')}.`));
          }
          // With one environment in the app, no name can be another's.
          const named = envNames.length > 1 ? namedEnvironments(r, envMatchers).filter((e) => e !== env) : [];
          if (named.length > 0) {
            findings.push(grantFinding(identity, grant, `named:${named.join('+')}`,
              `${describeIdentity(identity)} (environment ${env}) is granted ${r}, whose name carries environment ${named.join(', ')}`,
              `Check that ${r} belongs to environment ${env}; rename it or move the grant to an identity of ${named.join(', ')}.`, 'warning'));
          }
        }
      }
    }
    return findings;
  },
};

/**
 * The key levels at which there is evidence of where `env` lives, without the claim of the
 * identity holding `grants`: a key that another identity of the environment uses, or a key of this identity that
 * no other environment uses. Counts instead of sets keep this linear in the identity's grants.
 */
function hasHomeEvidence(
  env: string, grants: readonly Grant[],
  users: Map<string, Map<string, Set<string>>>, keysPerLevel: Map<string, number>, keysOf: (cloud: Cloud, r: string) => string[],
): Set<string> {
  const onlyMine = new Map<string, number>(); // per level: keys of env used by this identity alone
  const levels = new Set<string>();
  const out = new Set<string>();
  const seen = new Set<string>();
  for (const g of grants) {
    for (const r of g.resources) {
      for (const key of keysOf(g.cloud, r)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const byEnv = users.get(key)!;
        levels.add(levelOf(key));
        const mineAlone = byEnv.get(env)?.size === 1;
        if (mineAlone) bump(onlyMine, levelOf(key));
        if (byEnv.size === 1) out.add(levelOf(key)); // a key no other environment uses
      }
    }
  }
  for (const [level, count] of keysPerLevel) {
    const [e, l] = level.split('|');
    if (e !== env) continue;
    if (count - (onlyMine.get(l) ?? 0) > 0) out.add(l); // another identity of env uses some key at this level
  }
  return out;
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

function levelOf(key: string): string {
  return key.slice(0, key.indexOf(':'));
}

/** Where a resource lives, as comparable keys (empty when the resource does not say). */
export function placementKeys(cloud: Cloud, resource: string): string[] {
  if (cloud === 'aws') {
    const parts = withoutPlaceholderColons(resource).split(':');
    if (parts[0] !== 'arn' || parts.length < 6) return [];
    const [region, account] = [parts[3], parts[4]];
    const concrete = (s: string) => s.length > 0 && !/[*?$]/.test(s);
    if (!concrete(account)) return [];
    return concrete(region) ? [`aws-account:${account}`, `aws-region:${account}/${region}`] : [`aws-account:${account}`];
  }
  if (cloud === 'gcp') {
    const m = /(?:^|\/)projects\/([^/]+)/.exec(resource);
    return m && m[1] !== '_' && !/[*?$]/.test(m[1]) ? [`gcp-project:${m[1]}`] : [];
  }
  const sub = /^\/subscriptions\/([^/]+)/i.exec(resource);
  if (!sub) return [];
  const rg = /^\/subscriptions\/[^/]+\/resourcegroups\/([^/]+)/i.exec(resource);
  const s = sub[1].toLowerCase();
  return rg ? [`azure-subscription:${s}`, `azure-resource-group:${s}/${rg[1].toLowerCase()}`] : [`azure-subscription:${s}`];
}

function describeKey(key: string): string {
  const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  return `${kind.replace('-', ' ')} ${value}`;
}

/** A matcher per environment name, longest name first (see `namedEnvironments`). */
export interface EnvironmentMatcher {
  readonly name: string;
  readonly pattern: RegExp;
}

/** Build the matchers once per run: environment names as whole segments, longest first. */
export function environmentMatchers(envNames: readonly string[]): EnvironmentMatcher[] {
  return [...envNames].sort((a, b) => b.length - a.length)
    .map((name) => ({ name, pattern: new RegExp(`(^|[/:._-])${escapeRegExp(name.toLowerCase())}(?=$|[/:._-])`, 'g') }));
}

/**
 * Environment names that appear as a whole segment of a resource (between `/ : . _ -` or the
 * ends). Longer names are matched first and masked, so `prod-eu` does not also count as `prod`.
 */
export function namedEnvironments(resource: string, matchers: readonly EnvironmentMatcher[]): string[] {
  let rest = resource.toLowerCase();
  const found: string[] = [];
  for (const { name, pattern } of matchers) {
    pattern.lastIndex = 0;
    if (pattern.test(rest)) {
      found.push(name);
      rest = rest.replace(pattern, (_m, sep: string) => `${sep}${'#'.repeat(name.length)}`);
    }
  }
  return found;
}
