import { splitTopLevel } from '../../private/cel-text';

/**
 * Token claims the issuer sets from facts an outsider cannot choose: the repository or its owner
 * (GitHub: https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect,
 * GitLab: project/namespace, Terraform Cloud: organization/workspace), and the full `sub`. Claims such
 * as `workflow`, `actor`, `ref` or `environment` are names anyone can give their own repository's runs.
 */
const PINNING_CLAIMS: ReadonlySet<string> = new Set([
  'sub', 'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'enterprise', 'enterprise_id',
  'project_path', 'project_id', 'namespace_path', 'namespace_id',
  'terraform_organization_id', 'terraform_organization_name', 'terraform_workspace_id',
]);

/** Claims whose prefix names an owner: `repo:<owner>/…` (sub) and `<owner>/…` (repository, project_path). */
const OWNER_PREFIXED: Readonly<Record<string, string>> = { sub: 'repo:', repository: '', project_path: '' };

const PATH = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** A string literal's value (either quote, no escapes needed for the check), or undefined. */
function literal(s: string): string | undefined {
  const t = s.trim();
  if (t.length < 2 || (t[0] !== '"' && t[0] !== "'") || t[t.length - 1] !== t[0]) return undefined;
  const body = t.slice(1, -1);
  return body.includes(t[0]) ? undefined : body;
}

/** The assertion claim a CEL path reads (`assertion.repository`, or an attribute mapped to one). */
function claimOf(path: string, mapping: Readonly<Record<string, string>>): string | undefined {
  const p = path.trim();
  if (!PATH.test(p)) return undefined;
  if (p.startsWith('assertion.')) return p.slice('assertion.'.length);
  const mapped = mapping[p];
  return mapped !== undefined && PATH.test(mapped.trim()) && mapped.trim().startsWith('assertion.') ? mapped.trim().slice('assertion.'.length) : undefined;
}

/** Whether one conjunct pins a claim to values an outsider cannot produce. */
function pins(term: string, mapping: Readonly<Record<string, string>>): boolean {
  const eq = term.indexOf('==');
  if (eq > 0) {
    const [a, b] = [term.slice(0, eq), term.slice(eq + 2)];
    const claim = claimOf(a, mapping) ?? claimOf(b, mapping);
    const value = literal(b) ?? literal(a);
    return claim !== undefined && PINNING_CLAIMS.has(claim) && value !== undefined && value !== '';
  }
  const inAt = term.indexOf(' in ');
  if (inAt > 0) {
    const claim = claimOf(term.slice(0, inAt), mapping);
    const list = term.slice(inAt + 4).trim();
    if (claim === undefined || !PINNING_CLAIMS.has(claim) || !list.startsWith('[') || !list.endsWith(']')) return false;
    const items = list.slice(1, -1).split(',').map((x) => literal(x));
    return items.length > 0 && items.every((x) => x !== undefined && x !== '');
  }
  const sw = term.indexOf('.startsWith(');
  if (sw > 0 && term.endsWith(')')) {
    const claim = claimOf(term.slice(0, sw), mapping);
    const prefix = literal(term.slice(sw + '.startsWith('.length, -1));
    const ownerPrefix = claim !== undefined ? OWNER_PREFIXED[claim] : undefined;
    if (ownerPrefix === undefined || prefix === undefined || !prefix.startsWith(ownerPrefix)) return false;
    // The owner must be complete: `repo:my-org/` pins it, `repo:my-org` also admits `repo:my-org-evil/…`.
    const owner = prefix.slice(ownerPrefix.length);
    const slash = owner.indexOf('/');
    return slash > 0;
  }
  return false;
}

/** Past this nesting of parentheses a condition is not read further: it pins nothing (fail closed, bounded work). */
const MAX_NESTING = 16;

/**
 * The first alternative (`||`) of `expr` in which no conjunct (`&&`) pins a claim, or undefined when every
 * one does. A parenthesised conjunct (`(repository == a || repository == b) && ref == main`) pins when each
 * of its own alternatives does.
 */
function openAlternative(expr: string, mapping: Readonly<Record<string, string>>, depth: number): string | undefined {
  const alternatives = splitTopLevel(expr, '||');
  return alternatives.find((alt) => !splitTopLevel(alt, '&&').some((term) => {
    const nested = splitTopLevel(term, '||').length > 1 || splitTopLevel(term, '&&').length > 1;
    if (!nested) return pins(term, mapping);
    return depth < MAX_NESTING && openAlternative(term, mapping, depth + 1) === undefined;
  }));
}

/**
 * Why a workload identity provider's attribute condition lets outsiders in, or undefined when every
 * alternative (`||`) pins a claim an outsider cannot choose.
 */
export function unpinnedConditionReason(condition: string, mapping: Readonly<Record<string, string>>): string | undefined {
  const alternatives = splitTopLevel(condition, '||');
  const open = openAlternative(condition, mapping, 0);
  if (open === undefined) return undefined;
  return `${alternatives.length > 1 ? `its alternative "${open}"` : 'it'} pins no claim an outsider cannot choose `
    + '(the repository or owner, their ids, or the full sub); workflow, actor, ref or a prefix of a claim can be produced from any repository of the issuer';
}
