import * as fc from 'fast-check';
import { globCovers, globsIntersect } from '../../../../lib/rules/agent/private/resource-match';

/** A concrete string the glob `pattern` matches, with its wildcards filled from `fills`. */
function instantiate(pattern: string, fills: string[]): string {
  let i = 0;
  return pattern.replace(/[*?]/g, (w) => {
    const fill = fills[i++ % fills.length] ?? '';
    return w === '?' ? (fill[0] ?? 'x') : fill;
  });
}

function matches(pattern: string, s: string): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`).test(s);
}

const alphabet = fc.constantFrom('a', 'b', '/', '*', '?');
const pattern = fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join(''));
const fills = fc.array(fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 4 }).map((cs) => cs.join('')), { minLength: 1, maxLength: 4 });

describe('globCovers is sound: what it accepts, the declared pattern really covers', () => {
  test('every string matched by the granted pattern is matched by the declared one', () => {
    fc.assert(fc.property(pattern, pattern, fills, (declared, granted, f) => {
      fc.pre(globCovers(declared, granted));
      expect(matches(declared, instantiate(granted, f))).toBe(true);
    }), { numRuns: 5000 });
  });

  test('a pattern covers itself, and * covers everything', () => {
    fc.assert(fc.property(pattern, (p) => globCovers(p, p) && globCovers('*', p)));
  });
});

describe('globsIntersect finds every common match', () => {
  test('when a concrete string matches both patterns, they intersect', () => {
    const concrete = fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 6 }).map((cs) => cs.join(''));
    fc.assert(fc.property(pattern, pattern, concrete, (a, b, s) => {
      fc.pre(matches(a, s) && matches(b, s));
      expect(globsIntersect(a, b)).toBe(true);
    }), { numRuns: 3000 });
  });

  test('when they intersect, instantiating both through the common string works for literal patterns', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 6 }).map((cs) => cs.join('')), pattern, (literal, p) => {
      expect(globsIntersect(literal, p)).toBe(matches(p, literal));
    }), { numRuns: 3000 });
  });
});

