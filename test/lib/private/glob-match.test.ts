import fc from 'fast-check';
import { Glob, GLOB_MAX_LENGTH, globMatch } from '../../../lib/private/glob-match';

/** Reference: the anchored RegExp the matcher replaces (fine on the short inputs generated here). */
function referenceIam(pattern: string, value: string, caseInsensitive = true, questionExcludes = ''): boolean {
  const q = questionExcludes ? `[^${questionExcludes.replace(/[\]\\^-]/g, '\\$&')}]` : '.';
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, q);
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's').test(value);
}

/** Reference for Azure: `/*\/` may also match `/`; `?` is literal. */
function referenceAzure(pattern: string, value: string): boolean {
  const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const body = pattern.split('/*/').map((part) => part.split('*').map(escape).join('.*')).join('(?:/.*)?/');
  return new RegExp(`^${body}$`, 'is').test(value);
}

const patternChars = fc.constantFrom('a', 'b', 'A', '*', '?', '/', ':', '.');
const valueChars = fc.constantFrom('a', 'b', 'A', 'B', '/', ':', '.', '*', '?');
const patterns = fc.array(patternChars, { maxLength: 12 }).map((cs) => cs.join(''));
const values = fc.array(valueChars, { maxLength: 16 }).map((cs) => cs.join(''));
/** A value built from the pattern (so that matches are common, not only misses). */
const derived = (p: string) => fc.array(fc.constantFrom('', 'a', 'b/', 'ab', '/'), { minLength: p.length, maxLength: p.length })
  .map((fill) => [...p].map((ch, i) => (ch === '*' ? fill[i] : ch === '?' ? 'x' : ch)).join(''));

describe('Glob: one linear-time wildcard matcher', () => {
  test('agrees with the RegExp reference on random IAM patterns (case-insensitive)', () => {
    fc.assert(fc.property(patterns, values, (p, v) => globMatch(p, v) === referenceIam(p, v)), { numRuns: 5000, seed: 13 });
    fc.assert(fc.property(patterns.chain((p) => fc.tuple(fc.constant(p), derived(p))), ([p, v]) => globMatch(p, v) === referenceIam(p, v)), { numRuns: 3000, seed: 14 });
  });

  test('agrees with the reference when case-sensitive (broker resources)', () => {
    fc.assert(fc.property(patterns, values, (p, v) => globMatch(p, v, { caseInsensitive: false }) === referenceIam(p, v, false)), { numRuns: 5000, seed: 15 });
  });

  test('agrees with the reference when `?` may not match `*` (pattern covering a pattern)', () => {
    const opts = { caseInsensitive: false, questionExcludes: '*' };
    fc.assert(fc.property(patterns, values, (p, v) => globMatch(p, v, opts) === referenceIam(p, v, false, '*')), { numRuns: 5000, seed: 16 });
  });

  test('agrees with the Azure reference (`/*/` may be one `/`, `?` literal)', () => {
    const opts = { questionWildcard: false, slashStarMayBeEmpty: true };
    fc.assert(fc.property(patterns, values, (p, v) => globMatch(p, v, opts) === referenceAzure(p, v)), { numRuns: 5000, seed: 17 });
    fc.assert(fc.property(patterns.chain((p) => fc.tuple(fc.constant(p), derived(p))), ([p, v]) => globMatch(p, v, opts) === referenceAzure(p, v)), { numRuns: 3000, seed: 18 });
  });

  test('IAM examples', () => {
    expect(globMatch('s3:Get*', 's3:getobject')).toBe(true);
    expect(globMatch('iam:*Policy*', 'iam:PutRolePolicy')).toBe(true);
    expect(globMatch('iam:?ass*', 'iam:PassRole')).toBe(true);
    expect(globMatch('iam:?ass*', 'iam:ass')).toBe(false);
    expect(globMatch('arn:aws:s3:::b/*', 'arn:aws:s3:::B/x', { caseInsensitive: false })).toBe(false);
    expect(globMatch('*', 'anything\nat all')).toBe(true);
    expect(globMatch('a*b', 'a\nb')).toBe(true);
  });

  test('backtracking patterns from the issue are decided by bounded work', () => {
    // `iam:` + `*?` × 30 against a long action; `(*a)×25*b` against `arn:aws:s3:::aaaa…`.
    expect(globMatch(`iam:${'*?'.repeat(30)}`, `iam:${'x'.repeat(29)}`)).toBe(false);
    expect(globMatch(`iam:${'*?'.repeat(30)}`, `iam:${'x'.repeat(30)}`)).toBe(true);
    expect(globMatch(`${'*a'.repeat(25)}*b`, `arn:aws:s3:::${'a'.repeat(5000)}`, { caseInsensitive: false })).toBe(false);
    const broker = 'arn:aws:s3:::lake/*/year=*/month=*/day=*/*.parquet';
    expect(globMatch(broker, `arn:aws:s3:::lake/${'year=/month=/day=/'.repeat(110)}x`, { caseInsensitive: false })).toBe(false);
    expect(globMatch(`${'*a'.repeat(1000)}*b`, 'a'.repeat(GLOB_MAX_LENGTH))).toBe(false);
  });

  test('inputs past the length budget are refused with a typed error, never matched', () => {
    expect(() => globMatch('a*', 'a'.repeat(GLOB_MAX_LENGTH + 1))).toThrow(/AG_GLOB_TOO_LONG/);
    expect(() => Glob.compile('*'.repeat(GLOB_MAX_LENGTH + 1))).toThrow(/AG_GLOB_TOO_LONG/);
  });

  test('parameter-like names are plain text', () => {
    expect(globMatch('iam:${valueOf}', 'iam:${valueof}')).toBe(true);
    expect(globMatch('__proto__', '__proto__')).toBe(true);
    expect(globMatch('constructor', 'toString')).toBe(false);
  });
});
