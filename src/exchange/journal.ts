/**
 * Posts go through the lead's journal — its gate's log — so that a run cut
 * off midway can be finished without a second sale: the intent is durable
 * before the post leaves, and the buyer's answer is recorded when it comes
 * back. Every run happens inside the lead's gate, so each post is a local
 * write of that object (src/objects/gate/journal.ts).
 */
import type { PostAttempt } from "../core/attempt";
import type { LeadPoint } from "../core/config";
import type { AnswerPricing } from "../core/pricing";
import type { Sale } from "../core/tree";
import type { PostMessage } from "../buyers/wire";

export interface RecordedPost {
  kind: PostAttempt["kind"];
  /** The sale, when the buyer accepted. */
  sale?: Sale;
}

export interface JournaledPost {
  leadId: string;
  point: LeadPoint;
  message: PostMessage;
  /** Absolute epoch ms. */
  deadlineAt: number;
  /** The sale this post makes if the buyer accepts (its answer adds redirect and buyer lead id). */
  sale: Sale;
  /** For a post priced by its answer: the price the answer makes, or why it is no sale (pricedAttempt applies it before the answer is recorded). */
  pricing?: AnswerPricing;
}

/** The sale an accepted post makes: the journaled one, with what the buyer's answer adds (and, priced by its answer, its price). */
export function saleOf(sale: Sale, attempt: Extract<PostAttempt, { kind: "accepted" }>): Sale {
  return {
    ...sale,
    ...(attempt.priceCents === undefined ? {} : { priceCents: attempt.priceCents }),
    ...(attempt.redirectUrl ? { redirectUrl: attempt.redirectUrl } : {}),
    ...(attempt.buyerLeadId ? { buyerLeadId: attempt.buyerLeadId } : {}),
  };
}

export interface RunJournal {
  post(request: JournaledPost): Promise<PostAttempt>;
}
