/**
 * A least-recently-used cache with a fixed number of entries, built on `Map` insertion order.
 *
 * Used to memoise pure per-string work on the hot path (user-agent parsing and matching): the
 * number of distinct user agents in a traffic mix is small compared with the number of clicks, so
 * a few thousand entries absorb almost every lookup while the bound keeps memory flat when an
 * attacker sends a new random user agent with every request. `undefined` cannot be stored (it
 * reads as a miss). Not thread-shared: each worker or process has its own.
 */
export class BoundedLru<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  /** @param capacity most entries kept; the least recently used one is dropped beyond it (at least 1). */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached value for `key`, marking it most recently used; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end of the Map's iteration order (most recent).
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores `value` under `key` as the most recently used entry, evicting the oldest when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** The cached value for `key`, computing and storing it with `compute` on a miss. */
  getOrCompute(key: K, compute: (key: K) => V): V {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = compute(key);
    this.set(key, value);
    return value;
  }
}
