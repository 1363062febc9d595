/**
 * Auction tier: ping every eligible point at once, each under its own
 * deadline from the tier's start; rank first-price; post the best; on a
 * refusal post the next bid at once, until the tree's accepts are met.
 */
import type { Tier } from "../config";
import type { Candidate, PostTarget, TierVerdict, TreeRun } from "../tree";

export interface RankedOffer extends PostTarget {
  /** How fast the bid came back, the first tie-break. */
  answeredMs: number;
  index: number;
}

/** Highest price first; on a tie the faster answer, then the earlier position. */
export function rankOffers(offers: RankedOffer[]): RankedOffer[] {
  return [...offers].sort((a, b) => b.priceCents - a.priceCents || a.answeredMs - b.answeredMs || a.index - b.index);
}

export async function auctionTier(tier: Tier, candidates: Candidate[], run: TreeRun): Promise<TierVerdict> {
  const startedAt = run.io.now();
  const tierDeadline = tier.maxSeconds ? startedAt + tier.maxSeconds * 1000 : Infinity;
  const pinged = candidates.filter((c) => c.point.kind === "ping_post");
  const attempts = await run.io.ping(pinged.map((c) => ({ point: c.point, position: c.position, deadlineAt: run.deadlineFor(c.position, startedAt, tierDeadline) })));
  run.recordPings(attempts);

  const offers: RankedOffer[] = [];
  pinged.forEach((candidate, i) => {
    const attempt = attempts[i];
    const offer = attempt && run.offerOf(candidate, attempt);
    if (offer && attempt) offers.push({ ...offer, answeredMs: attempt.ms, index: candidate.index });
  });
  for (const candidate of candidates) {
    if (candidate.point.kind !== "direct_post") continue;
    const offer = run.directOffer(candidate);
    if (offer) offers.push({ ...offer, answeredMs: 0, index: candidate.index });
  }

  for (const offer of rankOffers(offers)) {
    if (run.quotaMet || !run.timeLeft) break;
    const postStart = run.io.now();
    await run.post({ ...offer, deadlineAt: run.deadlineFor(offer.position, postStart, Infinity) });
  }
  return "next";
}
