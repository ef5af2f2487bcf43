/**
 * Textual helpers for GCP IAM condition expressions (CEL): enough structure for the rules'
 * offline questions, shared by the GCP rules and the agent rules. String literals may use either
 * quote; an unbalanced expression is left as it is (and so narrows nothing to the callers).
 */

/** Split on a top-level operator (`||` or `&&`), outside parentheses and string literals; parts trimmed and unwrapped. */
export function splitTopLevel(expr: string, op: '||' | '&&'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && expr.startsWith(op, i)) {
      parts.push(expr.slice(start, i));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => stripParens(p.trim()));
}

/** Remove parentheses that wrap the whole expression. */
export function stripParens(s: string): string {
  while (s.startsWith('(') && closingParen(s) === s.length - 1) s = s.slice(1, -1).trim();
  return s;
}

/** Index of the parenthesis closing the one at 0, outside string literals; -1 when unbalanced. */
function closingParen(s: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
