import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { LruCache } from "./lru";

describe("LruCache", () => {
  test("never holds more than its capacity, whatever is stored", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), (capacity, keys) => {
        const cache = new LruCache<string, number>(capacity);
        keys.forEach((key, i) => cache.set(key, i));
        expect(cache.size).toBeLessThanOrEqual(capacity);
        expect(cache.size).toBe(Math.min(capacity, new Set(keys).size));
      }),
    );
  });

  test("forgets the least recently used entry first: a read counts as a use", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, undefined, 3]);
  });

  test("replacing a value keeps one entry for the key", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("a", 2);
    expect([cache.size, cache.get("a")]).toEqual([1, 2]);
  });

  test("refuses a capacity that could not hold anything", () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
