/** The postback attempts in D1: written by the PostbackSender objects, read newest first by the operator. */
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { inWindow, pageOf, type PagePosition, type PageWindow } from "./pages";
import { postbackAttempts } from "./schema";

export type PostbackAttemptRow = typeof postbackAttempts.$inferInsert;

/** Writes attempts once each: a row already written (a retried flush) is left as it is. */
export async function writePostbackAttempts(db: Db, rows: PostbackAttemptRow[]): Promise<void> {
  if (rows.length) await db.insert(postbackAttempts).values(rows).onConflictDoNothing();
}

/** `from` and `to` bound when the attempt was made. */
export interface PostbackAttemptQuery extends PageWindow {
  publisherId?: string;
}

export async function listPostbackAttempts(db: Db, query: PostbackAttemptQuery, position: PagePosition | undefined) {
  const conditions: (SQL | undefined)[] = [
    query.publisherId ? eq(postbackAttempts.publisherId, query.publisherId) : undefined,
    ...inWindow(postbackAttempts.at, postbackAttempts.id, query, position),
  ];
  const rows = await db
    .select()
    .from(postbackAttempts)
    .where(and(...conditions))
    .orderBy(desc(postbackAttempts.at), desc(postbackAttempts.id))
    .limit(query.limit + 1);
  return pageOf(rows, query.limit, (row) => [row.at, row.id], (row) => definedOnly(row));
}
