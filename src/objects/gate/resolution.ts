/**
 * What an operator's resolution of a lead in review settles to: plain data
 * in (the lead's log record, the tree, the resolution), plain data out, so
 * the gate only has to make it durable and act on it.
 */
import type { TraceEntry } from "../../core/attempt";
import type { Payout, Tree } from "../../core/config";
import { settle } from "../../core/settle";
import type { Sale, TreePoint } from "../../core/tree";
import { unsoldCause } from "../../core/unsoldCause";
import { answerOf, saleEntry } from "../../exchange/runLead";
import type { Settlement } from "../../exchange/settlement";
import type { LeadLogEntry } from "../../store/leadLog";
import type { LeadRecord } from "./log";
import { unansweredPosts } from "./recovery";

export type Resolution = { outcome: "sold"; leadPointId: string; priceCents: number } | { outcome: "unsold" };

export type ResolutionOutcome =
  | {
      kind: "settled";
      settlement: Settlement;
      /** The lead points whose posts awaited review, and whether each now counts as sold (their cap reservations close so). */
      closes: { leadPointId: string; sold: boolean }[];
    }
  | { kind: "invalid"; path: string; message: string };

export function resolutionOf(
  record: Pick<LeadRecord, "leadId" | "lead" | "trace" | "outcome">,
  resolution: Resolution,
  tree: Pick<Tree, "response" | "tiers">,
  points: ReadonlyMap<string, TreePoint>,
  payout: Payout,
  at: string,
): ResolutionOutcome {
  const unanswered = unansweredPosts(record.trace);
  let sale: Sale | undefined;
  if (resolution.outcome === "sold") {
    const point = points.get(resolution.leadPointId);
    if (!point || !unanswered.some((entry) => entry.leadPointId === resolution.leadPointId)) {
      const awaiting = unanswered.map((entry) => entry.leadPointId).join(", ") || "none";
      return { kind: "invalid", path: "leadPointId", message: `lead point ${resolution.leadPointId} has no post of this lead awaiting review (awaiting: ${awaiting})` };
    }
    const position = tree.tiers.flatMap((tier) => tier.positions).find((p) => p.leadPointId === point.id);
    sale = { leadPointId: point.id, buyerId: point.buyerId, priceCents: resolution.priceCents, countsTowardsQuota: position?.countTowardsQuota ?? true };
  }
  const settled = settle(sale ? [sale] : [], payout);
  const sales = [...(record.outcome?.sales ?? []), ...settled.sales.map(saleEntry)];
  const { answer, redirectUrl } = answerOf(tree, record.leadId, sales, false);
  const closes = unanswered.map((entry) => ({ leadPointId: entry.leadPointId, sold: sale?.leadPointId === entry.leadPointId }));
  const trace: TraceEntry[] = unanswered.map((entry, i) => {
    const sold = closes[i]?.sold === true;
    const bidCents = sold ? sale?.priceCents : entry.bidCents;
    return {
      leadPointId: entry.leadPointId,
      phase: "post",
      startedAt: at,
      ms: 0,
      outcome: sold ? "accepted" : "declined",
      ...(bidCents !== undefined ? { bidCents } : {}),
      reason: sold ? "resolved by the operator: the buyer took the lead" : "resolved by the operator: the buyer did not take the lead",
    };
  });
  const log: LeadLogEntry = {
    lead: record.lead,
    // The version its run used, not the one the resolution reads now.
    ...(record.outcome?.treeVersion !== undefined ? { treeVersion: record.outcome.treeVersion } : {}),
    status: sales.length ? "accepted" : "unsold",
    ...(sales.length ? {} : { reason: "resolved by the operator: not sold", cause: unsoldCause({ kind: "pass" }, [...record.trace, ...trace]) }),
    ...(redirectUrl ? { redirectUrl } : {}),
    ms: record.outcome?.ms ?? 0,
    completedAt: at,
    trace: [...record.trace, ...trace],
    sales,
  };
  return { kind: "settled", settlement: { answer, accepts: settled.accepts, log }, closes };
}
