import { Grant } from '../../../inventory/inventory';
import { splitTopLevel, stripParens } from '../../private/cel-text';

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
