/**
 * Append `items` to `target` one by one. `target.push(...items)` passes every item as an argument
 * and overflows the call stack past about 125,000 items (a template set with many grants).
 */
export function pushAll<T>(target: T[], items: Iterable<T>): void {
  // Arrays by index: a loop over an iterable that is not always an array allocates a result object per item.
  if (Array.isArray(items)) {
    for (let i = 0; i < items.length; i++) target.push(items[i]);
    return;
  }
  for (const item of items) target.push(item);
}
