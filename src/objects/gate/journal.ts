/**
 * A run's posts, journaled in its gate's log: the intent is durable before
 * the request leaves, so a run cut off mid-post is never posted again
 * blindly, and the buyer's answer is recorded when it returns. No explicit
 * `storage.sync()`: a Durable Object's outgoing fetch waits on its output
 * gate, which stays locked until every earlier SQL write has committed.
 */
import { postLeadPoint } from "../../buyers/call";
import { createBuyerClient } from "../../buyers/client";
import { sealPostAnswer, type PiiKeyring } from "../../core/piiSeal";
import { pricedAttempt } from "../../core/pricing";
import { saleOf, type RunJournal } from "../../exchange/journal";
import type { GateLog } from "./log";

/** `keys`: what the buyer's answer is sealed with before the log (and from there D1, the answer kept for replays) holds it. */
export function gateJournal(log: GateLog, keys: () => Promise<PiiKeyring>): RunJournal {
  return {
    async post(request) {
      const { leadId, point, sale } = request;
      // Before the intent: a post whose answer could not be sealed would end in review, not be recorded in the clear.
      const ring = await keys();
      log.recordIntent(leadId, point.id, sale.priceCents, Date.now());
      // A dynamic direct post's price is its answer's: the log records it (or the refusal) before anything else sees it.
      const attempt = await sealPostAnswer(ring, pricedAttempt(await postLeadPoint(createBuyerClient(), point, request.message, request.deadlineAt), request.pricing));
      const accepted = attempt.kind === "accepted" ? saleOf(sale, attempt) : undefined;
      log.recordPostAnswer(leadId, point.id, { kind: attempt.kind, ...(accepted ? { sale: accepted } : {}) });
      return attempt;
    },
  };
}
