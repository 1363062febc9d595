/**
 * A buyer's return of a lead it bought: allowed within the buyer's return
 * window from the sale, once. Expected refusals are values; the caller
 * answers them and sends the publisher's postback.
 */
import type { Buyer } from "../store/config";
import { boughtSale, recordReturn, type BoughtSale } from "../store/saleReturns";
import type { Services } from "../store/services";

export type ReturnOutcome =
  | { kind: "returned"; sale: BoughtSale; returnedAt: string }
  | { kind: "notBought" }
  | { kind: "alreadyReturned" }
  | { kind: "windowClosed"; closedAt: string };

const HOUR_MS = 3_600_000;

/** `sealedReason`: the buyer's reason as the record keeps it, sealed, since a buyer's words about a lead it holds whole may quote the consumer. */
export async function returnLead(services: Services, buyer: Buyer, leadId: string, sealedReason: string, now: number): Promise<ReturnOutcome> {
  const sale = await boughtSale(services.db, buyer.id, leadId);
  if (!sale) return { kind: "notBought" };
  if (sale.returnedAt) return { kind: "alreadyReturned" };
  const closesAt = Date.parse(sale.soldAt) + buyer.returnWindowHours * HOUR_MS;
  if (now >= closesAt) return { kind: "windowClosed", closedAt: new Date(closesAt).toISOString() };
  const returnedAt = new Date(now).toISOString();
  const recorded = await recordReturn(services.db, { saleId: sale.saleId, leadId, buyerId: buyer.id, reason: sealedReason, returnedAt });
  // A return that raced this one recorded the sale first: that one stands.
  if (!recorded) return { kind: "alreadyReturned" };
  return { kind: "returned", sale, returnedAt };
}
