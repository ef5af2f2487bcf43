import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { isAsciiDigit, isAsciiLetter } from '../../private/ascii';

/** The domain of `<number>-compute@developer.gserviceaccount.com` and `<project>@appspot.gserviceaccount.com`. */
const DEFAULT_SERVICE_ACCOUNT_DOMAIN = /@(developer|appspot)\.gserviceaccount\.com\b/gi;

/**
 * The default compute or App Engine service account a text names, if any: what
 * `/\b(\d+-compute@developer\.gserviceaccount\.com|[a-z][a-z0-9-]*@appspot\.gserviceaccount\.com)\b/i` matched, found
 * from each domain back to the name's start (that regex rescanned a long `a-a-a-…` run from every letter: 100 KB, 11 s).
 */
export function defaultServiceAccountIn(text: string): string | undefined {
  const domain = new RegExp(DEFAULT_SERVICE_ACCOUNT_DOMAIN);
  for (let m = domain.exec(text); m !== null; m = domain.exec(text)) {
    const at = m.index;
    const end = at + m[0].length;
    if (m[1].toLowerCase() === 'developer') {
      // <digits>-compute, the digits starting at a word boundary.
      const dash = at - '-compute'.length;
      if (dash < 1 || text.slice(dash, at).toLowerCase() !== '-compute') continue;
      let start = dash;
      while (start > 0 && isAsciiDigit(text.charCodeAt(start - 1))) start--;
      if (start < dash && (start === 0 || !isWordChar(text.charCodeAt(start - 1)))) return text.slice(start, end);
    } else {
      // [a-z][a-z0-9-]*: the leftmost letter of the run before `@` that starts a word.
      let run = at;
      while (run > 0 && isNameChar(text.charCodeAt(run - 1))) run--;
      for (let q = run; q < at; q++) {
        if (isAsciiLetter(text.charCodeAt(q)) && (q === 0 || !isWordChar(text.charCodeAt(q - 1)))) return text.slice(q, end);
      }
    }
  }
  return undefined;
}

const isNameChar = (c: number) => isAsciiLetter(c) || isAsciiDigit(c) || c === 45;
const isWordChar = (c: number) => isAsciiLetter(c) || isAsciiDigit(c) || c === 95;

function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

/** GCP-005: no default compute / App Engine service accounts for agents, nor grants to or on them. */
export const GCP_DEFAULT_SERVICE_ACCOUNTS_RULE: Rule = {
  id: 'GCP-005',
  cloud: 'gcp',
  severity: 'error',
  reason: 'The default compute or App Engine service account is used, granted roles, or granted on.',
  explanation: 'The default compute (<number>-compute@developer.gserviceaccount.com) and App Engine (<project>@appspot.gserviceaccount.com) '
    + 'service accounts are shared by every VM, function and app that does not name another one, and often hold roles/editor. '
    + 'Work done as them cannot be told apart or revoked per tool; a grant on them lets the grantee act as all that workload.',
  fix: 'Create a dedicated service account per tool (the AgentIdentity construct does), grant it the narrow roles, and run workloads as it.',
  controls: ['CKV_GCP_30', 'CKV_GCP_31', 'CKV_GCP_46', 'CKV_GCP_47', 'CKV_GCP_48'],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'gcp');
    const findings: RawFinding[] = [];
    for (const g of allowGrants(inventory, 'gcp')) {
      const to = defaultServiceAccountIn(g.principal ?? '');
      const on = g.resources.map(defaultServiceAccountIn).find((x) => x !== undefined);
      if (!to && !on) continue;
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      findings.push(findingAt('gcp', g.source, {
        detail: to ? 'grant-to-default' : 'grant-on-default',
        identity: identity?.id,
        message: to
          ? `${g.source.resource} grants ${g.role} to the default service account ${to}.`
          : `${g.source.resource} grants ${g.role} on the default service account ${on} to ${principalOf(g, identity)}.`,
        fix: GCP_DEFAULT_SERVICE_ACCOUNTS_RULE.fix,
      }));
    }
    for (const o of inventory.others) {
      if (o.cloud !== 'gcp' || /_iam_(member|binding|policy)$/.test(o.type)) continue;
      const used = stringsIn(o.properties).map(defaultServiceAccountIn).find((x) => x !== undefined);
      if (!used) continue;
      findings.push(findingAt('gcp', o.source, {
        detail: 'runs-as-default',
        message: `${o.source.resource} runs as the default service account ${used}.`,
        fix: GCP_DEFAULT_SERVICE_ACCOUNTS_RULE.fix,
      }));
    }
    return findings;
  },
};
