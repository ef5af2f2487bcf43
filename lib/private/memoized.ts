/**
 * The value kept for `owner` and `key` in `table` (a weak map of per-owner maps), computed on first
 * use: for memos that live as long as their owner (an inventory, an index, a boundary) and are keyed
 * by what the rules ask of it.
 */
export function memoized<O extends object, K, V>(table: WeakMap<O, Map<K, V>>, owner: O, key: K, compute: () => V): V {
  let perOwner = table.get(owner);
  if (!perOwner) {
    perOwner = new Map();
    table.set(owner, perOwner);
  }
  let hit = perOwner.get(key);
  if (hit === undefined) {
    hit = compute();
    perOwner.set(key, hit);
  }
  return hit;
}
