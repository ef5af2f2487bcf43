import { Grant } from '../../../inventory/inventory';

/**
 * The resources a grant really reaches. A GCP grant whose CEL condition pins `resource.name`
 * (`resource.name == "…"`, `resource.name.startsWith("…")`, joined by `||`, possibly `&&`-ed
 * with other tests such as a time window) reaches only those names: `startsWith` becomes a
 * trailing `*`. Anything we cannot read that way keeps the grant's own resources (fail closed:
 * a condition never widens, and an unreadable one does not narrow).
 */
export function effectiveResources(grant: Grant): string[] {
  if (grant.cloud !== 'gcp' || typeof grant.condition !== 'string') return grant.resources;
  return resourceNameRestriction(grant.condition) ?? grant.resources;
}

/** The `resource.name` patterns a CEL expression restricts to, or undefined when it does not. */
export function resourceNameRestriction(expression: string): string[] | undefined {
  const expr = stripParens(expression.trim());
  const anyOf = splitTopLevel(expr, '||');
  if (anyOf.length > 1) {
    const parts = anyOf.map(resourceNameRestriction);
    return parts.every((p): p is string[] => p !== undefined) ? parts.flat() : undefined;
  }
  const allOf = splitTopLevel(expr, '&&');
  if (allOf.length > 1) {
    // Every conjunct must hold, so any one restriction bounds the whole; take the first we can read.
    for (const part of allOf) {
      const r = resourceNameRestriction(part);
      if (r) return r;
    }
    return undefined;
  }
  const eq = /^resource\.name\s*==\s*"([^"\\]*)"$/.exec(expr) ?? /^"([^"\\]*)"\s*==\s*resource\.name$/.exec(expr);
  if (eq) return [eq[1]];
  const prefix = /^resource\.name\.startsWith\(\s*"([^"\\]*)"\s*\)$/.exec(expr);
  if (prefix) return [`${prefix[1]}*`];
  return undefined;
}

/** Split on a binary operator outside parentheses and string literals. */
function splitTopLevel(expr: string, op: '&&' | '||'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && expr.startsWith(op, i)) {
      parts.push(stripParens(expr.slice(start, i).trim()));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  parts.push(stripParens(expr.slice(start).trim()));
  return parts;
}

/** Remove parentheses that wrap the whole expression. */
function stripParens(expr: string): string {
  let e = expr;
  while (e.startsWith('(') && e.endsWith(')') && wrapsWhole(e)) e = e.slice(1, -1).trim();
  return e;
}

function wrapsWhole(e: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < e.length; i++) {
    const c = e[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0 && i < e.length - 1) return false;
    }
  }
  return true;
}
