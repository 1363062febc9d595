/**
 * Configuration records in D1: publishers, buyers, lead points and ping
 * trees. Every write bumps the configuration generation in the same batch,
 * which is how isolates learn that their cached configuration is stale.
 */
import { eq, sql, desc } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { CapacityDeclaration } from "../core/capacity";
import type { BuyerInput, LeadPointInput, Payout, PublisherInput, TreeInput } from "../core/config";
import { type Db, nowIso } from "./db";
import { hashKey, newApiKey, newId } from "./ids";
import { buyers, configGeneration, leadPoints, pingTrees, pingTreeVersions, publishers, type GateShardEpoch } from "./schema";

export interface Publisher {
  id: string;
  name: string;
  payout: Payout;
  postbackUrl?: string;
  /** Lower case; empty when the publisher has none, which refuses every click link. */
  landingDomains: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Buyer {
  id: string;
  name: string;
  returnWindowHours: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export type LeadPointRecord = LeadPointInput & { id: string; createdAt: string; updatedAt: string };
export type TreeRecord = TreeInput & {
  id: string;
  version: number;
  /** The gate count of this version, and earlier counts whose keys may still be in their window. */
  gateShards: number;
  gateShardHistory: GateShardEpoch[];
  createdAt: string;
  updatedAt: string;
};

const bumpGeneration = (db: Db) =>
  db
    .insert(configGeneration)
    .values({ id: 1, generation: 1 })
    .onConflictDoUpdate({ target: configGeneration.id, set: { generation: sql`${configGeneration.generation} + 1` } });

export async function readGeneration(db: Db): Promise<number> {
  const row = await db.select({ generation: configGeneration.generation }).from(configGeneration).get();
  return row?.generation ?? 0;
}

/** One configuration write and the generation's bump, in one batch; answers what the write returned. */
export async function writeConfig<W extends BatchItem<"sqlite">>(db: Db, write: W) {
  const [written] = await db.batch([write, bumpGeneration(db)]);
  return written;
}

type PublisherRow = typeof publishers.$inferSelect;
type BuyerRow = typeof buyers.$inferSelect;
type LeadPointRow = typeof leadPoints.$inferSelect;
type TreeRow = typeof pingTrees.$inferSelect;

export function toPublisher(row: PublisherRow): Publisher {
  return {
    id: row.id,
    name: row.name,
    payout: row.payout,
    ...(row.postbackUrl ? { postbackUrl: row.postbackUrl } : {}),
    landingDomains: row.landingDomains,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toBuyer(row: BuyerRow): Buyer {
  return {
    id: row.id,
    name: row.name,
    returnWindowHours: row.returnWindowHours,
    enabled: row.enabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toLeadPoint(row: LeadPointRow): LeadPointRecord {
  return { ...row.document, id: row.id, enabled: row.enabled, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function toTree(row: TreeRow): TreeRecord {
  return {
    ...row.document,
    id: row.id,
    version: row.version,
    enabled: row.enabled,
    gateShards: row.gateShards,
    gateShardHistory: row.gateShardHistory,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function createPublisher(db: Db, input: PublisherInput): Promise<{ publisher: Publisher; apiKey: string }> {
  const apiKey = newApiKey("pub");
  const now = nowIso();
  const row: PublisherRow = {
    id: newId("pub"),
    name: input.name,
    apiKeyHash: await hashKey(apiKey),
    payout: input.payout,
    postbackUrl: input.postbackUrl ?? null,
    landingDomains: (input.landingDomains ?? []).map((domain) => domain.toLowerCase()),
    enabled: true,
    createdAt: now,
    updatedAt: now,
  };
  await writeConfig(db, db.insert(publishers).values(row));
  return { publisher: toPublisher(row), apiKey };
}

export async function createBuyer(db: Db, input: BuyerInput): Promise<{ buyer: Buyer; apiKey: string }> {
  const apiKey = newApiKey("buy");
  const now = nowIso();
  const row: BuyerRow = {
    id: newId("buy"),
    name: input.name,
    apiKeyHash: await hashKey(apiKey),
    returnWindowHours: input.returnWindowHours,
    enabled: true,
    createdAt: now,
    updatedAt: now,
  };
  await writeConfig(db, db.insert(buyers).values(row));
  return { buyer: toBuyer(row), apiKey };
}

export async function createLeadPoint(db: Db, input: LeadPointInput): Promise<LeadPointRecord> {
  const now = nowIso();
  const row: LeadPointRow = {
    id: newId("lp"),
    buyerId: input.buyerId,
    name: input.name,
    document: input,
    capacity: null,
    enabled: input.enabled,
    createdAt: now,
    updatedAt: now,
  };
  await writeConfig(db, db.insert(leadPoints).values(row));
  return toLeadPoint(row);
}

/** Whose a lead point is and the capacity its buyer declared, if any. */
export async function getLeadPointCapacity(db: Db, id: string): Promise<{ buyerId: string; capacity?: CapacityDeclaration } | undefined> {
  const row = await db.select({ buyerId: leadPoints.buyerId, capacity: leadPoints.capacity }).from(leadPoints).where(eq(leadPoints.id, id)).get();
  return row && { buyerId: row.buyerId, ...(row.capacity ? { capacity: row.capacity } : {}) };
}

/** Replaces the lead point's capacity declaration: trees read it with the lead point, from their next lead. */
export async function setLeadPointCapacity(db: Db, id: string, capacity: CapacityDeclaration): Promise<void> {
  await writeConfig(db, db.update(leadPoints).set({ capacity }).where(eq(leadPoints.id, id)));
}

/** Creates the tree or replaces its document with a new version; old versions are kept. */
/**
 * Saves a new version of a tree. Its gate count is recorded with it; when the
 * count changes, the old one is kept until the longest unique-lead window
 * opened under it has ended, so a duplicate inside its window still meets
 * the gate that admitted the first lead.
 */
export async function putTree(db: Db, id: string, input: TreeInput, defaultGateShards: number): Promise<{ tree: TreeRecord; created: boolean }> {
  const existing = await db
    .select({ version: pingTrees.version, createdAt: pingTrees.createdAt, document: pingTrees.document, gateShards: pingTrees.gateShards, history: pingTrees.gateShardHistory })
    .from(pingTrees)
    .where(eq(pingTrees.id, id))
    .get();
  const now = nowIso();
  const version = (existing?.version ?? 0) + 1;
  const gateShards = input.gateShards ?? defaultGateShards;
  const row: TreeRow = {
    id,
    name: input.name,
    vertical: input.vertical,
    version,
    document: input,
    enabled: input.enabled,
    gateShards,
    gateShardHistory: existing ? gateShardHistoryAfter(existing, gateShards, Date.parse(now)) : [],
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  const { id: _id, createdAt: _createdAt, ...changed } = row;
  await db.batch([
    db.insert(pingTrees).values(row).onConflictDoUpdate({ target: pingTrees.id, set: changed }),
    db.insert(pingTreeVersions).values({ treeId: id, version, document: input, gateShards, createdAt: now }),
    bumpGeneration(db),
  ]);
  return { tree: toTree(row), created: !existing };
}

/** The earlier gate counts still in use once `gateShards` replaces the current one at `nowMs`. */
export function gateShardHistoryAfter(
  previous: { gateShards: number; history: GateShardEpoch[]; document: TreeInput },
  gateShards: number,
  nowMs: number,
): GateShardEpoch[] {
  const open = previous.history.filter((epoch) => epoch.until > nowMs && epoch.shards !== gateShards);
  if (previous.gateShards === gateShards) return open;
  const until = nowMs + previous.document.uniqueLead.durationSeconds * 1000;
  return [...open.filter((epoch) => epoch.shards !== previous.gateShards), { shards: previous.gateShards, until }];
}

export const getPublisher = async (db: Db, id: string) =>
  mapped(await db.select().from(publishers).where(eq(publishers.id, id)).get(), toPublisher);
export const getBuyer = async (db: Db, id: string) => mapped(await db.select().from(buyers).where(eq(buyers.id, id)).get(), toBuyer);
export const getLeadPoint = async (db: Db, id: string) =>
  mapped(await db.select().from(leadPoints).where(eq(leadPoints.id, id)).get(), toLeadPoint);
export const getTree = async (db: Db, id: string) => mapped(await db.select().from(pingTrees).where(eq(pingTrees.id, id)).get(), toTree);

export const publisherByKeyHash = async (db: Db, apiKeyHash: string) =>
  mapped(await db.select().from(publishers).where(eq(publishers.apiKeyHash, apiKeyHash)).get(), toPublisher);

export const buyerByKeyHash = async (db: Db, apiKeyHash: string) => mapped(await db.select().from(buyers).where(eq(buyers.apiKeyHash, apiKeyHash)).get(), toBuyer);

function mapped<Row, T>(row: Row | undefined, map: (row: Row) => T): T | undefined {
  return row === undefined ? undefined : map(row);
}

export const listPublishers = async (db: Db) => (await db.select().from(publishers).orderBy(desc(publishers.createdAt)).all()).map(toPublisher);
export const listBuyers = async (db: Db) => (await db.select().from(buyers).orderBy(desc(buyers.createdAt)).all()).map(toBuyer);
export const listLeadPoints = async (db: Db) => (await db.select().from(leadPoints).orderBy(desc(leadPoints.createdAt)).all()).map(toLeadPoint);
export const listTrees = async (db: Db) => (await db.select().from(pingTrees).orderBy(pingTrees.id).all()).map(toTree);

/** Lead points by id, in one query. */
export async function leadPointsByIds(db: Db, ids: string[]): Promise<LeadPointRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(leadPoints)
    .where(sql`${leadPoints.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`)
    .all();
  return rows.map(toLeadPoint);
}

/** DELETE disables: the record stays (history), reads back with enabled:false. */
export async function disablePublisher(db: Db, id: string): Promise<Publisher | undefined> {
  await writeConfig(db, db.update(publishers).set({ enabled: false, updatedAt: nowIso() }).where(eq(publishers.id, id)));
  return getPublisher(db, id);
}

export async function disableBuyer(db: Db, id: string): Promise<Buyer | undefined> {
  await writeConfig(db, db.update(buyers).set({ enabled: false, updatedAt: nowIso() }).where(eq(buyers.id, id)));
  return getBuyer(db, id);
}

export async function disableLeadPoint(db: Db, id: string): Promise<LeadPointRecord | undefined> {
  await writeConfig(
    db,
    db
      .update(leadPoints)
      .set({ enabled: false, document: sql`json_set(${leadPoints.document}, '$.enabled', json('false'))`, updatedAt: nowIso() })
      .where(eq(leadPoints.id, id)),
  );
  return getLeadPoint(db, id);
}

export async function disableTree(db: Db, id: string): Promise<TreeRecord | undefined> {
  await writeConfig(
    db,
    db
      .update(pingTrees)
      .set({ enabled: false, document: sql`json_set(${pingTrees.document}, '$.enabled', json('false'))`, updatedAt: nowIso() })
      .where(eq(pingTrees.id, id)),
  );
  return getTree(db, id);
}

/**
 * Switches positions off in a tree's current document (a new version), as a
 * sale under a position's minimum receivable price demands.
 */
export async function disableTreePositions(db: Db, treeId: string, leadPointIds: string[]): Promise<void> {
  const tree = await getTree(db, treeId);
  if (!tree) return;
  const off = new Set(leadPointIds);
  const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, gateShards, gateShardHistory: _history, ...document } = tree;
  const tiers = document.tiers.map((tier) => ({
    ...tier,
    positions: tier.positions.map((position) => (off.has(position.leadPointId) ? { ...position, enabled: false } : position)),
  }));
  await putTree(db, treeId, { ...document, tiers }, gateShards);
}

/** The stored hash of a publisher's key: the secret its postbacks are signed with. */
export async function publisherKeyHash(db: Db, id: string): Promise<string | undefined> {
  const row = await db.select({ hash: publishers.apiKeyHash }).from(publishers).where(eq(publishers.id, id)).get();
  return row?.hash;
}
