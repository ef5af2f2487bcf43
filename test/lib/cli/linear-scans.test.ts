import fc from 'fast-check';
import { azureScopeLevel } from '../../../lib/adapters/terraform/private/azure-reader';
import { bracketTerm, isIssuerClaim, replaceClosedPlaceholders, roleNameOf, trailingEmail } from '../../../lib/private/linear-scans';
import { parseAcknowledgementTerms } from '../../../lib/rules/agent/acknowledgements';
import { withoutPlaceholderColons } from '../../../lib/rules/agent/private/agent-inventory';

/**
 * The scans that replaced backtracking regexes on input: each answers what its regex answered (compared on short
 * strings of the characters the regex cares about), and each reads a long hostile string in one pass (the old
 * regexes took seconds to minutes on these sizes: a regression shows as the test's timeout, not a timed assertion).
 */
const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 24 }).map((a) => a.join(''));
const RUNS = { numRuns: 2000, seed: 2207 };

describe('linear scans answer what the regexes they replace answered', () => {
  test('placeholders ${…}', () => {
    fc.assert(fc.property(text(['$', '{', '}', 'a', '!', '.', ':']), (s) => {
      const mark = (whole: string, name: string) => `<${name}|${whole.length}>`;
      expect(replaceClosedPlaceholders(s, mark)).toBe(s.replace(/\$\{([^}]*)\}/g, mark));
    }), RUNS);
  });

  test('the email a service account id ends with', () => {
    fc.assert(fc.property(text(['@', '/', ':', 'a', '.']), (s) => {
      expect(trailingEmail(s)).toBe(/([^/:]+@[^/]+)$/.exec(s)?.[1]);
    }), RUNS);
  });

  test('the role name of a role ARN', () => {
    fc.assert(fc.property(text([':role/', '/', ':', 'r', 'x']), (s) => {
      expect(roleNameOf(s)).toBe(/:role\/(?:.*\/)?([^/]+)$/.exec(s)?.[1]);
    }), RUNS);
  });

  test('[owner: …] and [expires: …] terms', () => {
    fc.assert(fc.property(text(['[owner:', '[OWNER:', '[expires:', ']', ' ', '\t', 'b', '[']), (s) => {
      expect(bracketTerm(s, /\[owner:/gi, true)).toBe(/\[owner:\s*([^\]\s][^\]]*?)\s*\]/i.exec(s)?.[1]);
      expect(bracketTerm(s, /\[expires:/gi, false)).toBe(/\[expires:\s*([^\]]*?)\s*\]/i.exec(s)?.[1]);
    }), RUNS);
  });

  test('web-identity claim keys', () => {
    fc.assert(fc.property(text(['.', ':', 'a', 'sub', 'aud', ':sub']), (s) => {
      expect(isIssuerClaim(s)).toBe(/^[^:]+\.[^:]+:(sub|aud|amr|oaud|azp)$/.test(s));
    }), RUNS);
  });
});

describe('linear scans and regexes read long hostile strings in one pass', () => {
  const long = 200_000;
  test('unclosed placeholders', () => {
    const s = '${'.repeat(long / 2);
    expect(replaceClosedPlaceholders(s, () => 'x')).toBe(s);
    expect(withoutPlaceholderColons(`${s}:x`)).toBe(`${s}:x`);
  });

  test('a run of @, of dots, of whitespace in a term, of slashes', () => {
    expect(trailingEmail(`${'@'.repeat(long)}/`)).toBeUndefined();
    expect(isIssuerClaim(`b${'.s'.repeat(long / 2)}o`)).toBe(false);
    expect(roleNameOf(`${':role/:'.repeat(long / 7)}/`)).toBeUndefined();
    expect(parseAcknowledgementTerms(`[expires:${'\t'.repeat(long)}`)).toEqual({ owner: undefined, expiresText: undefined, expires: undefined });
    expect(parseAcknowledgementTerms(`${'[OWNER:E'.repeat(long / 8)}${'\t'.repeat(long)}`).owner).toBeUndefined();
    expect(azureScopeLevel(`${'/'.repeat(long)}\u0000/`)).toBe('resource');
  });
});
