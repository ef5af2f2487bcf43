/**
 * A faithful evaluator of the subset of the Cloud Logging query language the monitor's sink filter
 * uses (tests only): comparisons `path = "string"`, `AND`, `OR` and parentheses
 * (https://cloud.google.com/logging/docs/view/logging-query-language). Semantics as documented:
 * - string comparisons are case-insensitive ("The Logging query language is case-insensitive, with
 *   the exception of regular expressions and logical operators");
 * - a path names fields of the LogEntry JSON; through a repeated field, a comparison holds when it
 *   holds for any element;
 * - a missing field never equals a value;
 * - `AND` binds tighter than `OR` (as written: the filter parenthesises every mixture anyway).
 * Anything else (`:`, `=~`, `NOT`, `<`, bare values, implicit AND) is refused: a test never proves
 * something with syntax this evaluator does not model. A hand-written scanner: no regex over input.
 */
type Node = { readonly op: 'and' | 'or'; readonly parts: Node[] } | { readonly op: 'eq'; readonly path: string[]; readonly value: string };

export function parseLoggingFilter(filter: string): Node {
  let i = 0;
  const skip = () => { while (i < filter.length && (filter[i] === ' ' || filter[i] === '\n' || filter[i] === '\t')) i += 1; };
  const keyword = (word: string) => {
    skip();
    if (filter.startsWith(word, i) && (filter[i + word.length] === ' ' || filter[i + word.length] === '(')) {
      i += word.length;
      return true;
    }
    return false;
  };
  const fail = (what: string): never => { throw new Error(`unsupported filter syntax at ${i}: ${what} (${filter.slice(i, i + 30)})`); };
  const expr = (): Node => {
    const parts = [term()];
    while (keyword('OR')) parts.push(term());
    return parts.length === 1 ? parts[0] : { op: 'or', parts };
  };
  const term = (): Node => {
    const parts = [factor()];
    while (keyword('AND')) parts.push(factor());
    return parts.length === 1 ? parts[0] : { op: 'and', parts };
  };
  const factor = (): Node => {
    skip();
    if (filter[i] === '(') {
      i += 1;
      const inner = expr();
      skip();
      if (filter[i] !== ')') fail('expected )');
      i += 1;
      return inner;
    }
    const start = i;
    while (i < filter.length && /[A-Za-z0-9_.@]/.test(filter[i])) i += 1;
    const path = filter.slice(start, i);
    if (path.length === 0 || path === 'NOT') fail('expected a field path');
    skip();
    if (filter[i] !== '=' || filter[i + 1] === '~') fail('only = is modelled');
    i += 1;
    skip();
    if (filter[i] !== '"') fail('expected a string literal');
    i += 1;
    let value = '';
    while (i < filter.length && filter[i] !== '"') {
      if (filter[i] === '\\') i += 1;
      value += filter[i];
      i += 1;
    }
    if (filter[i] !== '"') fail('unterminated string');
    i += 1;
    return { op: 'eq', path: path.split('.'), value };
  };
  const root = expr();
  skip();
  if (i !== filter.length) fail('trailing input');
  return root;
}

function valuesAt(entry: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [entry];
  for (const key of path) {
    const next: unknown[] = [];
    for (const v of current) {
      for (const item of Array.isArray(v) ? v : [v]) {
        if (typeof item === 'object' && item !== null && key in item) {
          const child = (item as Record<string, unknown>)[key];
          if (Array.isArray(child)) next.push(...child); else next.push(child);
        }
      }
    }
    current = next;
  }
  return current;
}

function evaluate(node: Node, entry: unknown): boolean {
  if (node.op === 'and') return node.parts.every((p) => evaluate(p, entry));
  if (node.op === 'or') return node.parts.some((p) => evaluate(p, entry));
  if (node.op !== 'eq') return false;
  const want = node.value.toLowerCase();
  return valuesAt(entry, node.path).some((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v).toLowerCase() === want);
}

/** Whether a sink with this filter routes this LogEntry. */
export function matchesLoggingFilter(filter: string, entry: unknown): boolean {
  return evaluate(parseLoggingFilter(filter), entry);
}
