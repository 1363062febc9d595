/**
 * A map that holds at most `capacity` entries and forgets the least recently
 * used one first. Every cache keyed by something a client or an operator
 * chooses (a presented key, a pattern) is one of these, so no input can grow
 * an isolate's memory without bound.
 */
export class LruCache<K, V> {
  // A Map iterates in insertion order, so re-inserting on use keeps the
  // least recently used entry first.
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`an LRU cache needs a capacity of at least 1, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
