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
/**
 * Values and characters the copies may hold per configuration at most: a large body times many keys (or a long element
 * written into many places) would otherwise make memory grow with their product, not with the input's size.
 */
const MAX_COPIED = 1_000_000;

/** `${each.key}`, `${each.value}` and `${each.value.attr}` interpolations (no nesting: linear, no backtracking). */
const EACH = /\$\{\s*each\.(key|value)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?\s*\}/g;

/** The blocks with every `for_each` whose collection is known expanded into its instances. */
export function expandForEach(blocks: readonly TerraformBlock[], refs: TerraformReferences): TerraformBlock[] {
  let instancesLeft = MAX_INSTANCES;
  const copy = { left: MAX_COPIED };
  const out: TerraformBlock[] = [];
  for (const block of blocks) {
    const elements = block.body.for_each === undefined ? undefined : forEachElements(block.body.for_each, refs);
    const instances = elements === undefined || elements.length > instancesLeft ? undefined : instancesOf(block, elements, copy);
    if (instances === undefined) {
      out.push(block);
      continue;
    }
    instancesLeft -= instances.length;
    for (const instance of instances) out.push(instance);
  }
  return out;
}

/** One block per element, or undefined when the copies would exceed what is left of the copy budget. */
function instancesOf(block: TerraformBlock, elements: [string, unknown][], copy: { left: number }): TerraformBlock[] | undefined {
  const { for_each: _, ...body } = block.body;
  const instances: TerraformBlock[] = [];
  for (const [key, value] of elements) {
    const written = substitute(body, key, value, copy);
    if (copy.left < 0) return undefined;
    instances.push({ ...block, address: `${block.address}[${JSON.stringify(key)}]`, body: written as Record<string, unknown> });
  }
  return instances;
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

/**
 * A copy of `value` with each.key / each.value (and each.value.attr of an object element) written in; every value
 * copied and every character written in is taken from `copy.left` (the copy stops once it is spent).
 */
function substitute(value: unknown, key: string, element: unknown, copy: { left: number }): unknown {
  if (--copy.left < 0) return value;
  if (typeof value === 'string') {
    if (!value.includes('each.')) return value;
    const written = value.replace(EACH, (whole, which: string, attribute: string | undefined) => {
      const v = which === 'key' ? key : attribute === undefined ? element : isObject(element) ? element[attribute] : undefined;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      // A string element is written as it is: an interpolation in it (a reference) resolves as written.
      return typeof v === 'string' ? v : whole;
    });
    copy.left -= written.length;
    return written;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, key, element, copy));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, key, element, copy)]));
  return value;
}
