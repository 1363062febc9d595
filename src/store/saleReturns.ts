/**
 * A buyer's return of a sale: the return's record and the reversal of each
 * ledger line the sale wrote (a refund of the charge, the payout and the
 * margin reversed), in one D1 batch. The return is keyed by sale and each
 * reversal line by `<saleId>:refund|payout_reversal|margin_reversal`, so of
 * two returns at once only one is recorded, and a retried batch writes no
 * line twice.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "./db";
import { leads, sales, saleReturns } from "./schema";

/** A sale of a lead to one buyer, with what a return of it needs to know. */
export async function boughtSale(db: Db, buyerId: string, leadId: string) {
  return db
    .select({
      saleId: sales.id,
      leadId: sales.leadId,
      treeId: sales.treeId,
      publisherId: sales.publisherId,
      priceCents: sales.priceCents,
      payoutCents: sales.payoutCents,
      soldAt: sales.soldAt,
      clickId: leads.clickId,
      subId: leads.subId,
      subId2: leads.subId2,
      subId3: leads.subId3,
      returnedAt: saleReturns.returnedAt,
    })
    .from(sales)
    .innerJoin(leads, eq(leads.id, sales.leadId))
    .leftJoin(saleReturns, eq(saleReturns.saleId, sales.id))
    .where(and(eq(sales.leadId, leadId), eq(sales.buyerId, buyerId)))
    .get();
}

export type BoughtSale = NonNullable<Awaited<ReturnType<typeof boughtSale>>>;

export interface SaleReturn {
  saleId: string;
  leadId: string;
  buyerId: string;
  reason: string;
  returnedAt: string;
}

/** The line a return writes for each line of a sale: its kind and the suffix of its id. */
const REVERSALS = [
  ["buyer_charge", "buyer_refund", "refund"],
  ["publisher_payout", "payout_reversal", "payout_reversal"],
  ["margin", "margin_reversal", "margin_reversal"],
] as const;

const reversalKind = `CASE "kind" ${REVERSALS.map(([line, reversal]) => `WHEN '${line}' THEN '${reversal}'`).join(" ")} END`;
const reversalId = `"sale_id" || ':' || CASE "kind" ${REVERSALS.map(([line, , suffix]) => `WHEN '${line}' THEN '${suffix}'`).join(" ")} END`;

/** Records the return and reverses the sale's lines; false when the sale was returned already. */
export async function recordReturn(db: Db, saleReturn: SaleReturn): Promise<boolean> {
  const [recorded] = await db.$client.batch<{ sale_id: string }>([
    db.$client
      .prepare(`INSERT INTO "returns" ("sale_id", "lead_id", "buyer_id", "reason", "returned_at") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING "sale_id"`)
      .bind(saleReturn.saleId, saleReturn.leadId, saleReturn.buyerId, saleReturn.reason, saleReturn.returnedAt),
    db.$client
      .prepare(
        `INSERT INTO "ledger_entries" ("id", "sale_id", "lead_id", "tree_id", "kind", "party_id", "amount_cents", "created_at")
         SELECT ${reversalId}, "sale_id", "lead_id", "tree_id", ${reversalKind}, "party_id", -"amount_cents", ?
         FROM "ledger_entries" WHERE "sale_id" = ? AND "kind" IN (${REVERSALS.map(([line]) => `'${line}'`).join(", ")})
         ON CONFLICT DO NOTHING`,
      )
      .bind(saleReturn.returnedAt, saleReturn.saleId),
  ]);
  return (recorded?.results.length ?? 0) > 0;
}
