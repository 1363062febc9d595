import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { LeadPointInputSchema, TreeInputSchema } from "../core/config";
import { createBuyer, createLeadPoint, createPublisher, putTree, type Publisher } from "./config";
import { ConfigCache } from "./configCache";
import { rotateKey } from "./configEdits";
import { dbOf, type Db } from "./db";
import { hashKey } from "./ids";

/** The test D1 behind a double that records every statement, to see when the cache asks D1. */
function countingDb() {
  const statements: string[] = [];
  let batches = 0;
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") {
        return (sql: string) => {
          statements.push(sql);
          return target.prepare(sql);
        };
      }
      if (property === "batch") {
        return (batch: D1PreparedStatement[]) => {
          batches += 1;
          return target.batch(batch);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    db: dbOf(d1),
    publisherLookups: () => statements.filter((sql) => sql.includes('from "publishers"')).length,
    batches: () => batches,
    reads: () => statements.filter((sql) => sql.startsWith("select")).length,
  };
}

const NOW = 1_000_000;
const unknownKey = (i: number) => `unknown-key-hash-${i}-${Math.random()}`;

type Lookup = (cache: ConfigCache, db: Db, key: string) => Promise<Publisher | undefined>;
const publisherLookupsByName: [string, Lookup][] = [
  ["API key hash", (cache, db, key) => cache.publisher(db, key, NOW)],
  ["id", (cache, db, key) => cache.publisherById(db, key, NOW)],
];

describe("ConfigCache.publisher", () => {
  test.each(publisherLookupsByName)("remembers an unknown publisher %s: asked again, D1 is not", async (_name, lookup) => {
    const { db, publisherLookups } = countingDb();
    const cache = new ConfigCache(60_000);
    const key = unknownKey(0);
    expect(await lookup(cache, db, key)).toBeUndefined();
    expect(await lookup(cache, db, key)).toBeUndefined();
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

describe("ConfigCache.publisherById", () => {
  test("asks D1 once for a publisher, again after the configuration changes", async () => {
    const { db, publisherLookups } = countingDb();
    const { publisher } = await createPublisher(db, { name: "Cached by id", payout: { type: "fixed", amountCents: 100 }, landingDomains: ["Acme.example"] });
    const cache = new ConfigCache(60_000);
    const before = publisherLookups();
    expect(await cache.publisherById(db, publisher.id, NOW)).toMatchObject({ id: publisher.id, landingDomains: ["acme.example"] });
    expect(await cache.publisherById(db, publisher.id, NOW)).toMatchObject({ id: publisher.id });
    expect(publisherLookups() - before).toBe(1);
    cache.invalidate();
    await cache.publisherById(db, publisher.id, NOW);
    expect(publisherLookups() - before).toBe(2);
  });
});

describe("ConfigCache.buyer", () => {
  test("finds a buyer by its key hash, remembers an unknown key, and finds a key created after the configuration changed", async () => {
    const counted = countingDb();
    const cache = new ConfigCache(60_000);
    const buyerLookups = () => counted.reads() - counted.publisherLookups();
    const missing = unknownKey(0);
    expect(await cache.buyer(counted.db, missing, NOW)).toBeUndefined();
    const afterMiss = buyerLookups();
    expect(await cache.buyer(counted.db, missing, NOW)).toBeUndefined();
    expect(buyerLookups(), "an unknown key asked again").toBe(afterMiss);

    const { buyer, apiKey } = await createBuyer(counted.db, { name: "cached buyer", returnWindowHours: 24 });
    cache.invalidate();
    expect(await cache.buyer(counted.db, await hashKey(apiKey), NOW)).toMatchObject({ id: buyer.id, returnWindowHours: 24, enabled: true });
  });
});

describe("a rotated publisher key", () => {
  test("is refused at once by the isolate that rotated it, and by every other once its TTL has passed", async () => {
    const db = dbOf(env.DB);
    const ttlMs = 5_000;
    const [rotating, other] = [new ConfigCache(ttlMs), new ConfigCache(ttlMs)];
    const { publisher, apiKey } = await createPublisher(db, { name: "rotated", payout: { type: "fixed", amountCents: 1 } });
    const oldKey = await hashKey(apiKey);
    for (const isolate of [rotating, other]) expect(await isolate.publisher(db, oldKey, NOW)).toMatchObject({ id: publisher.id });

    const newKey = await hashKey((await rotateKey(db, "pub", publisher.id)) ?? "");
    rotating.invalidate();
    expect(await rotating.publisher(db, oldKey, NOW)).toBeUndefined();
    expect(await other.publisher(db, oldKey, NOW + ttlMs)).toBeUndefined();
    expect(await other.publisher(db, newKey, NOW + ttlMs)).toMatchObject({ id: publisher.id });
  });
});

describe("ConfigCache.tree", () => {
  test("reads the tree, its lead points and their buyers in one D1 batch, so a change is in the snapshot whole or not at all", async () => {
    const plain = dbOf(env.DB);
    const { buyer } = await createBuyer(plain, { name: "snapshot buyer", returnWindowHours: 72 });
    const point = await createLeadPoint(
      plain,
      LeadPointInputSchema.parse({ buyerId: buyer.id, name: "snapshot point", kind: "direct_post", post: { url: "https://buyer.example/post" }, pricing: { type: "fixed", priceCents: 700 } }),
    );
    const treeId = `snapshot-${Math.random().toString(36).slice(2)}`;
    await putTree(plain, treeId, TreeInputSchema.parse({ name: "t", vertical: "v", tiers: [{ name: "m", mode: "ordered", positions: [{ leadPointId: point.id }] }] }), 1);

    const { db, batches, reads } = countingDb();
    const cache = new ConfigCache(60_000);
    const snapshot = await cache.tree(db, treeId, NOW);
    expect(snapshot?.points.get(point.id)).toMatchObject({ pricing: { priceCents: 700 }, buyerEnabled: true });
    expect({ batches: batches(), readsOutsideIt: reads() - 3 }, "the generation check, then one batch of three reads").toEqual({ batches: 1, readsOutsideIt: 1 });
  });
});
