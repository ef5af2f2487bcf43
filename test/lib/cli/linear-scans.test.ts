import fc from 'fast-check';
import { azureScopeLevel } from '../../../lib/adapters/terraform/private/azure-reader';
import { terraformBlocks } from '../../../lib/adapters/terraform/private/terraform-blocks';
import { TerraformReferences } from '../../../lib/adapters/terraform/private/terraform-references';
import { expandRepetition } from '../../../lib/adapters/terraform/private/repetition';
import { bracketTerm, isIssuerClaim, replaceClosedPlaceholders, roleNameOf, trailingEmail, withoutTrailingSlashes } from '../../../lib/private/linear-scans';
import { stripParens } from '../../../lib/rules/private/cel-text';
import { defaultServiceAccountIn } from '../../../lib/rules/gcp/default-service-accounts';
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

  test('trailing slashes of Azure scopes and URLs', () => {
    fc.assert(fc.property(text(['/', 'a', ' ', ':']), (s) => {
      expect(withoutTrailingSlashes(s)).toBe(s.replace(/\/+$/, ''));
    }), RUNS);
  });

  test('[owner: …] and [expires: …] terms', () => {
    fc.assert(fc.property(text(['[owner:', '[OWNER:', '[expires:', ']', ' ', '\t', 'b', '[']), (s) => {
      expect(bracketTerm(s, /\[owner:/gi, true)).toBe(/\[owner:\s*([^\]\s][^\]]*?)\s*\]/i.exec(s)?.[1]);
      expect(bracketTerm(s, /\[expires:/gi, false)).toBe(/\[expires:\s*([^\]]*?)\s*\]/i.exec(s)?.[1]);
    }), RUNS);
  });

  test('parentheses wrapping a CEL expression', () => {
    // The peeling it replaced: rescan the rest for the pair closing the first parenthesis, once per pair.
    const closingParen = (t: string): number => {
      let depth = 0;
      let quote: string | undefined;
      for (let i = 0; i < t.length; i++) {
        const c = t[i];
        if (quote) {
          if (c === '\\') i++;
          else if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '(') depth++;
        else if (c === ')' && --depth === 0) return i;
      }
      return -1;
    };
    const peeled = (t: string): string => {
      while (t.startsWith('(') && closingParen(t) === t.length - 1) t = t.slice(1, -1).trim();
      return t;
    };
    fc.assert(fc.property(text(['(', '(', ')', ')', ' ', '\u00a0', '"', "'", '\\', 'a']), (s) => {
      expect(stripParens(s)).toBe(peeled(s));
    }), RUNS);
  });

  test('default compute and App Engine service accounts', () => {
    const parts = ['1', '12', '-compute', '-Compute', '@developer.gserviceaccount.com', '@APPSPOT.gserviceaccount.com', '@appspot.gserviceaccount.com', 'a', 'B', '-', '_', ' ', '.', 'x1'];
    fc.assert(fc.property(text(parts), (s) => {
      expect(defaultServiceAccountIn(s)).toBe(/\b(\d+-compute@developer\.gserviceaccount\.com|[a-z][a-z0-9-]*@appspot\.gserviceaccount\.com)\b/i.exec(s)?.[1]);
    }), { numRuns: 5000, seed: 2207 });
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
    expect(stripParens(`${'('.repeat(long / 2)}true${')'.repeat(long / 2)}`)).toBe('true');
    expect(defaultServiceAccountIn(`${'a-'.repeat(long / 2)}!x@appspot.gserviceaccount.com`)).toBe('x@appspot.gserviceaccount.com');
  });
});

describe('Terraform repetition writes no more than its copy budget into one string', () => {
  test('a long for_each element referenced thousands of times in one expression stays as written', () => {
    // 6,000 references to a 100,000-character element: 600 million characters once written in, past the longest
    // string V8 makes (the copy threw 'Invalid string length'; at 3,000 it held about 470 MB at peak).
    const element = 'x'.repeat(100_000);
    const expression = '${each.value}'.repeat(6_000);
    const doc = { resource: { google_project_iam_member: { m: { for_each: { a: element }, project: 'p', role: 'roles/owner', member: 'user:a@example.com', condition: { title: 't', expression } } } } };
    const blocks = terraformBlocks(doc);
    const { blocks: out } = expandRepetition(blocks, new TerraformReferences(doc, blocks, () => undefined));
    const written = JSON.stringify(out).length;
    expect(written).toBeLessThan(JSON.stringify(doc).length + 1_000_000);
    // Past the budget the block stays as written: its each.value is reported as unresolved, never read as harmless.
    expect(out.map((b) => b.address)).toEqual(['google_project_iam_member.m']);
  });
});
