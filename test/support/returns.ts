/**
 * A return as the ledger records it, written straight to D1: the reversal of
 * each line of a sale, negated, as buyer returns will write them. Reports and
 * statements only read the ledger, so they can be tested before that route exists.
 */
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { dbOf } from "../../src/store/db";
import { ledgerEntries } from "../../src/store/schema";

const reversalOf = { buyer_charge: "buyer_refund", publisher_payout: "payout_reversal", margin: "margin_reversal" } as const;

export async function recordReturn(saleId: string, at = new Date().toISOString()): Promise<void> {
  const db = dbOf(env.DB);
  const lines = await db.select().from(ledgerEntries).where(eq(ledgerEntries.saleId, saleId)).all();
  const sale = lines.filter((line) => line.kind in reversalOf);
  if (sale.length !== 3) throw new Error(`sale ${saleId} has ${sale.length} ledger lines, not 3`);
  await db.insert(ledgerEntries).values(
    sale.map((line) => ({
      ...line,
      id: `${line.id}:reversal`,
      kind: reversalOf[line.kind as keyof typeof reversalOf],
      amountCents: -line.amountCents,
      createdAt: at,
    })),
  );
}
