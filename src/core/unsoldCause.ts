/**
 * Why a lead was not sold, in the one vocabulary every report uses
 * (API.md). Read from what the run recorded — the tree's screening and the
 * trace — so the same lead always gets the same cause, wherever it is asked.
 */
import type { TraceEntry } from "./attempt";
import type { Screening } from "./screen";

export const unsoldCauses = ["no_eligible_buyer", "all_declined", "all_timed_out", "post_rejected", "below_floor", "duplicate", "invalid"] as const;

export type UnsoldCause = (typeof unsoldCauses)[number];

type Decline = Extract<Screening, { kind: "decline" }>;

/** The tree refused the lead before any buyer saw it: its filters, its score floor, its daily limit or its duplicate rule. */
const causeOfDecline: Record<Decline["rule"], UnsoldCause> = {
  filter: "invalid",
  scoreFloor: "below_floor",
  dailyLimit: "no_eligible_buyer",
  duplicate: "duplicate",
};

export function unsoldCause(screening: Screening, trace: readonly TraceEntry[]): UnsoldCause {
  if (screening.kind === "error") return "invalid";
  if (screening.kind === "decline") return causeOfDecline[screening.rule];
  const tried = trace.filter((entry) => entry.outcome !== "skipped");
  // A post that was made and not taken outweighs whatever the pings said: a buyer wanted the lead.
  if (tried.some((entry) => entry.phase === "post")) return "post_rejected";
  const pings = tried.filter((entry) => entry.phase === "ping");
  if (pings.length === 0) return "no_eligible_buyer";
  // A bid that never reached a post was refused by the exchange's floor (the reserve, a fixed payout, a minimum receivable).
  if (pings.some((entry) => entry.outcome === "accepted")) return "below_floor";
  if (pings.every((entry) => entry.outcome === "timeout")) return "all_timed_out";
  return "all_declined";
}
