/**
 * Posts go through the lead's journal — its gate's log — so that a run cut
 * off midway can be finished without a second sale: the intent is durable
 * before the post leaves, and the buyer's answer is recorded when it comes
 * back. Every run happens inside the lead's gate, so each post is a local
 * write of that object (src/objects/gate/journal.ts).
 */
import type { PostAttempt } from "../core/attempt";
import type { LeadPoint } from "../core/config";
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
}

export interface RunJournal {
  post(request: JournaledPost): Promise<PostAttempt>;
}
