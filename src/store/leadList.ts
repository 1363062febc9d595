/** Pages of leads for the operator, newest first, from D1. */
import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { leads, leadStatuses } from "./schema";

export interface LeadQuery {
  status?: (typeof leadStatuses)[number];
  treeId?: string;
  publisherId?: string;
  /** ISO-8601 bounds on when the lead was received. */
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** A page's position: the last lead shown, by (receivedAt, id). */
export function encodeCursor(receivedAt: string, id: string): string {
  return btoa(JSON.stringify([receivedAt, id])).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === "string")) return parsed as [string, string];
  } catch {
    return undefined;
  }
  return undefined;
}

export async function listLeads(db: Db, query: LeadQuery, after: [string, string] | undefined) {
  const conditions: (SQL | undefined)[] = [
    query.status ? eq(leads.status, query.status) : undefined,
    query.treeId ? eq(leads.treeId, query.treeId) : undefined,
    query.publisherId ? eq(leads.publisherId, query.publisherId) : undefined,
    query.from ? gte(leads.receivedAt, query.from) : undefined,
    query.to ? lte(leads.receivedAt, query.to) : undefined,
    after ? or(lt(leads.receivedAt, after[0]), and(eq(leads.receivedAt, after[0]), lt(leads.id, after[1]))) : undefined,
  ];
  const rows = await db
    .select({
      id: leads.id,
      treeId: leads.treeId,
      publisherId: leads.publisherId,
      status: leads.status,
      reason: leads.reason,
      score: leads.score,
      clickId: leads.clickId,
      subId: leads.subId,
      priceCents: leads.priceCents,
      payoutCents: leads.payoutCents,
      receivedAt: leads.receivedAt,
      completedAt: leads.completedAt,
    })
    .from(leads)
    .where(and(...conditions))
    .orderBy(desc(leads.receivedAt), desc(leads.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => definedOnly(row)),
    ...(rows.length > query.limit && last ? { nextCursor: encodeCursor(last.receivedAt, last.id) } : {}),
  };
}
