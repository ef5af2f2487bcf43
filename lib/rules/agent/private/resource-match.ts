import { Cloud } from '../../../inventory/inventory';
import { withoutTrailingSlashes } from '../../../private/linear-scans';

/**
 * Whether every string the `granted` pattern can match is also matched by the `declared`
 * pattern (IAM globs: `*` any run, `?` one character). A literal `*` in `granted` can only be
 * covered by a `*` in `declared`, so `b/*` is not within `b/logs/*`, and `a*` is not within `a?`.
 */
export function globCovers(declared: string, granted: string, ignoreCase = false): boolean {
  const d = ignoreCase ? declared.toLowerCase() : declared;
  const g = ignoreCase ? granted.toLowerCase() : granted;
  // Equal strings cover each other (a `*` covers a `*`, a `?` a `?`): the common case of a grant
  // written from its declaration, decided without the table below.
  if (d === g) return true;
  if (!d.includes('*') && !d.includes('?')) return false;
  // Dynamic programming over (position in d, position in g), one row kept and updated in place:
  // row[j] says whether d's prefix read so far can match g's first j characters.
  const row = rowOf(g.length + 1);
  row[0] = 1;
  for (let i = 0; i < d.length; i++) {
    const dc = d[i];
    if (dc === '*') {
      // A run of anything: reachable from any shorter prefix.
      for (let j = 1; j <= g.length; j++) if (row[j - 1]) row[j] = 1;
    } else {
      // One character: right to left, so row[j - 1] is still the previous row's.
      for (let j = g.length; j >= 1; j--) {
        const gc = g[j - 1];
        row[j] = row[j - 1] && (dc === '?' ? gc !== '*' : dc === gc && gc !== '*' && gc !== '?') ? 1 : 0;
      }
      row[0] = 0;
    }
  }
  return row[g.length] === 1;
}

/** A zeroed row of `n` cells, reusing one buffer (globCovers runs for every grant of thousands of roles). */
function rowOf(n: number): Uint8Array {
  if (ROW.length < n) ROW = new Uint8Array(Math.max(n, ROW.length * 2));
  const row = ROW.subarray(0, n);
  row.fill(0);
  return row;
}

let ROW = new Uint8Array(256);

/**
 * Whether a granted resource lies within one of the declared resources or data sources.
 * AWS ARNs match by glob only; GCP resource names and Azure scopes also cover their children
 * (a grant on a topic is within a declared project), never their parents.
 */
export function resourceWithin(cloud: Cloud, granted: string, declared: readonly string[]): boolean {
  const ignoreCase = cloud === 'azure';
  const norm = (s: string) => (cloud === 'azure' ? withoutTrailingSlashes(s) : s);
  const g = norm(granted);
  return declared.some((raw) => {
    const d = norm(raw);
    if (globCovers(d, g, ignoreCase)) return true;
    if (cloud === 'aws' || d === '') return false;
    const dl = ignoreCase ? d.toLowerCase() : d;
    const gl = ignoreCase ? g.toLowerCase() : g;
    // A child of the declared resource, or a prefix pattern (`…/objects/*`) that stays below it.
    const literal = gl.endsWith('*') ? gl.slice(0, -1) : gl;
    return literal.startsWith(`${dl}/`) && !/[*?]/.test(literal);
  });
}

/** Whether a granted action is one of the declared actions (globs allowed on the declared side). */
export function actionWithin(granted: string, declared: readonly string[]): boolean {
  return declared.some((d) => globCovers(d, granted, true));
}

/**
 * Whether two IAM globs (`*`, `?`) match at least one common string, e.g. Azure `*` and
 * `*\/delete`, or `Microsoft.Compute/*` and `*\/delete`. Case-insensitive.
 */
export function globsIntersect(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let out: boolean;
    if (i === x.length && j === y.length) out = true;
    else if (i < x.length && x[i] === '*') out = go(i + 1, j) || (j < y.length && go(i, j + 1));
    else if (j < y.length && y[j] === '*') out = go(i, j + 1) || (i < x.length && go(i + 1, j));
    else if (i < x.length && j < y.length) out = (x[i] === y[j] || x[i] === '?' || y[j] === '?') && go(i + 1, j + 1);
    else out = false;
    memo.set(key, out);
    return out;
  };
  return go(0, 0);
}
