/**
 * The publisher's server-to-server postback on a sale, signed like buyer
 * requests. The signing key is the hex SHA-256 of the publisher's API key:
 * the exchange stores only that hash, and the publisher can compute it.
 */
import type { Lead } from "../core/lead";
import { signatureHeader } from "../buyers/sign";
import { publisherKeyHash, type Publisher } from "../store/config";
import type { Services } from "../store/services";
import type { LeadAnswer } from "./settlement";

const POSTBACK_TIMEOUT_MS = 5_000;

export async function sendPostback(services: Services, publisher: Publisher, lead: Lead, answer: LeadAnswer): Promise<void> {
  if (!publisher.postbackUrl) return;
  try {
    const keyHash = await publisherKeyHash(services.db, publisher.id);
    if (!keyHash) return;
    const body = JSON.stringify({
      type: "sale",
      leadId: lead.id,
      treeId: lead.treeId,
      status: answer.status,
      payoutCents: answer.payoutCents ?? 0,
      ...(lead.clickId ? { clickId: lead.clickId } : {}),
      ...(lead.subId ? { subId: lead.subId } : {}),
      ...(lead.subId2 ? { subId2: lead.subId2 } : {}),
      ...(lead.subId3 ? { subId3: lead.subId3 } : {}),
    });
    const response = await fetch(publisher.postbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-leadtree-signature": await signatureHeader(keyHash, body, Math.floor(Date.now() / 1000)) },
      body,
      signal: AbortSignal.timeout(POSTBACK_TIMEOUT_MS),
      // Like buyer calls: the signed sale notice goes to the configured URL only.
      redirect: "manual",
    });
    await response.body?.cancel();
  } catch (error) {
    console.error("publisher postback failed", publisher.id, lead.id, error instanceof Error ? error.message : "unknown");
  }
}
