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

/**
 * Remove parentheses that wrap the whole expression (and the whitespace inside them). Each pair is matched once, in
 * one pass: peeling `((((…))))` by rescanning the rest per pair was quadratic in the nesting (100 KB of it, 72 s).
 */
export function stripParens(s: string): string {
  if (!s.startsWith('(')) return s;
  const closing = closingParens(s);
  let first = 0;
  let last = s.length - 1;
  while (first < last && s[first] === '(' && closing[first] === last) {
    first++;
    last--;
    while (first <= last && WHITESPACE.test(s[first])) first++;
    while (last >= first && WHITESPACE.test(s[last])) last--;
  }
  return s.slice(first, last + 1);
}

/** A character `String.prototype.trim` removes. */
const WHITESPACE = /\s/;

/** For each `(` outside string literals, the index of the `)` closing it (-1 when none does). */
function closingParens(s: string): Int32Array {
  const closing = new Int32Array(s.length).fill(-1);
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') open.push(i);
    else if (c === ')' && open.length > 0) closing[open.pop()!] = i;
  }
  return closing;
}
