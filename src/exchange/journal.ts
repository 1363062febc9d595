/**
 * What a run writes to its gate's log while it runs, so that a run cut off
 * midway can be finished without a second sale: the intent before each post
 * leaves, and the buyer's answer when it comes back. The Worker reaches the
 * gate through its stub; the gate itself, when it recovers or re-runs a
 * lead, writes to its own storage.
 */
import type { PostAttempt } from "../core/attempt";
import type { Sale } from "../core/tree";

export interface RecordedPost {
  kind: PostAttempt["kind"];
  /** The sale, when the buyer accepted. */
  sale?: Sale;
}

export interface RunJournal {
  intent(leadId: string, leadPointId: string, priceCents: number): Promise<void>;
  postOutcome(leadId: string, leadPointId: string, outcome: RecordedPost): Promise<void>;
}
