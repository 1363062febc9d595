/**
 * What a lead runs on: its tree, the lead points the tree lists and whether
 * their buyers are enabled, read in one D1 batch. A batch is one
 * transaction, so a snapshot is never half of a configuration change: a tree
 * saved, a lead point patched or a buyer disabled meanwhile is in it
 * entirely or not at all.
 */
import { eq, sql } from "drizzle-orm";
import type { TreePoint } from "../core/tree";
import { toLeadPoint, toTree, type TreeRecord } from "./config";
import type { Db } from "./db";
import { buyers, leadPoints, pingTrees } from "./schema";

export interface TreeSnapshot {
  tree: TreeRecord;
  points: ReadonlyMap<string, TreePoint>;
}

export async function readSnapshot(db: Db, treeId: string): Promise<TreeSnapshot | undefined> {
  // The ids the tree's positions name, read inside the batch from the same tree row.
  const listed = sql`SELECT json_extract(position.value, '$.leadPointId')
    FROM ${pingTrees}, json_each(${pingTrees.document}, '$.tiers') AS tier, json_each(tier.value, '$.positions') AS position
    WHERE ${pingTrees.id} = ${treeId}`;
  const [trees, points, enabledBuyers] = await db.batch([
    db.select().from(pingTrees).where(eq(pingTrees.id, treeId)),
    db.select().from(leadPoints).where(sql`${leadPoints.id} IN (${listed})`),
    db
      .select({ id: buyers.id })
      .from(buyers)
      .where(sql`${buyers.enabled} AND ${buyers.id} IN (SELECT ${leadPoints.buyerId} FROM ${leadPoints} WHERE ${leadPoints.id} IN (${listed}))`),
  ]);
  const [tree] = trees;
  if (!tree) return undefined;
  const enabled = new Set(enabledBuyers.map((buyer) => buyer.id));
  return {
    tree: toTree(tree),
    points: new Map(points.map((row) => [row.id, { ...toLeadPoint(row), buyerEnabled: enabled.has(row.buyerId), ...(row.capacity ? { capacity: row.capacity } : {}) }])),
  };
}
