import { Grant } from '../../../inventory/inventory';
import { GlobOptions, globMatch } from '../../../private/glob-match';
import { BoundedCache } from '../../../private/bounded-cache';

export { allowGrants, findingAt, identitiesById, principalOf } from '../../gcp/private/gcp-rule-helpers';

const AZURE_GLOB: GlobOptions = { questionWildcard: false, slashStarMayBeEmpty: true };

/**
 * Azure action glob match, case-insensitive. `*` matches any characters, and a `/*\/` segment
 * may also match nothing (`userAssignedIdentities/*\/assign/action` covers `userAssignedIdentities/assign/action`).
 */
export function azureGlobMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === value.toLowerCase();
  return globMatch(pattern, value, AZURE_GLOB);
}

/**
 * Whether two action globs can match a common action: `Microsoft.Authorization/policy*\/*` and
 * `Microsoft.Authorization/*\/write` share `…/policyAssignments/write`, which no literal instance of
 * either shows. Walks the product of the two patterns' automata (positions i in `a`, j in `b`), so the
 * cost is at most |a| × |b| steps and never backtracks; callers pass a short catalog target as one side.
 */
export function azureGlobsOverlap(a: string, b: string): boolean {
  if (!a.includes('*')) return azureGlobMatches(b, a);
  if (!b.includes('*')) return azureGlobMatches(a, b);
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const width = y.length + 1;
  const seen = new Set<number>();
  const stack: number[] = [];
  const push = (i: number, j: number) => {
    for (const p of closure(x, i)) for (const q of closure(y, j)) {
      const key = p * width + q;
      if (!seen.has(key)) { seen.add(key); stack.push(key); }
    }
  };
  push(0, 0);
  while (stack.length > 0) {
    const key = stack.pop()!;
    const i = Math.floor(key / width);
    const j = key % width;
    if (i === x.length && j === y.length) return true;
    if (i === x.length || j === y.length) continue;
    const starA = x[i] === '*';
    const starB = y[j] === '*';
    // One character of the common action: a star stays put while it consumes it, a literal must equal it.
    if (starA && !starB) push(i, j + 1);
    else if (!starA && starB) push(i + 1, j);
    else if (!starA && !starB && x[i] === y[j]) push(i + 1, j + 1);
  }
  return false;
}

/** Positions reachable from `i` without consuming a character: past a star, and past an Azure `/*\/` to its `/`. */
function closure(p: string, i: number): number[] {
  const out = [i];
  for (let k = 0; k < out.length; k++) {
    const at = out[k];
    if (p[at] !== '*') continue;
    out.push(at + 1);
    // `a/*\/b` also matches `a/b`: the star and the `/` after it may both be empty.
    if (p[at - 1] === '/' && p[at + 1] === '/') out.push(at + 2);
  }
  return out;
}

/**
 * Whether a grant's actions reach `target` (an action or an action glob), after its not_actions.
 * Returns the action that reaches it.
 */
export function grantReaches(grant: Pick<Grant, 'actions' | 'notActions'>, target: string): string | undefined {
  const hit = grant.actions.find((a) => azureGlobsOverlap(a, target));
  if (!hit) return undefined;
  // Excluded only when one not_action covers the whole target (a glob target must be covered as a glob).
  if ((grant.notActions ?? []).some((n) => azureGlobMatches(n, target))) return undefined;
  return hit;
}

/**
 * `grantReaches` for one list of targets over many grants, as a rule asks it of every grant: each
 * distinct action (and not_action) is compared with the targets once per evaluation, not once per
 * grant that lists it (a role's actions repeat on every assignment of the role). The tables are
 * bounded (`BoundedCache`): input with more distinct actions than they keep costs recomputation.
 */
export class TargetReach {
  private readonly overlapping = new BoundedCache<string, readonly number[]>(20_000, 2_000_000, (_k, v) => v.length + 1);
  private readonly covering = new BoundedCache<string, readonly number[]>(20_000, 2_000_000, (_k, v) => v.length + 1);

  constructor(private readonly targets: readonly string[]) {}

  /** The targets `grant` reaches, in target order, each with the first of its actions that reaches it (what `grantReaches` returns). */
  public reached(grant: Pick<Grant, 'actions' | 'notActions'>): { t: string; via: string }[] {
    const via: (string | undefined)[] = [];
    let any = false;
    for (const a of grant.actions) {
      for (const i of this.targetsOf(this.overlapping, a, azureGlobsOverlap)) {
        if (via[i] === undefined) {
          via[i] = a;
          any = true;
        }
      }
    }
    if (!any) return [];
    for (const n of grant.notActions ?? []) for (const i of this.targetsOf(this.covering, n, azureGlobMatches)) via[i] = undefined;
    const out: { t: string; via: string }[] = [];
    for (let i = 0; i < this.targets.length; i++) {
      const a = via[i];
      if (a !== undefined) out.push({ t: this.targets[i], via: a });
    }
    return out;
  }

  /** Positions of the targets `test(action, target)` holds for, remembered per action. */
  private targetsOf(table: BoundedCache<string, readonly number[]>, action: string, test: (action: string, target: string) => boolean): readonly number[] {
    const known = table.get(action);
    if (known !== undefined) return known;
    const hits: number[] = [];
    for (let i = 0; i < this.targets.length; i++) if (test(action, this.targets[i])) hits.push(i);
    return table.set(action, hits.length === 0 ? NONE : hits);
  }
}

const NONE: readonly number[] = [];

/** An ABAC condition that constrains which roles or principals a role-assignment write may touch. */
export function isDelegationCondition(condition: unknown): boolean {
  return typeof condition === 'string' && /@(Request|Resource)\[Microsoft\.Authorization\/roleAssignments:(RoleDefinitionId|PrincipalId|PrincipalType)\]/i.test(condition);
}
