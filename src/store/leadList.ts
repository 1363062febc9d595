/** Pages of leads for the operator, newest first, from D1. */
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { inWindow, pageOf, type PagePosition, type PageWindow } from "./pages";
import { leads, leadStatuses } from "./schema";

/** `from` and `to` bound when the lead was received. */
export interface LeadQuery extends PageWindow {
  status?: (typeof leadStatuses)[number];
  treeId?: string;
  publisherId?: string;
}

export async function listLeads(db: Db, query: LeadQuery, position: PagePosition | undefined) {
  const conditions: (SQL | undefined)[] = [
    query.status ? eq(leads.status, query.status) : undefined,
    query.treeId ? eq(leads.treeId, query.treeId) : undefined,
    query.publisherId ? eq(leads.publisherId, query.publisherId) : undefined,
    ...inWindow(leads.receivedAt, leads.id, query, position),
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
  return pageOf(rows, query.limit, (row) => [row.receivedAt, row.id], (row) => definedOnly(row));
}
