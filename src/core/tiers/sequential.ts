/**
 * Ordered, weighted and round-robin tiers: positions are tried one at a
 * time, in an order each mode draws; they differ only in that order. The
 * position flags (abort tier / abort tree if not accepted, count towards
 * quota) and the tier's exitOnMaxAccepts apply to all, and each position
 * starts only while the tree's runtime lasts and its whole timeout fits.
 */
import type { Tier } from "../config";
import { NEXT_TIER, abortOf, endTier, type Candidate, type TierStrategy, type TierVerdict, type TreeRun } from "../tree";

type Ordering = (tier: Tier, candidates: Candidate[], run: TreeRun) => Promise<Candidate[]>;

/** Weighted draw without replacement (Efraimidis–Spirakis): key = u^(1/w), largest first. */
export function weightedOrder(candidates: Candidate[], random: () => number): Candidate[] {
  return candidates
    .map((candidate) => ({ candidate, key: Math.pow(random(), 1 / candidate.position.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.candidate);
}

export function rotated<T>(items: T[], start: number): T[] {
  const offset = ((start % items.length) + items.length) % items.length;
  return [...items.slice(offset), ...items.slice(0, offset)];
}

/** Round robin: the eligible positions in listed order, from the one the rotation says starts this run. */
async function roundRobinOrder(tier: Tier, candidates: Candidate[], run: TreeRun): Promise<Candidate[]> {
  const listed = tier.positions.map((position) => position.leadPointId);
  const eligible = candidates.map((candidate) => candidate.point.id);
  const start = await run.io.rotation(tier.name, listed, eligible);
  return rotated(candidates, Math.max(0, eligible.indexOf(start ?? "")));
}

const orderings: Record<"ordered" | "weighted" | "round_robin", Ordering> = {
  ordered: async (_tier, candidates) => candidates,
  weighted: async (_tier, candidates, run) => weightedOrder(candidates, () => run.io.random()),
  round_robin: roundRobinOrder,
};

async function tryCandidate(candidate: Candidate, tierDeadline: number, run: TreeRun): Promise<boolean> {
  if (candidate.point.kind === "direct_post") {
    const offer = run.directOffer(candidate);
    return offer ? run.post({ ...offer, ...run.window(candidate.position, tierDeadline) }) : false;
  }
  const [attempt] = await run.io.ping([{ point: candidate.point, position: candidate.position, ...run.window(candidate.position, tierDeadline) }]);
  if (!attempt) return false;
  run.recordPings([attempt]);
  const offer = run.offerOf(candidate, attempt);
  return offer ? run.post({ ...offer, ...run.window(candidate.position, tierDeadline) }) : false;
}

export function sequentialTier(mode: keyof typeof orderings): TierStrategy {
  const order = orderings[mode];
  return async (tier, candidates, run): Promise<TierVerdict> => {
    const tierDeadline = tier.maxSeconds ? run.io.now() + tier.maxSeconds * 1000 : Infinity;
    const sequence = await order(tier, candidates, run);
    const tries = mode !== "ordered" && tier.runWhich === "one" ? sequence.slice(0, 1) : sequence;
    for (const [i, candidate] of tries.entries()) {
      if (run.quotaMet && tier.exitOnMaxAccepts) break;
      const refusal = run.quotaMet && candidate.position.countTowardsQuota ? "the tree's accepts are met and this position counts towards them" : run.startRefusal(candidate.position, tierDeadline);
      if (refusal) {
        run.skip(candidate.point.id, refusal);
        continue;
      }
      if (await tryCandidate(candidate, tierDeadline, run)) continue;
      const abort = abortOf(candidate);
      if (abort) return endTier(abort, tries.slice(i + 1), "ping", run);
    }
    return NEXT_TIER;
  };
}
