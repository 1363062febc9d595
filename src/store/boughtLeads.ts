/** The leads a buyer bought, newest sale first, from D1: each sale with its lead's whole payload and any return of it. */
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { inWindow, pageOf, type PagePosition, type PageWindow } from "./pages";
import { leads, sales, saleReturns } from "./schema";

/** `from` and `to` bound when the lead was sold. */
export type BoughtLeadQuery = PageWindow;

export async function listBoughtLeads(db: Db, buyerId: string, query: BoughtLeadQuery, position: PagePosition | undefined) {
  const conditions: (SQL | undefined)[] = [
    eq(sales.buyerId, buyerId),
    ...inWindow(sales.soldAt, sales.id, query, position),
  ];
  const rows = await db
    .select({
      saleId: sales.id,
      leadId: leads.id,
      treeId: leads.treeId,
      vertical: leads.vertical,
      score: leads.score,
      fields: leads.fields,
      consent: leads.consent,
      receivedAt: leads.receivedAt,
      leadPointId: sales.leadPointId,
      priceCents: sales.priceCents,
      soldAt: sales.soldAt,
      buyerLeadId: sales.buyerLeadId,
      returnedAt: saleReturns.returnedAt,
      returnReason: saleReturns.reason,
    })
    .from(sales)
    .innerJoin(leads, eq(leads.id, sales.leadId))
    .leftJoin(saleReturns, eq(saleReturns.saleId, sales.id))
    .where(and(...conditions))
    .orderBy(desc(sales.soldAt), desc(sales.id))
    .limit(query.limit + 1);
  return pageOf(
    rows,
    query.limit,
    (row) => [row.soldAt, row.saleId],
    ({ saleId: _saleId, leadPointId, priceCents, soldAt, buyerLeadId, returnedAt, returnReason, ...lead }) => ({
      ...lead,
      sale: definedOnly({ leadPointId, priceCents, soldAt, buyerLeadId }),
      ...(returnedAt && returnReason !== null ? { return: { returnedAt, reason: returnReason } } : {}),
    }),
  );
}
