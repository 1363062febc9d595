/**
 * A buyer's statement: its own ledger lines in a period, charges and the
 * refunds of returns (negative), with their totals and the net. The ledger
 * is never edited, so a statement of a closed period never changes.
 */
import { and, asc, eq, gte, inArray, lt } from "drizzle-orm";
import type { Db } from "./db";
import { ledgerEntries } from "./schema";

export interface StatementPeriod {
  /** ISO-8601; from inclusive, to exclusive. */
  from: string;
  to: string;
}

export async function buyerStatement(db: Db, buyerId: string, period: StatementPeriod) {
  const lines = await db
    .select({ createdAt: ledgerEntries.createdAt, kind: ledgerEntries.kind, leadId: ledgerEntries.leadId, saleId: ledgerEntries.saleId, amountCents: ledgerEntries.amountCents })
    .from(ledgerEntries)
    .where(
      and(
        eq(ledgerEntries.partyId, buyerId),
        inArray(ledgerEntries.kind, ["buyer_charge", "buyer_refund"]),
        gte(ledgerEntries.createdAt, period.from),
        lt(ledgerEntries.createdAt, period.to),
      ),
    )
    .orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.id));
  const total = (kind: string) => lines.reduce((sum, line) => (line.kind === kind ? sum + line.amountCents : sum), 0);
  const chargesCents = total("buyer_charge");
  const refundsCents = total("buyer_refund");
  return { buyerId, ...period, lines, totals: { chargesCents, refundsCents }, netCents: chargesCents + refundsCents };
}
