/**
 * Configuration from the isolate's memory: a lead's hot path reads its tree,
 * lead points and publisher from here, and D1 only on a miss. The cache is
 * valid for the configuration generation it was built from; an isolate checks
 * the generation at most once per TTL (one tiny read), and a write made by
 * this isolate drops the cache at once.
 */
import type { TreePoint } from "../core/tree";
import { buyersByIds, leadPointsByIds, getTree, publisherByKeyHash, readGeneration, type Publisher, type TreeRecord } from "./config";
import type { Db } from "./db";

export interface TreeSnapshot {
  tree: TreeRecord;
  points: ReadonlyMap<string, TreePoint>;
}

export class ConfigCache {
  private generation = -1;
  private checkedAt = -Infinity;
  private checking: Promise<void> | undefined;
  private trees = new Map<string, Promise<TreeSnapshot | undefined>>();
  private publishers = new Map<string, Promise<Publisher | undefined>>();

  constructor(private readonly ttlMs: number) {}

  invalidate(): void {
    this.trees.clear();
    this.publishers.clear();
    this.checkedAt = -Infinity;
  }

  async tree(db: Db, id: string, now = Date.now()): Promise<TreeSnapshot | undefined> {
    await this.revalidate(db, now);
    return this.memo(this.trees, id, () => loadSnapshot(db, id));
  }

  async publisher(db: Db, apiKeyHash: string, now = Date.now()): Promise<Publisher | undefined> {
    await this.revalidate(db, now);
    return this.memo(this.publishers, apiKeyHash, () => publisherByKeyHash(db, apiKeyHash));
  }

  private memo<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
    let entry = map.get(key);
    if (!entry) {
      entry = load();
      map.set(key, entry);
      // A failed load must not stay cached: the next lead retries D1.
      entry.catch(() => map.delete(key));
    }
    return entry;
  }

  private revalidate(db: Db, now: number): Promise<void> {
    if (now - this.checkedAt < this.ttlMs) return Promise.resolve();
    this.checking ??= readGeneration(db)
      .then((generation) => {
        if (generation !== this.generation) {
          this.trees.clear();
          this.publishers.clear();
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

async function loadSnapshot(db: Db, id: string): Promise<TreeSnapshot | undefined> {
  const tree = await getTree(db, id);
  if (!tree) return undefined;
  const ids = tree.tiers.flatMap((tier) => tier.positions.map((position) => position.leadPointId));
  const points = await leadPointsByIds(db, ids);
  const enabledBuyers = new Set((await buyersByIds(db, [...new Set(points.map((p) => p.buyerId))])).filter((b) => b.enabled).map((b) => b.id));
  return { tree, points: new Map(points.map((point) => [point.id, { ...point, buyerEnabled: enabledBuyers.has(point.buyerId) }])) };
}

let shared: ConfigCache | undefined;

/** The isolate's one cache; its TTL comes from the first environment that asks. */
export function configCacheFor(ttlMs: number): ConfigCache {
  shared ??= new ConfigCache(ttlMs);
  return shared;
}
