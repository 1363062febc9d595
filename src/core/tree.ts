/**
 * The tree runner: walks a tree's tiers in order, hands each tier's eligible
 * positions to the strategy for its mode, and collects sales and the trace.
 * It does no I/O itself: pings, posts and the clock come in through TreeIO,
 * so the same code runs in production and in unit tests.
 */
import { runtimeMsOf, type LeadPoint, type Position, type Tier, type TierMode, type Tree } from "./config";
import { traceOfPing, traceOfPost, type PingAttempt, type PostAttempt, type TraceEntry } from "./attempt";
import { bidPrice } from "./pricing";
import type { Lead } from "./lead";
import { skipReason } from "./eligibility";

export interface TreePoint extends LeadPoint {
  buyerEnabled: boolean;
}

export interface PingTarget {
  point: TreePoint;
  position: Position;
  /** Absolute epoch ms, measured from the start of the tier. */
  deadlineAt: number;
}

export interface PostTarget extends PingTarget {
  priceCents: number;
  pingToken?: string;
}

export interface TreeIO {
  now(): number;
  /** Pings every target at once; one attempt per target, in the same order. */
  ping(targets: PingTarget[]): Promise<PingAttempt[]>;
  /** False when the post must not happen (a cap is full); the reason goes to the trace. */
  beforePost(target: PostTarget): Promise<{ ok: true } | { ok: false; reason: string }>;
  post(target: PostTarget): Promise<PostAttempt>;
  /** Told every post's outcome, e.g. to release a cap reservation after a refusal. */
  afterPost(target: PostTarget, attempt: PostAttempt): Promise<void>;
  /** Uniform in [0, 1): weighted draws. */
  random(): number;
  /** Where a round-robin tier of `size` positions starts this run. */
  rotation(tierName: string, size: number): Promise<number>;
  /** Extra eligibility owned by I/O (caps): a reason to skip the point, if any. */
  closedReason?(point: TreePoint): string | undefined;
}

export interface Sale {
  leadPointId: string;
  buyerId: string;
  priceCents: number;
  countsTowardsQuota: boolean;
  redirectUrl?: string;
  buyerLeadId?: string;
}

/** The sales of a unique-lead key before this run (API.md: accepts add up across a key's runs). */
export interface PriorSales {
  accepts: number;
  buyerIds: string[];
}

export const NO_PRIOR_SALES: PriorSales = { accepts: 0, buyerIds: [] };

export interface TreeOutcome {
  sales: Sale[];
  trace: TraceEntry[];
  /** Positions that sold under their minimum receivable price and must be switched off. */
  disabledPositions: { leadPointId: string; reason: string }[];
  /** Why nothing sold, when nothing did. */
  reason?: string;
}

export interface Candidate {
  point: TreePoint;
  position: Position;
  /** Order in the tier, the last tie-break. */
  index: number;
}

/** The state of one run that every tier strategy reads and advances. */
export class TreeRun {
  readonly sales: Sale[] = [];
  readonly trace: TraceEntry[] = [];
  readonly disabledPositions: TreeOutcome["disabledPositions"] = [];
  private accepts: number;
  private readonly buyersSold: Set<string>;

  constructor(
    readonly tree: Tree,
    readonly lead: Lead,
    readonly io: TreeIO,
    readonly deadlineAt: number,
    prior: PriorSales = NO_PRIOR_SALES,
  ) {
    this.accepts = prior.accepts;
    this.buyersSold = new Set(prior.buyerIds);
  }

  get quotaMet(): boolean {
    return this.accepts >= this.tree.maxAcceptsPerLead;
  }

  get timeLeft(): boolean {
    return this.io.now() < this.deadlineAt;
  }

  /** A buyer buys a lead once, whichever of its lead points would post. */
  hasBought(buyerId: string): boolean {
    return this.buyersSold.has(buyerId);
  }

  deadlineFor(position: Position, startedAt: number, tierDeadline: number): number {
    const own = startedAt + position.timeoutSeconds * 1000 + position.timeoutGraceMs;
    return Math.min(own, tierDeadline, this.deadlineAt);
  }

  recordPings(attempts: PingAttempt[]): void {
    for (const attempt of attempts) this.trace.push(this.cycled(traceOfPing(attempt)));
  }

  skip(leadPointId: string, reason: string, phase: "ping" | "post" = "ping"): void {
    this.trace.push(this.cycled({ leadPointId, phase, startedAt: new Date(this.io.now()).toISOString(), ms: 0, outcome: "skipped", reason }));
  }

