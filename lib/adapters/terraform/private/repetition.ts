import { isObject, nestedBlocks, TerraformBlock } from './terraform-blocks';
import { TerraformReferences } from './terraform-references';
import { own, setOwn } from '../../../private/own';
import { BoundedCache } from '../../../private/bounded-cache';

/**
 * Terraform's repetition: the `for_each` and `count` meta-arguments
 * (https://developer.hashicorp.com/terraform/language/meta-arguments/for_each) make one instance of a block per
 * element, addressed `type.name["key"]` / `type.name[0]`, in which `each.key`/`each.value` or `count.index` stand for
 * the element; `dynamic` blocks (https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks) make one
 * nested block per element. Grants are written this way all the time (one `google_project_iam_member` over a set of
 * roles, bindings of a `google_iam_policy` from a map), so each instance is read as the grant it is.
 * A `for_each` or `count` whose collection cannot be known offline leaves the block as written: its `each.*` values
 * then stay unresolved and are reported. A `dynamic` block whose collection cannot be known is reported (its nested
 * blocks could hold anything): never skipped silently.
 */

/** Instances (blocks and nested blocks) made per configuration at most; past it, the rest stay as written or are reported. */
const MAX_INSTANCES = 10_000;
/**
 * Values and characters the copies may hold per configuration at most: a large body times many keys (or a long element
 * written into many places) would otherwise make memory grow with their product, not with the input's size.
 */
const MAX_COPIED = 1_000_000;

/** Why a `dynamic` block past the budgets is reported. */
const PAST_BUDGET = `makes more blocks or copies than one configuration may (${MAX_INSTANCES} blocks, ${MAX_COPIED} copied values), past what is read`;

/** What is left of the configuration's budgets. */
interface Budget { instances: number; copied: number }
/** Nesting read for `dynamic` blocks and substitutions (input is JSON of any depth; no unbounded recursion). */
const MAX_NESTING = 32;

/** A `dynamic` block that could not be expanded: reported by the caller as unresolved. */
export interface RepetitionProblem {
  readonly block: TerraformBlock;
  readonly field: string;
  readonly problem: string;
}

/**
 * The blocks with every known `for_each`/`count` expanded into instances and every known `dynamic` block into nested blocks.
 * `mayHoldDynamic: false` (the configuration holds no `dynamic` key anywhere, as its reader knows) skips the walk of
 * every body that looks for them.
 */
export function expandRepetition(blocks: readonly TerraformBlock[], refs: TerraformReferences, mayHoldDynamic = true): { blocks: TerraformBlock[]; problems: RepetitionProblem[] } {
  const budget: Budget = { instances: MAX_INSTANCES, copied: MAX_COPIED };
  const out: TerraformBlock[] = [];
  const problems: RepetitionProblem[] = [];
  for (const declared of blocks) {
    for (const instance of instancesOf(declared, refs, budget)) {
      const body = mayHoldDynamic ? expandDynamic(instance.body, refs, budget, (field, problem) => problems.push({ block: instance, field, problem }), '', 0) : instance.body;
      out.push(body === instance.body ? instance : { ...instance, body });
    }
  }
  return { blocks: out, problems };
}

/** A block's instances: one per for_each element or count index when the collection is known, else the block as written. */
function instancesOf(block: TerraformBlock, refs: TerraformReferences, budget: Budget): TerraformBlock[] {
  if (block.body.for_each === undefined && block.body.count === undefined) return [block];
  const { for_each: forEach, count, ...body } = block.body;
  if (forEach !== undefined) {
    const elements = elementsOf(refs.collection(forEach));
    if (elements === undefined || elements.length > budget.instances) return [block];
    budget.instances -= elements.length;
    const made = elements.map(([key, value]) => ({ ...block, address: `${block.address}[${JSON.stringify(key)}]`, body: substitute(body, 'each', key, value, budget, 0) as Record<string, unknown> }));
    // Copies past the budget: the block stays as written (its each.* values are reported), and so does every later one.
    return budget.copied < 0 ? [block] : made;
  }
  if (count !== undefined) {
    const n = refs.count(count);
    if (n === undefined || n > budget.instances) return [block];
    budget.instances -= n;
    const made = Array.from({ length: n }, (_, i) => ({ ...block, address: `${block.address}[${i}]`, body: substitute(body, 'count', i, undefined, budget, 0) as Record<string, unknown> }));
    return budget.copied < 0 ? [block] : made;
  }
  return [block];
}

