/**
 * Append `value` to the list `map` holds under `key`, creating the list on first use. A push, not a
 * copy of the list per entry (`[...(map.get(key) ?? []), value]` is quadratic when one key collects
 * many entries, as hostile input can arrange). Only for lists the map alone holds while it is built.
 */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Add `value` to the set `map` holds under `key`, creating the set on first use (the Set twin of `appendTo`). */
export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
