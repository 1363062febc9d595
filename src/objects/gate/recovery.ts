/**
 * What a run that stopped leaves to do, decided from its post intents alone:
 * plain data in, plain data out, so every case is a row of a table test.
 */
import type { TraceEntry } from "../../core/attempt";
import type { Sale } from "../../core/tree";
import type { RecordedPost } from "../../exchange/journal";

/** A post the run announced before it left, with the buyer's answer once one came back. */
export interface PostIntent {
  leadPointId: string;
  priceCents: number;
  at: number;
  answer?: RecordedPost;
}

export type Recovery =
  /** No post ever left, or none sold: running the lead again cannot sell it twice. */
  | { kind: "rerun" }
  /** Every post that left has a recorded answer and one sold: settle from them, post nothing more. */
  | { kind: "settle"; sales: Sale[]; trace: TraceEntry[] }
  /** A post left and its answer is unknown: it may be sold; a person decides, nothing is posted again. */
  | { kind: "review"; sales: Sale[]; trace: TraceEntry[] };

const RECOVERED = "recovered from the gate's journal after the run stopped";
/** The trace line of a post whose answer was lost; resolving the lead answers it. */
export const ANSWER_UNKNOWN = "the run stopped after this post left and the buyer's answer is unknown: marked for review, never posted again";

const traceOutcome = { accepted: "accepted", rejected: "declined", timeout: "timeout", transportError: "error" } as const;

export function recoveryOf(intents: PostIntent[]): Recovery {
  if (intents.length === 0) return { kind: "rerun" };
  const sales: Sale[] = [];
  const trace: TraceEntry[] = intents.map((intent) => {
    const base = { leadPointId: intent.leadPointId, phase: "post" as const, startedAt: new Date(intent.at).toISOString(), ms: 0, bidCents: intent.priceCents };
    if (!intent.answer) return { ...base, outcome: "error" as const, reason: ANSWER_UNKNOWN };
    if (intent.answer.kind === "accepted" && intent.answer.sale) sales.push(intent.answer.sale);
    return { ...base, outcome: traceOutcome[intent.answer.kind], reason: RECOVERED };
  });
  if (intents.some((intent) => !intent.answer)) return { kind: "review", sales, trace };
  if (sales.length === 0) return { kind: "rerun" };
  return { kind: "settle", sales, trace };
}

/** The trace lines of a lead's posts whose answers were lost. */
export function unansweredPosts(trace: TraceEntry[]): TraceEntry[] {
  return trace.filter((entry) => entry.phase === "post" && entry.reason === ANSWER_UNKNOWN);
}
