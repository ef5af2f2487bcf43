import * as fc from 'fast-check';
import { globMatches } from '../../../../lib/rules/gcp/private/gcp-rule-helpers';

/** globMatches on patterns without wildcards: case-insensitive equality, compared without lower-casing copies. */
describe('globMatches without wildcards', () => {
  const reference = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  // ASCII letters and punctuation next to their bit-5 partners (@ and `, [ and {), and characters whose lower case
  // is ASCII or longer (Kelvin sign, dotted capital I).
  const chars = fc.constantFrom('a', 'A', 'z', 'Z', 'k', 'K', 'i', 'I', '@', '`', '[', '{', '.', '_', '0', '\u212A', '\u0130', 'i\u0307', '\u00C9', '\u00E9');
  const text = fc.array(chars, { maxLength: 8 }).map((xs) => xs.join('').replace(/[*?]/g, ''));

  test('agrees with toLowerCase() equality', () => {
    fc.assert(fc.property(text, text, (a, b) => globMatches(a, b) === reference(a, b)), { numRuns: 20_000, seed: 9 });
  });

  test('case-insensitive on permissions; differing lengths and bit-5 punctuation are not equal', () => {
    expect(globMatches('iam.serviceAccounts.actAs', 'IAM.SERVICEACCOUNTS.ACTAS')).toBe(true);
    expect(globMatches('iam.serviceAccounts.actAs', 'iam.serviceAccounts.actAsX')).toBe(false);
    expect(globMatches('a@b', 'a`b')).toBe(false);
    expect(globMatches('\u212A', 'k')).toBe(true);
    expect(globMatches('\u0130', 'i\u0307')).toBe(true);
  });
});
