/** A buyer's conversion feedback on the leads it bought (contacted, quoted, sold), one record per sale and event kind. */
import { and, eq } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { conversions, saleReturns, sales, type conversionEvents } from "./schema";

export interface ConversionInput {
  event: (typeof conversionEvents)[number];
  valueCents?: number;
}

export type ConversionOutcome =
  | { kind: "notBought" }
  /** The buyer returned the lead (refunded as not what it paid for), so it has no outcome to report. */
  | { kind: "returned"; returnedAt: string }
  /** `replaced`: the sale had this event already, and this record took its place. */
  | { kind: "recorded"; replaced: boolean; conversion: ReturnType<typeof definedOnly<typeof conversions.$inferSelect>> };

/**
 * Records `input` for the sale of `leadId` to `buyerId`, at `at`, replacing
 * an earlier record of the same event: the buyer's latest word stands, and a
 * retried call is harmless. A lead the buyer did not buy, or returned,
 * records nothing.
 */
export async function recordConversion(db: Db, buyerId: string, leadId: string, input: ConversionInput, at: string): Promise<ConversionOutcome> {
  const sale = await db
    .select({ saleId: sales.id, leadPointId: sales.leadPointId, earlier: conversions.id, returnedAt: saleReturns.returnedAt })
    .from(sales)
    .leftJoin(conversions, and(eq(conversions.saleId, sales.id), eq(conversions.event, input.event)))
    .leftJoin(saleReturns, eq(saleReturns.saleId, sales.id))
    .where(and(eq(sales.leadId, leadId), eq(sales.buyerId, buyerId)))
    .get();
  if (!sale) return { kind: "notBought" };
  if (sale.returnedAt !== null) return { kind: "returned", returnedAt: sale.returnedAt };
  const row: typeof conversions.$inferSelect = {
    id: `${sale.saleId}:${input.event}`,
    leadId,
    saleId: sale.saleId,
    buyerId,
    leadPointId: sale.leadPointId,
    event: input.event,
    valueCents: input.valueCents ?? null,
    at,
  };
  // The upsert leaves exactly `row` behind (the id, sale and lead point are the same), so it is the answer without a read back.
  await db.insert(conversions).values(row).onConflictDoUpdate({ target: conversions.id, set: { valueCents: row.valueCents, at } }).run();
  return { kind: "recorded", replaced: sale.earlier !== null, conversion: definedOnly(row) };
}
