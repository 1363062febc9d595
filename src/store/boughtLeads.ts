/** The leads a buyer bought, newest sale first, from D1: each sale with its lead's whole payload and any return of it. */
import { and, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { after, pageOf, type PagePosition } from "./pages";
import { leads, sales, saleReturns } from "./schema";

export interface BoughtLeadQuery {
  /** ISO-8601 bounds on when the lead was sold. */
  from?: string;
  to?: string;
  limit: number;
}

export async function listBoughtLeads(db: Db, buyerId: string, query: BoughtLeadQuery, position: PagePosition | undefined) {
  const conditions: (SQL | undefined)[] = [
    eq(sales.buyerId, buyerId),
    query.from ? gte(sales.soldAt, query.from) : undefined,
    query.to ? lte(sales.soldAt, query.to) : undefined,
    after(sales.soldAt, sales.id, position),
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
