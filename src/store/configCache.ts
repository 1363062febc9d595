/**
 * Configuration from the isolate's memory: a lead's hot path reads its tree,
 * lead points and publisher from here, and D1 only on a miss. The cache is
 * valid for the configuration generation it was built from; an isolate checks
 * the generation at most once per TTL (one tiny read), and a write made by
 * this isolate drops the cache at once. Unknown keys are remembered too, in
 * a bounded number (Memo below).
 */
import { buyerByKeyHash, getPublisher, publisherByKeyHash, readGeneration, type Buyer, type Publisher } from "./config";
import type { Db } from "./db";
import { LruCache } from "../core/lru";
import { readSnapshot, type TreeSnapshot } from "./snapshot";

export type { TreeSnapshot };

export interface ConfigCacheOptions {
  /** How many unknown publisher or buyer keys (and tree or publisher ids) the cache remembers; past it the least recently asked is forgotten. */
  maxRememberedMisses?: number;
}

export class ConfigCache {
  private generation = -1;
  private checkedAt = -Infinity;
  private checking: Promise<void> | undefined;
  private readonly trees: Memo<TreeSnapshot>;
  private readonly publishers: Memo<Publisher>;
  private readonly publishersById: Memo<Publisher>;
  private readonly buyers: Memo<Buyer>;

  constructor(
    private readonly ttlMs: number,
    options: ConfigCacheOptions = {},
  ) {
    const maxMisses = options.maxRememberedMisses ?? 1_024;
    this.trees = new Memo(maxMisses);
    this.publishers = new Memo(maxMisses);
    this.publishersById = new Memo(maxMisses);
    this.buyers = new Memo(maxMisses);
  }

  invalidate(): void {
    this.forget();
    this.checkedAt = -Infinity;
  }

  async tree(db: Db, id: string, now = Date.now()): Promise<TreeSnapshot | undefined> {
    await this.revalidate(db, now);
    return this.trees.get(id, () => readSnapshot(db, id));
  }

  async publisher(db: Db, apiKeyHash: string, now = Date.now()): Promise<Publisher | undefined> {
    await this.revalidate(db, now);
    return this.publishers.get(apiKeyHash, () => publisherByKeyHash(db, apiKeyHash));
  }

  /** For click links, which name their publisher in the URL rather than carry its key. */
  async publisherById(db: Db, id: string, now = Date.now()): Promise<Publisher | undefined> {
    await this.revalidate(db, now);
    return this.publishersById.get(id, () => getPublisher(db, id));
  }

  async buyer(db: Db, apiKeyHash: string, now = Date.now()): Promise<Buyer | undefined> {
    await this.revalidate(db, now);
    return this.buyers.get(apiKeyHash, () => buyerByKeyHash(db, apiKeyHash));
  }

  private forget(): void {
    this.trees.clear();
    this.publishers.clear();
    this.publishersById.clear();
    this.buyers.clear();
  }

  private revalidate(db: Db, now: number): Promise<void> {
    if (now - this.checkedAt < this.ttlMs) return Promise.resolve();
    this.checking ??= readGeneration(db)
      .then((generation) => {
        if (generation !== this.generation) {
          this.forget();
          this.generation = generation;
        }
        this.checkedAt = now;
      })
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }
}

/**
 * One load in flight per key, its result kept until the configuration
 * changes. What exists is bounded by what operators created; what does not
 * exist is whatever a client makes up (a random API key per request), so
 * misses live in a bounded LRU: a wrong key sent again and again costs D1
 * nothing, a flood of made-up keys costs the isolate no memory.
 */
class Memo<T> {
  private readonly held = new Map<string, Promise<T | undefined>>();
  private readonly missing: LruCache<string, true>;

  constructor(maxMisses: number) {
    this.missing = new LruCache(maxMisses);
  }

  get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (this.missing.get(key)) return Promise.resolve(undefined);
    const held = this.held.get(key);
    if (held) return held;
    const loading = load();
    this.held.set(key, loading);
    // Settled after a clear, the load belongs to an older configuration and changes nothing.
    loading.then(
      (value) => {
        if (value !== undefined || this.held.get(key) !== loading) return;
        this.held.delete(key);
        this.missing.set(key, true);
      },
      // A failed load must not stay cached: the next lead retries D1.
      () => {
        if (this.held.get(key) === loading) this.held.delete(key);
      },
    );
    return loading;
  }

  clear(): void {
    this.held.clear();
    this.missing.clear();
  }
}

let shared: ConfigCache | undefined;

/** The isolate's one cache; its TTL comes from the first environment that asks. */
export function configCacheFor(ttlMs: number): ConfigCache {
  shared ??= new ConfigCache(ttlMs);
  return shared;
}
