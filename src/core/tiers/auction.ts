/**
 * Auction tier: ping every eligible point at once, each under its own
 * deadline from the tier's start; rank first-price; post the best; on a
 * refusal post the next bid at once, until the tree's accepts are met.
 *
 * - A direct post at a fixed price ranks among the bids at that price. One
 *   priced by its answer (a dynamic direct post) cannot be ranked before it
 *   answers, so it is posted after every priced offer, in listed order: it
 *   gets the lead only when no priced bid took it.
 * - exitOnMaxAccepts:false: once the accepts are met, the remaining offers
 *   are still posted, but only to positions that do not count towards quota.
 * - abortTierIfNotAccepted / abortTreeIfNotAccepted act when a flagged
 *   position that started did not accept: one that made no usable bid ends
 *   the tier before any post, one whose post was refused ends it at once;
 *   the offers left are traced as skipped with the reason.
 * - rank "expected_value" orders the priced offers by price × post-accept
 *   rate × (1 − return rate) from the run's records (core/ranking.ts); the
 *   figures go on each bid's trace entry.
 * - Posts belong to positions that started with the tier, so they go on
 *   past the tree's runtime (never past the run's ceiling).
 */
import type { Tier } from "../config";
import { byPrice } from "../ranking";
import { NEXT_TIER, abortOf, endTier, type Abort, type Candidate, type Offer, type TierVerdict, type TreeRun } from "../tree";

export interface RankedOffer extends Offer {
  /** How fast the bid came back, the first tie-break. */
  answeredMs: number;
  index: number;
}

/** Highest price first; on a tie the faster answer, then the earlier position. */
export function rankOffers(offers: RankedOffer[]): RankedOffer[] {
  return [...offers].sort(byPrice);
}

export async function auctionTier(tier: Tier, candidates: Candidate[], run: TreeRun): Promise<TierVerdict> {
  const { queue, abort } = await auctionOffers(tier, candidates, run);
  if (abort) return endTier(abort, queue, "post", run);
  return postOffers(tier, queue, run);
}

/** What an auction's pings make: its offers in the order they are posted, or the abort a flagged position without a usable bid calls. */
export interface AuctionOffers {
  queue: Offer[];
  abort?: Abort;
}

/**
 * The auction up to its first post: every started point pinged at once, each
 * answer priced and ranked. An inbound ping (core/pingPost.ts) stops here and
 * keeps the queue for the publisher's post.
 */
export async function auctionOffers(tier: Tier, candidates: Candidate[], run: TreeRun): Promise<AuctionOffers> {
  const tierDeadline = tier.maxSeconds ? run.io.now() + tier.maxSeconds * 1000 : Infinity;
  const started = candidates.filter((candidate) => {
    const refusal = run.startRefusal(candidate.position, tierDeadline);
    if (refusal) run.skip(candidate.point.id, refusal);
    return !refusal;
  });
  const pinged = started.filter((c) => c.point.kind === "ping_post");
  const attempts = await run.io.ping(pinged.map((c) => ({ point: c.point, position: c.position, ...run.window(c.position, tierDeadline) })));
  run.recordPings(attempts);

  const attemptOf = new Map(pinged.map((candidate, i) => [candidate, attempts[i]]));

  const priced: RankedOffer[] = [];
  const byAnswer: Offer[] = [];
  let abort: Abort | undefined;
  for (const candidate of started) {
    const attempt = attemptOf.get(candidate);
    const offer = attempt ? run.offerOf(candidate, attempt) : candidate.point.kind === "direct_post" ? run.directOffer(candidate) : undefined;
    if (!offer) abort ??= abortOf(candidate);
    else if (offer.pricing) byAnswer.push(offer);
    else priced.push({ ...offer, answeredMs: attempt?.ms ?? 0, index: candidate.index });
  }
  const queue: Offer[] = [...(tier.rank === "expected_value" ? run.rankByExpectedValue(priced) : rankOffers(priced)), ...byAnswer];
  return abort ? { queue, abort } : { queue };
}

/** Posts the offers in order, each refusal falling to the next at once, until the tree's accepts are met (or, with exitOnMaxAccepts:false, to the end). */
export async function postOffers(tier: Pick<Tier, "exitOnMaxAccepts">, queue: Offer[], run: TreeRun): Promise<TierVerdict> {
  for (const [i, offer] of queue.entries()) {
    if (run.quotaMet) {
      if (tier.exitOnMaxAccepts) break;
      if (offer.position.countTowardsQuota) {
        run.skip(offer.point.id, "the tree's accepts are met and this position counts towards them", "post");
        continue;
      }
    }
    if (await run.post({ ...offer, ...run.window(offer.position, Infinity) })) continue;
    const flagged = abortOf(offer);
    if (flagged) return endTier(flagged, queue.slice(i + 1), "post", run);
  }
  return NEXT_TIER;
}
