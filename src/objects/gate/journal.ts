/**
 * A run's posts, journaled in its gate's log: the intent is durable before
 * the request leaves, so a run cut off mid-post is never posted again
 * blindly, and the buyer's answer is recorded when it returns. No explicit
 * `storage.sync()`: a Durable Object's outgoing fetch waits on its output
 * gate, which stays locked until every earlier SQL write has committed.
 */
import { postLeadPoint } from "../../buyers/call";
import { createBuyerClient } from "../../buyers/client";
import type { RunJournal } from "../../exchange/journal";
import type { GateLog } from "./log";

export function gateJournal(log: GateLog): RunJournal {
  return {
    async post(request) {
      const { leadId, point, sale } = request;
      log.recordIntent(leadId, point.id, sale.priceCents, Date.now());
      const attempt = await postLeadPoint(createBuyerClient(), point, request.message, request.deadlineAt);
      const accepted =
        attempt.kind === "accepted"
          ? {
              ...sale,
              ...(attempt.redirectUrl ? { redirectUrl: attempt.redirectUrl } : {}),
              ...(attempt.buyerLeadId ? { buyerLeadId: attempt.buyerLeadId } : {}),
            }
          : undefined;
      log.recordPostAnswer(leadId, point.id, { kind: attempt.kind, ...(accepted ? { sale: accepted } : {}) });
      return attempt;
    },
  };
}
