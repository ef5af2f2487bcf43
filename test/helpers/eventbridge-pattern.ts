/**
 * A local EventBridge pattern matcher for tests, written from the EventBridge User Guide ("Amazon
 * EventBridge event patterns", "Content filtering in Amazon EventBridge event patterns"): every
 * field of the pattern must be in the event with the same nesting; a leaf is an array of
 * alternatives (OR), fields are AND; a scalar alternative matches an equal value, or any element of
 * an array value; `$or` matches when any of its sub-patterns does; content filters `prefix`,
 * `suffix`, `equals-ignore-case`, `anything-but` (value or list) and `exists`. Anything else throws,
 * so a test never passes on a filter this matcher does not know. No npm package offers a
 * maintained matcher (the official one, Event Ruler, is Java); `eventbridge-pattern.test.ts` checks
 * this one against the guide's own examples.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return matchObject(pattern, event);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function matchObject(pattern: Record<string, unknown>, event: unknown): boolean {
  for (const [key, p] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(p) || p.length < 2) throw new Error('$or takes an array of at least two patterns');
      if (!p.some((sub) => matchObject(sub as Record<string, unknown>, event))) return false;
      continue;
    }
    const value = isObject(event) ? event[key] : undefined;
    const present = isObject(event) && Object.prototype.hasOwnProperty.call(event, key);
    if (Array.isArray(p)) {
      if (!matchLeaf(p, value, present)) return false;
    } else if (isObject(p)) {
      if (!present || !matchObject(p, value)) return false;
    } else {
      throw new Error(`pattern field ${key} must be an array or an object`);
    }
  }
  return true;
}

function matchLeaf(alternatives: unknown[], value: unknown, present: boolean): boolean {
  if (alternatives.length === 0) throw new Error('an empty alternative list matches nothing and is refused by EventBridge');
  return alternatives.some((alt) => {
    if (isObject(alt)) return matchFilter(alt, value, present);
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => isObject(v) ? false : v === alt);
  });
}

function matchFilter(filter: Record<string, unknown>, value: unknown, present: boolean): boolean {
  const keys = Object.keys(filter);
  if (keys.length !== 1) throw new Error(`content filter must have one operator; got ${keys.join(', ')}`);
  const [op] = keys;
  const arg = filter[op] as Json;
  if (op === 'exists') return arg === present;
  if (!present) return false;
  const values = (Array.isArray(value) ? value : [value]) as Json[];
  const strings = values.filter((v): v is string => typeof v === 'string');
  switch (op) {
    case 'prefix': return strings.some((v) => v.startsWith(String(arg)));
    case 'suffix': return strings.some((v) => v.endsWith(String(arg)));
    case 'equals-ignore-case': return strings.some((v) => v.toLowerCase() === String(arg).toLowerCase());
    case 'anything-but': {
      if (isObject(arg)) throw new Error('anything-but with a nested filter is not implemented here');
      const excluded = Array.isArray(arg) ? arg : [arg];
      return values.some((v) => !excluded.includes(v));
    }
    default: throw new Error(`content filter ${op} is not implemented by this matcher`);
  }
}