/** The (key, value) pairs of a for_each collection (a set of strings or a map), or undefined when not known. */
function elementsOf(collection: unknown): [string, unknown][] | undefined {
  if (Array.isArray(collection)) {
    if (!collection.every((e) => typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean')) return undefined;
    return [...new Set(collection.map(String))].map((e) => [e, e]);
  }
  return isObject(collection) ? Object.entries(collection) : undefined;
}

/** `body` with its `dynamic` blocks (at any level of nesting) turned into the nested blocks they make; `path` prefixes reported fields. */
function expandDynamic(body: Record<string, unknown>, refs: TerraformReferences, budget: Budget, report: (field: string, problem: string) => void, path: string, depth: number): Record<string, unknown> {
  if (depth > MAX_NESTING) return body;
  // Copied only where something changes: most blocks hold no dynamic block at all, so the walk allocates nothing
  // for them (no entry pairs, no mapped arrays; it visits every block body of the configuration).
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (k === 'dynamic' || typeof v !== 'object' || v === null) continue;
    let made: unknown = v;
    if (Array.isArray(v)) {
      let items: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (!isObject(x)) continue;
        const e = expandDynamic(x, refs, budget, report, `${path}${k}.`, depth + 1);
        if (e !== x) (items ??= v.slice())[i] = e;
      }
      if (items) made = items;
    } else {
      made = expandDynamic(v as Record<string, unknown>, refs, budget, report, `${path}${k}.`, depth + 1);
    }
    if (made !== v) setOwn(out ??= { ...body }, k, made);
  }
  if (body.dynamic === undefined) return out ?? body;
  out ??= { ...body };
  delete out.dynamic;
  for (const group of nestedBlocks(body.dynamic)) {
    for (const [label, spec] of Object.entries(group)) {
      const s = isObject(spec) ? spec : {};
      const iterator = typeof s.iterator === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.iterator) ? s.iterator : label;
      const elements = /^[A-Za-z_][A-Za-z0-9_]*$/.test(iterator) ? elementsOf(refs.collection(s.for_each)) : undefined;
      const content = isObject(s.content) ? s.content : undefined;
      if (elements === undefined || content === undefined || elements.length > budget.instances || budget.copied < 0) {
        report(`${path}dynamic.${label}${content === undefined ? '' : '.for_each'}`, content === undefined
          ? 'has no content block, so the nested blocks it makes cannot be read'
          : elements === undefined ? 'is a collection not known offline, so the nested blocks it makes (and what they grant) cannot be read'
            : PAST_BUDGET);
        continue;
      }
      budget.instances -= elements.length;
      const made = elements.map(([key, value]) => expandDynamic(substitute(content, iterator, key, value, budget, 0) as Record<string, unknown>, refs, budget, report, `${path}${label}.`, depth + 1));
      if (budget.copied < 0) {
        report(`${path}dynamic.${label}.for_each`, PAST_BUDGET);
        continue;
      }
      setOwn(out, label, [...nestedBlocks(own(out, label)), ...made]);
    }
  }
  return out;
}

/**
 * A copy of `value` with the iterator's references written in: an interpolation that is only `it.key`, `it.value`,
 * `it.value.attr` (or `count.index`) becomes the element itself (a string element may hold references, which resolve
 * as written); inside a larger expression they become HCL literals (`sa[each.key]` → `sa["api"]`).
 */
function substitute(value: unknown, iterator: string, key: string | number, element: unknown, budget: Budget, depth: number): unknown {
  // Every value copied and every character written in is taken from the budget; the copy stops once it is spent.
  if (--budget.copied < 0) return value;
  if (typeof value === 'string') {
    if (!value.includes(`${iterator}.`)) return value;
    const written = substituteText(value, iterator, key, element, budget.copied);
    // Past the budget, the text is not written at all (a long element times many references in one string).
    budget.copied = written === undefined ? -1 : budget.copied - written.length;
    return written ?? value;
  }
  if (depth > MAX_NESTING) return value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, iterator, key, element, budget, depth + 1));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, iterator, key, element, budget, depth + 1)]));
  return value;
}

/** An interpolation (no nested braces: linear). */
const INTERPOLATION = /\$\{([^{}]*)\}/g;

/** One iterator's reference patterns, made once per iterator name (names come from the input: the cache is bounded). */
const ITERATOR_PATTERNS = new BoundedCache<string, { token: RegExp; only: RegExp }>(1_000);

function iteratorPatterns(iterator: string): { token: RegExp; only: RegExp } {
  const made = ITERATOR_PATTERNS.get(iterator);
  if (made) return made;
  // it.key, count.index, it.value, it.value.attr or it.value["attr"] (how CDKTF iterators write an attribute).
  const token = new RegExp(`(?<![A-Za-z0-9_.])${iterator}\\.(?:(key|index)|value(?:\\.([A-Za-z_][A-Za-z0-9_]*)|\\["([^"\\\\]*)"\\])?)(?![A-Za-z0-9_])`, 'g');
  return ITERATOR_PATTERNS.set(iterator, { token, only: new RegExp(`^\\s*${token.source}\\s*$`) });
}

/** `text` with the iterator's references written in, or undefined when what is written in would pass `limit` characters. */
function substituteText(text: string, iterator: string, key: string | number, element: unknown, limit: number): string | undefined {
  const { token, only: onlyToken } = iteratorPatterns(iterator);
  // Counted as it is written: the result of one replace can be the element's length times the references in the text.
  let writtenIn = 0;
  const count = (s: string): string => {
    writtenIn += s.length;
    return s;
  };
  const valueOf = (isKey: string | undefined, attribute: string | undefined): unknown => {
    if (isKey !== undefined) return (isKey === 'index') === (iterator === 'count') ? key : undefined;
    if (iterator === 'count') return undefined;
    return attribute === undefined ? element : isObject(element) ? own(element, attribute) : undefined;
  };
  const out = text.replace(INTERPOLATION, (whole, expr: string) => {
    const only = onlyToken.exec(expr);
    if (only) {
      const v = valueOf(only[1], only[2] ?? only[3]);
      return writtenIn > limit ? whole : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? count(String(v)) : whole;
    }
    const replaced = expr.replace(token, (t, isKey: string | undefined, dotted: string | undefined, quoted: string | undefined) => {
      const v = valueOf(isKey, dotted ?? quoted);
      return writtenIn > limit ? t : typeof v === 'string' ? count(JSON.stringify(v)) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : t;
    });
    return `\${${replaced}}`;
  });
  return writtenIn > limit ? undefined : out;
}
