/**
 * Append `items` to `target` one by one. `target.push(...items)` passes every item as an argument
 * and overflows the call stack past about 125,000 items (a template set with many grants).
 */
export function pushAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
