/** Every saved version of a tree, as putTree wrote it: the history an operator reads, compares and restores from. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { TreeInput } from "../core/config";
import type { Db } from "./db";
import { pingTreeVersions } from "./schema";

export interface TreeVersionSummary {
  version: number;
  createdAt: string;
  gateShards: number;
  name: string;
  enabled: boolean;
}

export interface TreeVersion {
  treeId: string;
  version: number;
  createdAt: string;
  gateShards: number;
  document: TreeInput;
}

/** Newest first; empty when there is no such tree. */
export async function listTreeVersions(db: Db, treeId: string): Promise<TreeVersionSummary[]> {
  // The name and switch of each version without reading whole documents: a tree may have many versions.
  const rows = await db
    .select({
      version: pingTreeVersions.version,
      createdAt: pingTreeVersions.createdAt,
      gateShards: pingTreeVersions.gateShards,
      name: sql<string>`json_extract(${pingTreeVersions.document}, '$.name')`,
      enabled: sql<number>`json_extract(${pingTreeVersions.document}, '$.enabled')`,
    })
    .from(pingTreeVersions)
    .where(eq(pingTreeVersions.treeId, treeId))
    .orderBy(desc(pingTreeVersions.version))
    .all();
  return rows.map((row) => ({ ...row, enabled: row.enabled !== 0 }));
}

export async function getTreeVersion(db: Db, treeId: string, version: number): Promise<TreeVersion | undefined> {
  return db
    .select()
    .from(pingTreeVersions)
    .where(and(eq(pingTreeVersions.treeId, treeId), eq(pingTreeVersions.version, version)))
    .get();
}
