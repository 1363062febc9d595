/**
 * Who a tier may try, and who gets a sold lead's copy. Every position is a
 * candidate or is traced as skipped with its reason, except copy points,
 * which tiers never try: a copy point goes by its own settings (its
 * position's and lead point's `enabled`, its buyer, one-to-one consent, its
 * buyer's earlier purchase of the consumer (dedupeDays), its filters,
 * minScore and schedule), never by its tier's, and only once the
 * lead is sold.
 */
import type { Tier, Tree } from "./config";
import { skipReason, timeZoneOfTree } from "./eligibility";
import type { Candidate, CopyTarget, TreePoint, TreeRun } from "./tree";

/** The positions of `tier` that may be tried now; `stopped` (why the tree stopped) skips them all. */
export function candidatesOf(tier: Tier, points: ReadonlyMap<string, TreePoint>, run: TreeRun, stopped?: string): Candidate[] {
  const positions = tier.positions.filter((position) => points.get(position.leadPointId)?.kind !== "copy");
  const tierSkip = stopped ?? tierRefusal(tier, run);
  if (tierSkip) {
    for (const position of positions) run.skip(position.leadPointId, tierSkip);
    return [];
  }
  const candidates: Candidate[] = [];
  tier.positions.forEach((position, index) => {
    const point = points.get(position.leadPointId);
    if (point?.kind === "copy") return;
    const reason = !position.enabled ? "position disabled" : !point ? "lead point not found" : candidateRefusal(point, run);
    if (reason || !point) run.skip(position.leadPointId, reason ?? "lead point not found");
    else candidates.push({ point, position, index });
  });
  return candidates;
}

/** The copy points of a tree that get the sold lead; the others are traced with their reason. */
export function copiesOf(tree: Tree, points: ReadonlyMap<string, TreePoint>, run: TreeRun): CopyTarget[] {
  const copies: CopyTarget[] = [];
  for (const position of tree.tiers.flatMap((tier) => tier.positions)) {
    const point = points.get(position.leadPointId);
    if (point?.kind !== "copy") continue;
    const reason = position.enabled ? pointRefusal(point, run) : "position disabled";
    if (reason) run.skip(point.id, `copy not sent: ${reason}`, "post");
    else copies.push({ point, position });
  }
  return copies;
}

function tierRefusal(tier: Tier, run: TreeRun): string | undefined {
  const reason = skipReason({ filters: tier.filters }, run.lead.score, run.fieldsFor(timeZoneOfTree(run.tree), tier.filters));
  return reason ? `tier ${tier.name}: ${reason}` : undefined;
}

/** Why `point` may not get the lead now, from its own settings (an inbound post checks its reserved bids again with it). */
export function pointRefusal(point: TreePoint, run: TreeRun): string | undefined {
  if (!point.enabled) return "lead point disabled";
  if (!point.buyerEnabled) return "buyer disabled";
  const refusal = run.consentRefusal(point) ?? run.dedupeRefusal(point);
  if (refusal) return refusal;
  return skipReason(point, run.lead.score, run.pointFields(point, point.filters), new Date(run.io.now()));
}

function candidateRefusal(point: TreePoint, run: TreeRun): string | undefined {
  if (run.hasBought(point.buyerId)) return "the buyer already bought this lead";
  return pointRefusal(point, run) ?? run.io.closedReason?.(point);
}
