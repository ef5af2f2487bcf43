import { Cloud, Grant, Identity, Inventory } from '../../inventory/inventory';
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
    ].filter((e): e is string => typeof e === 'string' && e.length > 0))].sort((a, b) => b.length - a.length);

    // Which identities use each placement key.
    const users = new Map<string, Map<string, Set<string>>>(); // key → env → identity ids
    for (const identity of tools) {
      for (const grant of allowGrants(byIdentity, identity)) {
        for (const r of grant.resources) {
          for (const key of placementKeys(grant.cloud, r)) {
            const byEnv = users.get(key) ?? new Map<string, Set<string>>();
            const ids = byEnv.get(environmentOf(identity)!) ?? new Set<string>();
            ids.add(identity.id);
            byEnv.set(environmentOf(identity)!, ids);
            users.set(key, byEnv);
          }
        }
      }
    }

    for (const identity of tools) {
      const env = environmentOf(identity)!;
      const grants = allowGrants(byIdentity, identity);
      const evidence = homeEvidence(identity, env, grants, tools, byIdentity, users);
      for (const grant of grants) {
        const reported = new Set<string>();
        for (const r of grant.resources) {
          for (const key of placementKeys(grant.cloud, r)) {
            const home = evidence.get(levelOf(key));
            const otherEnvs = [...users.get(key)!.keys()].filter((e) => e !== env);
            // Only with evidence of where this environment lives can a key be said to be elsewhere.
            if (!home || home.size === 0 || home.has(key) || otherEnvs.length === 0 || reported.has(key)) continue;
            reported.add(key);
            findings.push(grantFinding(identity, grant, `placement:${otherEnvs.join('+')}`,
              `${describeIdentity(identity)} (environment ${env}) is granted ${r}, in ${describeKey(key)} which environment ${otherEnvs.join(', ')} uses, while ${env} lives in ${[...home].map(describeKey).join(', ')}`,
              `Grant only resources of environment ${env}; use a separate tool identity in ${otherEnvs.join(', ')}.`));
          }
          const named = namedEnvironments(r, envNames).filter((e) => e !== env);
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
 * Where environment `env` lives, per key level, as seen without `identity`'s own claim: the keys
 * of the environment's other identities, plus this identity's keys that no other environment uses.
 */
function homeEvidence(
  identity: Identity, env: string, grants: readonly Grant[], tools: readonly Identity[],
  byIdentity: Map<string, Grant[]>, users: Map<string, Map<string, Set<string>>>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (key: string) => {
    const set = out.get(levelOf(key)) ?? new Set<string>();
    set.add(key);
    out.set(levelOf(key), set);
  };
  for (const other of tools) {
    if (other.id === identity.id || environmentOf(other) !== env) continue;
    for (const g of allowGrants(byIdentity, other)) for (const r of g.resources) placementKeys(g.cloud, r).forEach(add);
  }
  for (const g of grants) {
    for (const r of g.resources) {
      for (const key of placementKeys(g.cloud, r)) if ([...users.get(key)!.keys()].every((e) => e === env)) add(key);
    }
  }
  return out;
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

/**
 * Environment names that appear as a whole segment of a resource (between `/ : . _ -` or the
 * ends). Longer names are matched first and masked, so `prod-eu` does not also count as `prod`.
 */
export function namedEnvironments(resource: string, envNamesLongestFirst: readonly string[]): string[] {
  let rest = resource.toLowerCase();
  const found: string[] = [];
  for (const env of envNamesLongestFirst) {
    const re = new RegExp(`(^|[/:._-])${escapeRegExp(env.toLowerCase())}(?=$|[/:._-])`, 'g');
    if (re.test(rest)) {
      found.push(env);
      rest = rest.replace(re, (_m, sep: string) => `${sep}${'#'.repeat(env.length)}`);
    }
  }
  return found;
}

