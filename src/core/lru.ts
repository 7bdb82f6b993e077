/**
 * A small least-recently-used cache on a Map (insertion order is recency order), bounded by the
 * entries' total weight: by default each weighs 1, so the bound is a count.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  /**
   * `max`: the bound on the total weight; the least recently used entries go first past it.
   * `weigh` (e.g. a string's length): with it, an entry heavier than a quarter of the bound is not
   * kept, so one entry cannot empty the cache of everything else.
   */
  constructor(
    private readonly max: number,
    private readonly weigh?: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e?.value;
  }

  set(key: K, value: V): void {
    let weight = 1;
    if (this.weigh) {
      weight = this.weigh(value);
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`Lru: the weight of an entry must be a finite number ≥ 0, not ${weight}`);
      if (weight > this.max / 4) return;
    }
    const old = this.map.get(key);
    if (old !== undefined) {
      this.total -= old.weight;
      this.map.delete(key);
    }
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.map) {
      if (this.total <= this.max) break;
      this.map.delete(k);
      this.total -= e.weight;
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** The entries' total weight (their count when unweighted). */
  get weight(): number {
    return this.total;
  }
}
