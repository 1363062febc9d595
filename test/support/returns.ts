/** A return as a buyer makes it, through its own API: the route writes the reversal lines reports read. */
import { expect } from "vitest";
import { asBuyer, expectStatus, newBuyer, newLeadPoint } from "./exchange";

/** A lead point whose buyer's key the test keeps, so that buyer can return what it bought. */
export async function newReturningLeadPoint(name: string, behaviour: Record<string, string | number>, extra: Record<string, unknown> = {}) {
  const buyer = await newBuyer();
  const point = await newLeadPoint(name, behaviour, { ...extra, buyerId: buyer.id });
  return { ...point, buyerKey: buyer.apiKey };
}

export async function returnLead(buyerKey: string, leadId: string, reason = "the consumer says they never asked"): Promise<void> {
  const answer = expectStatus(await asBuyer<{ leadId: string }>(buyerKey, "POST", `/leads/${leadId}/return`, { reason }), 200);
  expect(answer.leadId).toBe(leadId);
}
