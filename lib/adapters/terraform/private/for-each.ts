import { isObject, TerraformBlock } from './terraform-blocks';
import { TerraformReferences } from './terraform-references';

/**
 * Terraform's `for_each` meta-argument (https://developer.hashicorp.com/terraform/language/meta-arguments/for_each):
 * one instance of the block per element of a set or map, addressed `type.name["key"]`, in which `each.key` and
 * `each.value` stand for the element. Grants are written this way all the time (one `google_project_iam_member` over a
 * set of roles), so each instance is read as the grant it is. A collection that cannot be known offline leaves the
 * block as written: its `${each.…}` values then stay unresolved and are reported (fail closed).
 */

/** Instances made per configuration at most; past it, blocks stay as written (their each.* values are reported). */
const MAX_INSTANCES = 10_000;

/** `${each.key}`, `${each.value}` and `${each.value.attr}` interpolations (no nesting: linear, no backtracking). */
const EACH = /\$\{\s*each\.(key|value)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?\s*\}/g;

/** The blocks with every `for_each` whose collection is known expanded into its instances. */
export function expandForEach(blocks: readonly TerraformBlock[], refs: TerraformReferences): TerraformBlock[] {
  let budget = MAX_INSTANCES;
  const out: TerraformBlock[] = [];
  for (const block of blocks) {
    if (block.body.for_each === undefined) {
      out.push(block);
      continue;
    }
    const elements = forEachElements(block.body.for_each, refs);
    if (elements === undefined || elements.length > budget) {
      out.push(block);
      continue;
    }
    budget -= elements.length;
    const { for_each: _, ...body } = block.body;
    for (const [key, value] of elements) {
      out.push({ ...block, address: `${block.address}[${JSON.stringify(key)}]`, body: substitute(body, key, value) as Record<string, unknown> });
    }
  }
  return out;
}

/** The (key, value) pairs of a for_each collection, or undefined when it cannot be known offline. */
function forEachElements(value: unknown, refs: TerraformReferences): [string, unknown][] | undefined {
  const collection = refs.collection(value);
  if (Array.isArray(collection)) {
    // A set of strings: each.key and each.value are the element.
    if (!collection.every((e) => typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean')) return undefined;
    return [...new Set(collection.map(String))].map((e) => [e, e]);
  }
  if (isObject(collection)) return Object.entries(collection);
  return undefined;
}

/** A copy of `value` with each.key / each.value (and each.value.attr of an object element) written in. */
function substitute(value: unknown, key: string, element: unknown): unknown {
  if (typeof value === 'string') {
    if (!value.includes('each.')) return value;
    return value.replace(EACH, (whole, which: string, attribute: string | undefined) => {
      const v = which === 'key' ? key : attribute === undefined ? element : isObject(element) ? element[attribute] : undefined;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      // A string element is written as it is: an interpolation in it (a reference) resolves as written.
      return typeof v === 'string' ? v : whole;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, key, element));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, key, element)]));
  return value;
}
