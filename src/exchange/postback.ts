/**
 * The publisher's server-to-server postbacks, on a sale and on a buyer's
 * return, signed like buyer requests. The signing key is the hex SHA-256 of
 * the publisher's API key: the exchange stores only that hash, and the
 * publisher can compute it. A postback is handed to the publisher's
 * PostbackSender object, which records it and tries it until the publisher
 * answers 2xx or 24 hours have passed.
 */
import type { Lead } from "../core/lead";
import { sealValue } from "../core/piiSeal";
import { signatureHeader } from "../buyers/sign";
import { publisherKeyHash, type Publisher } from "../store/config";
import type { Db } from "../store/db";
import type { postbackTypes } from "../store/schema";
import { piiKeysOf } from "./piiKeys";
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

/** A postback as its sender keeps it: the body is signed anew at each attempt, with that attempt's time. */
export interface Postback {
  /** `<leadId>:<type>`: a lead is sold once and returned once, so a repeated hand-off names the same postback. */
  id: string;
  publisherId: string;
  leadId: string;
  type: (typeof postbackTypes)[number];
  url: string;
  body: string;
}

/** What one attempt got: the publisher's status, or why no answer came. */
export interface PostbackResult {
  httpStatus?: number;
  error?: string;
  ms: number;
}

export function sendPostback(env: Env, publisher: Publisher, lead: Lead, answer: LeadAnswer): Promise<void> {
  return handOff(env, publisher, lead.id, {
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
export function sendReturnPostback(env: Env, publisher: Publisher, sale: ReturnedSale): Promise<void> {
  return handOff(env, publisher, sale.leadId, {
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

export const postbackSenderName = (publisherId: string) => `postbacks:${publisherId}`;

/** One RPC to the publisher's sender; the caller runs it in waitUntil, so the lead's answer never waits on it. */
async function handOff(env: Env, publisher: Publisher, leadId: string, payload: { type: Postback["type"] } & Record<string, unknown>): Promise<void> {
  if (!publisher.postbackUrl) return;
  try {
    // Kept sealed by its sender until it is sent: a return's reason is the buyer's words, which may quote the consumer.
    const body = await sealValue(await piiKeysOf(env), JSON.stringify(payload));
    const postback: Postback = { id: `${leadId}:${payload.type}`, publisherId: publisher.id, leadId, type: payload.type, url: publisher.postbackUrl, body };
    await env.POSTBACK_SENDER.getByName(postbackSenderName(publisher.id)).deliver(postback);
  } catch (error) {
    console.error("postback hand-off failed", publisher.id, leadId, error instanceof Error ? error.message : "unknown");
  }
}

/** One signed attempt. Like buyer calls, the notice goes to the configured URL only: a redirect is an answer, not followed. */
export async function postSigned(db: Db, postback: Postback): Promise<PostbackResult> {
  const started = Date.now();
  try {
    const keyHash = await publisherKeyHash(db, postback.publisherId);
    if (!keyHash) return { error: "the publisher no longer exists", ms: 0 };
    const response = await fetch(postback.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-leadtree-signature": await signatureHeader(keyHash, postback.body, Math.floor(Date.now() / 1000)) },
      body: postback.body,
      signal: AbortSignal.timeout(POSTBACK_TIMEOUT_MS),
      redirect: "manual",
    });
    await response.body?.cancel();
    return { httpStatus: response.status, ms: Date.now() - started };
  } catch (error) {
    return { error: error instanceof Error ? error.message : "unknown", ms: Date.now() - started };
  }
}
