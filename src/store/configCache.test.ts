import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { ConfigCache } from "./configCache";
import { dbOf } from "./db";

/** The test D1 behind a double that records every statement, to see when the cache asks D1. */
function countingDb() {
  const statements: string[] = [];
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") {
        return (sql: string) => {
          statements.push(sql);
          return target.prepare(sql);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: dbOf(d1), publisherLookups: () => statements.filter((sql) => sql.includes('from "publishers"')).length };
}

const NOW = 1_000_000;
const unknownKey = (i: number) => `unknown-key-hash-${i}-${Math.random()}`;

describe("ConfigCache.publisher", () => {
  test("remembers an unknown key: asked again, D1 is not", async () => {
    const { db, publisherLookups } = countingDb();
    const cache = new ConfigCache(60_000);
    const key = unknownKey(0);
    expect(await cache.publisher(db, key, NOW)).toBeUndefined();
    expect(await cache.publisher(db, key, NOW)).toBeUndefined();
    expect(publisherLookups()).toBe(1);
  });

  test("remembers at most its bound of unknown keys: a flood pushes the oldest out, and the newest stay", async () => {
    const { db, publisherLookups } = countingDb();
    const cache = new ConfigCache(60_000, { maxRememberedMisses: 3 });
    const keys = Array.from({ length: 10 }, (_, i) => unknownKey(i));
    for (const key of keys) await cache.publisher(db, key, NOW);
    expect(publisherLookups()).toBe(10);

    for (const key of keys.slice(-3)) await cache.publisher(db, key, NOW);
    expect(publisherLookups(), "the three newest unknown keys were remembered").toBe(10);
    await cache.publisher(db, keys[0] ?? "", NOW);
    expect(publisherLookups(), "the oldest unknown key was forgotten").toBe(11);
  });

  test("forgets unknown keys when the configuration changes, so a new publisher's key is found", async () => {
    const { db, publisherLookups } = countingDb();
    const cache = new ConfigCache(60_000);
    const key = unknownKey(0);
    await cache.publisher(db, key, NOW);
    cache.invalidate();
    await cache.publisher(db, key, NOW);
    expect(publisherLookups()).toBe(2);
  });

  test("keeps one lookup in flight per key", async () => {
    const { db, publisherLookups } = countingDb();
    const cache = new ConfigCache(60_000);
    const key = unknownKey(0);
    await Promise.all([cache.publisher(db, key, NOW), cache.publisher(db, key, NOW), cache.publisher(db, key, NOW)]);
    expect(publisherLookups()).toBe(1);
  });
});
