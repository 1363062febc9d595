/**
 * The publisher's server-to-server postbacks, on a sale and on a buyer's
 * return, signed like buyer requests. The signing key is the hex SHA-256 of
 * the publisher's API key: the exchange stores only that hash, and the
 * publisher can compute it.
 */
import type { Lead } from "../core/lead";
import { signatureHeader } from "../buyers/sign";
import { publisherKeyHash, type Publisher } from "../store/config";
import type { Services } from "../store/services";
import type { LeadAnswer } from "./settlement";

const POSTBACK_TIMEOUT_MS = 5_000;

type Attribution = Pick<Lead, "clickId" | "subId" | "subId2" | "subId3">;

/** The lead's click and sub-ids, so the publisher can match the postback to its traffic. */
function attributionOf(lead: { [K in keyof Attribution]?: string | null }): Attribution {
  return {
    ...(lead.clickId ? { clickId: lead.clickId } : {}),
    ...(lead.subId ? { subId: lead.subId } : {}),
    ...(lead.subId2 ? { subId2: lead.subId2 } : {}),
    ...(lead.subId3 ? { subId3: lead.subId3 } : {}),
  };
}

export function sendPostback(services: Services, publisher: Publisher, lead: Lead, answer: LeadAnswer): Promise<void> {
  return deliver(services, publisher, lead.id, {
    type: "sale",
    leadId: lead.id,
    treeId: lead.treeId,
    status: answer.status,
    payoutCents: answer.payoutCents ?? 0,
    ...attributionOf(lead),
  });
}

export interface ReturnedSale extends Partial<Record<keyof Attribution, string | null>> {
  leadId: string;
  treeId: string;
  payoutCents: number;
  reason: string;
  returnedAt: string;
}

/** A buyer returned the lead: the payout it earned is taken back, so `payoutCents` is negative. */
export function sendReturnPostback(services: Services, publisher: Publisher, sale: ReturnedSale): Promise<void> {
  return deliver(services, publisher, sale.leadId, {
    type: "return",
    leadId: sale.leadId,
    treeId: sale.treeId,
    status: "returned",
    payoutCents: -sale.payoutCents,
    reason: sale.reason,
    returnedAt: sale.returnedAt,
    ...attributionOf(sale),
  });
}

async function deliver(services: Services, publisher: Publisher, leadId: string, payload: Record<string, unknown>): Promise<void> {
  if (!publisher.postbackUrl) return;
  try {
    const keyHash = await publisherKeyHash(services.db, publisher.id);
    if (!keyHash) return;
    const body = JSON.stringify(payload);
    const response = await fetch(publisher.postbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-leadtree-signature": await signatureHeader(keyHash, body, Math.floor(Date.now() / 1000)) },
      body,
      signal: AbortSignal.timeout(POSTBACK_TIMEOUT_MS),
      // Like buyer calls: the signed notice goes to the configured URL only.
      redirect: "manual",
    });
    await response.body?.cancel();
  } catch (error) {
    console.error("publisher postback failed", publisher.id, leadId, error instanceof Error ? error.message : "unknown");
  }
}
