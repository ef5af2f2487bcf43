/**
 * A memo table of bounded size: when an entry would take it past its limits (entries, or total
 * weight, e.g. the length of the arrays it holds) it starts over. Real templates repeat a few
 * thousand patterns and ARNs, so the table keeps them all; hostile input (millions of distinct
 * strings) costs recomputation, never unbounded memory. The same policy as `cachedGlob` in
 * `lib/private/glob-match.ts`.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  private weight = 0;

  /**
   * @param maxEntries entries kept at most
   * @param maxWeight total weight kept at most (with `weigh`)
   * @param weigh the weight of one entry (default: none, only entries count)
   */
  constructor(private readonly maxEntries: number, private readonly maxWeight = Infinity, private readonly weigh?: (key: K, value: V) => number) {}

  public has(key: K): boolean {
    return this.entries.has(key);
  }

  public get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Remember `value` under `key` (starting over first when it would not fit); returns `value`. */
  public set(key: K, value: V): V {
    const w = this.weigh ? this.weigh(key, value) : 0;
    if (this.entries.size >= this.maxEntries || this.weight + w > this.maxWeight) {
      this.entries.clear();
      this.weight = 0;
    }
    // One entry heavier than the whole table is returned, not kept.
    if (w > this.maxWeight) return value;
    this.entries.set(key, value);
    this.weight += w;
    return value;
  }
}
