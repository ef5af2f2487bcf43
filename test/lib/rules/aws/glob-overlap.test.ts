import fc from 'fast-check';
import { globsOverlap } from '../../../../lib/rules/aws/private/effective-permissions';

/** Reference: the memoized recursion the row-by-row program replaced (fine on short inputs). */
function referenceOverlap(a: string, b: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let r: boolean;
    if (i === a.length && j === b.length) r = true;
    else if (i < a.length && a[i] === '*') r = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '*') r = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i === a.length || j === b.length) r = false;
    else r = (a[i] === '?' || b[j] === '?' || a[i] === b[j]) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

describe('globsOverlap: two wildcard patterns naming a common resource', () => {
  const glob = fc.array(fc.constantFrom('a', 'b', '*', '?', '/'), { minLength: 1, maxLength: 10 }).map((cs) => cs.join(''));
  test('agrees with the recursive reference on random patterns', () => {
    fc.assert(fc.property(glob, glob, (a, b) => globsOverlap(a, b) === referenceOverlap(a, b)), { numRuns: 5000, seed: 21 });
  });

  test('agrees with the reference where literal heads and tails are matched before the program', () => {
    const part = fc.constantFrom('', 'log-group:', 'ab', 'a?', 'b');
    const framed = fc.tuple(part, glob, part).map(([head, g, tail]) => `${head}${g}${tail}`);
    fc.assert(fc.property(framed, framed, (a, b) => globsOverlap(a, b) === referenceOverlap(a, b)), { numRuns: 5000, seed: 8 });
  });

  test('long hostile patterns neither overflow the stack nor hang', () => {
    const long = `arn:aws:s3:::${'a*'.repeat(6000)}b`;
    expect(globsOverlap(long, `arn:aws:s3:::${'?a'.repeat(6000)}c`)).toBe(true); // past the budget: assumed to overlap
    expect(globsOverlap(`arn:aws:s3:::${'*a'.repeat(25)}*b`, `arn:aws:s3:::${'a'.repeat(3000)}*`)).toBe(true);
    expect(globsOverlap(`arn:aws:s3:::${'*a'.repeat(25)}*b`, `arn:aws:s3:::${'a'.repeat(3000)}?c`)).toBe(false);
  });
});
