/**
 * Ordered, weighted and round-robin tiers: positions are tried one at a
 * time, in an order each mode draws; they differ only in that order. The
 * position flags (abort tier / abort tree if not accepted) apply to all.
 */
import type { Tier } from "../config";
import type { Candidate, TierStrategy, TierVerdict, TreeRun } from "../tree";

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

const orderings: Record<"ordered" | "weighted" | "round_robin", Ordering> = {
  ordered: async (_tier, candidates) => candidates,
  weighted: async (_tier, candidates, run) => weightedOrder(candidates, () => run.io.random()),
  round_robin: async (tier, candidates, run) => rotated(candidates, await run.io.rotation(tier.name, candidates.length)),
};

async function tryCandidate(candidate: Candidate, tierDeadline: number, run: TreeRun): Promise<boolean> {
  const startedAt = run.io.now();
  const deadlineAt = run.deadlineFor(candidate.position, startedAt, tierDeadline);
  if (candidate.point.kind === "direct_post") {
    const offer = run.directOffer(candidate);
    return offer ? run.post({ ...offer, deadlineAt }) : false;
  }
  const [attempt] = await run.io.ping([{ point: candidate.point, position: candidate.position, deadlineAt }]);
  if (!attempt) return false;
  run.recordPings([attempt]);
  const offer = run.offerOf(candidate, attempt);
  return offer ? run.post({ ...offer, deadlineAt: run.deadlineFor(candidate.position, run.io.now(), tierDeadline) }) : false;
}

export function sequentialTier(mode: keyof typeof orderings): TierStrategy {
  const order = orderings[mode];
  return async (tier, candidates, run): Promise<TierVerdict> => {
    const tierDeadline = tier.maxSeconds ? run.io.now() + tier.maxSeconds * 1000 : Infinity;
    const sequence = await order(tier, candidates, run);
    const tries = mode !== "ordered" && tier.runWhich === "one" ? sequence.slice(0, 1) : sequence;
    for (const candidate of tries) {
      if (!run.timeLeft || run.io.now() >= tierDeadline || (run.quotaMet && tier.exitOnMaxAccepts)) break;
      // Past the quota, a tier that does not exit still sells to positions that do not count towards it.
      if (run.quotaMet && candidate.position.countTowardsQuota) continue;
      const accepted = await tryCandidate(candidate, tierDeadline, run);
      if (accepted) continue;
      if (candidate.position.abortTreeIfNotAccepted) return "abortTree";
      if (candidate.position.abortTierIfNotAccepted) break;
    }
    return "next";
  };
}