  /** Reserves, posts and records one offer; true when the buyer took the lead. */
  async post(target: PostTarget): Promise<boolean> {
    const { point, position, priceCents } = target;
    if (this.hasBought(point.buyerId)) {
      this.skip(point.id, "the buyer already bought this lead", "post");
      return false;
    }
    const reserved = await this.io.beforePost(target);
    if (!reserved.ok) {
      this.skip(point.id, reserved.reason, "post");
      return false;
    }
    const attempt = await this.io.post(target);
    this.trace.push(this.cycled(traceOfPost(attempt, priceCents)));
    await this.io.afterPost(target, attempt);
    if (attempt.kind !== "accepted") return false;
    this.buyersSold.add(point.buyerId);
    if (position.countTowardsQuota) this.accepts += 1;
    this.sales.push({
      leadPointId: point.id,
      buyerId: point.buyerId,
      priceCents,
      countsTowardsQuota: position.countTowardsQuota,
      ...(attempt.redirectUrl ? { redirectUrl: attempt.redirectUrl } : {}),
      ...(attempt.buyerLeadId ? { buyerLeadId: attempt.buyerLeadId } : {}),
    });
    if (position.minReceivableCents !== undefined && priceCents < position.minReceivableCents) {
      this.disabledPositions.push({ leadPointId: point.id, reason: `sold at ${priceCents} cents, under its minimum receivable ${position.minReceivableCents}` });
    }
    return true;
  }

  /** The offer an answered ping makes, or undefined (recorded) when it makes none. */
  offerOf(candidate: Candidate, attempt: PingAttempt): PostTarget | undefined {
    if (attempt.kind !== "bid") return undefined;
    const price = bidPrice(candidate.point, candidate.position, attempt.bidCents, this.lead.fields);
    if (!price.ok) {
      this.skip(candidate.point.id, price.reason, "post");
      return undefined;
    }
    return {
      point: candidate.point,
      position: candidate.position,
      priceCents: price.priceCents,
      deadlineAt: 0,
      ...(attempt.pingToken ? { pingToken: attempt.pingToken } : {}),
    };
  }

  /** The offer of a point that is never pinged: a direct post at its fixed price. */
  directOffer(candidate: Candidate): PostTarget | undefined {
    const price = bidPrice(candidate.point, candidate.position, undefined, this.lead.fields);
    if (!price.ok) return undefined;
    return { point: candidate.point, position: candidate.position, priceCents: price.priceCents, deadlineAt: 0 };
  }

  outcome(): TreeOutcome {
    const outcome: TreeOutcome = { sales: this.sales, trace: this.trace, disabledPositions: this.disabledPositions };
    const tried = this.trace.some((entry) => entry.phase === "post" || entry.outcome !== "skipped");
    if (this.sales.length === 0) outcome.reason = tried ? "no buyer accepted the lead" : "no eligible buyer";
    return outcome;
  }

  cycle = 1;

  private cycled(entry: TraceEntry): TraceEntry {
    return this.cycle > 1 ? { ...entry, cycle: this.cycle } : entry;
  }
}

/** What a tier tells the runner: go on to the next tier, or stop the tree. */
export type TierVerdict = "next" | "abortTree";

export type TierStrategy = (tier: Tier, candidates: Candidate[], run: TreeRun) => Promise<TierVerdict>;

export interface RunTreeOptions {
  tree: Tree;
  lead: Lead;
  points: ReadonlyMap<string, TreePoint>;
  io: TreeIO;
  strategies: Record<TierMode, TierStrategy>;
  cycle?: number;
  /** What earlier leads of the same unique-lead key sold: their accepts count, their buyers are not offered it again. */
  prior?: PriorSales;
}

export async function runTree(options: RunTreeOptions): Promise<TreeOutcome> {
  const { tree, lead, points, io, strategies } = options;
  const run = new TreeRun(tree, lead, io, io.now() + runtimeMsOf(tree), options.prior);
  run.cycle = options.cycle ?? 1;
  for (const tier of tree.tiers) {
    if (run.quotaMet || !run.timeLeft) break;
    if (!tier.enabled) continue;
    const candidates = eligibleCandidates(tier, points, run);
    if (candidates.length === 0) continue;
    const verdict = await strategies[tier.mode](tier, candidates, run);
    if (verdict === "abortTree") break;
  }
  return run.outcome();
}

function eligibleCandidates(tier: Tier, points: ReadonlyMap<string, TreePoint>, run: TreeRun): Candidate[] {
  const tierSkip = skipReason({ filters: tier.filters }, run.lead);
  if (tierSkip) {
    for (const position of tier.positions) run.skip(position.leadPointId, `tier ${tier.name}: ${tierSkip}`);
    return [];
  }
  const candidates: Candidate[] = [];
  tier.positions.forEach((position, index) => {
    const point = points.get(position.leadPointId);
    const reason = !position.enabled
      ? "position disabled"
      : !point
        ? "lead point not found"
        : (candidateSkip(point, run) ?? undefined);
    if (reason || !point) run.skip(position.leadPointId, reason ?? "lead point not found");
    else candidates.push({ point, position, index });
  });
  return candidates;
}

function candidateSkip(point: TreePoint, run: TreeRun): string | undefined {
  if (!point.enabled) return "lead point disabled";
  if (!point.buyerEnabled) return "buyer disabled";
  if (run.hasBought(point.buyerId)) return "the buyer already bought this lead";
  return skipReason(point, run.lead, new Date(run.io.now())) ?? run.io.closedReason?.(point);
}
