/**
 * The tree runner: walks a tree's tiers in order, hands each tier's eligible
 * positions to the strategy for its mode, and collects sales and the trace.
 * It does no I/O itself: pings, posts and the clock come in through TreeIO,
 * so the same code runs in production and in unit tests.
 *
 * Time: the tree's maxRuntimeSeconds is checked before a position starts; a
 * position that starts gets its whole timeout (plus grace), cut only by its
 * tier's maxSeconds and by RUN_CEILING_MS from the run's start, which no
 * call outlives. A position whose whole timeout would not end by then does
 * not start. So a run's last call ends at most RUN_CEILING_MS (28 s) after
 * it began, whatever the runtime and the timeouts.
 */
import { RUN_CEILING_MS, runtimeMsOf, type LeadPoint, type Payout, type Position, type Tier, type TierMode, type Tree } from "./config";
import { traceOfPing, traceOfPost, type FiredBidRule, type PingAttempt, type PostAttempt, type TraceEntry } from "./attempt";
import { CAPACITY_FIELD, readsCapacity, type CapacityDeclaration } from "./capacity";
import { candidatesOf, copiesOf } from "./candidates";
import { consentRefusal, consentWords } from "./consentNames";
import { dedupeRefusal } from "./consumers";
import { filterFieldsOf, readsLocalTime, timeZoneOfPoint, withLocalTime } from "./eligibility";
import type { FilterCondition } from "./filters";
import type { Lead, LeadFields } from "./lead";
import { bidPrice, floorRefusal, saleFloor, type AnswerPricing, type BidPrice, type SaleFloor } from "./pricing";
import { rankByExpectedValue, treeRates, type PointRecords, type RankFigures, type RankableBid } from "./ranking";

export interface TreePoint extends LeadPoint {
  buyerEnabled: boolean;
  /** Its buyer's capacity declaration, if it made one (capacity.ts). */
  capacity?: CapacityDeclaration;
}

/** How long a call's answer is waited for, and what the buyer is told it has. */
export interface CallWindow {
  /** Absolute epoch ms: the position's timeout plus its grace from the call's start, cut only by its tier's end and the run's ceiling. */
  deadlineAt: number;
  /** What the buyer is told (`${lpi.Allowed Response Time}`): the timeout without the grace, cut the same way. */
  allowedResponseMs: number;
}

export interface PingTarget extends CallWindow {
  point: TreePoint;
  position: Position;
}

export interface PostTarget extends PingTarget {
  priceCents: number;
  pingToken?: string;
  /** Set for a post priced by its answer (a dynamic direct post): `priceCents` is then the least price the exchange takes. */
  pricing?: AnswerPricing;
  /** The bid rules that made `priceCents` for a point never pinged: its post's trace entry shows them. */
  bidRules?: FiredBidRule[];
  /** What an expected-value rank made of the offer of a point never pinged: its post's trace entry shows it. */
  ranking?: RankFigures;
}

/** A post before its call window: what a bid (or a direct post) offers. */
export type Offer = Omit<PostTarget, keyof CallWindow>;

export interface TreeIO {
  now(): number;
  /** Pings every target at once; one attempt per target, in the same order. */
  ping(targets: PingTarget[]): Promise<PingAttempt[]>;
  /** False when the post must not happen (a cap is full); the reason goes to the trace. */
  beforePost(target: PostTarget): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** The attempt as pricedAttempt gives it: a post with `pricing` comes back priced by its answer, or refused. */
  post(target: PostTarget): Promise<PostAttempt>;
  /** Told every post's outcome, e.g. to release a cap reservation after a refusal. */
  afterPost(target: PostTarget, attempt: PostAttempt): Promise<void>;
  /** Uniform in [0, 1): weighted draws. */
  random(): number;
  /** Which of a round-robin tier's listed positions starts this run (rotationStart, remembered per tree and tier). */
  rotation(tierName: string, listed: string[], eligible: string[]): Promise<string | undefined>;
  /** Extra eligibility owned by I/O (caps): a reason to skip the point, if any. */
  closedReason?(point: TreePoint): string | undefined;
  /** The point's free agents when the run began, read for filters and bid rules that name `capacity`; undefined without a declaration. */
  capacityOf?(point: TreePoint): number | undefined;
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

/** A copy point a sold lead is posted to after the sale is settled: never waited for, never billed. */
export interface CopyTarget {
  point: TreePoint;
  position: Position;
}

export interface TreeOutcome {
  sales: Sale[];
  trace: TraceEntry[];
  /** Positions that sold under their minimum receivable price and must be switched off. */
  disabledPositions: { leadPointId: string; reason: string }[];
  /** Where the sold lead's copies go; empty when nothing sold. */
  copies: CopyTarget[];
  /** Why nothing sold, when nothing did. */
  reason?: string;
}

export interface Candidate {
  point: TreePoint;
  position: Position;
  /** Order in the tier, the last tie-break. */
  index: number;
}

/** What a position that was tried and did not take the lead does to its tier or tree, by its flags. */
export interface Abort {
  scope: "tier" | "tree";
  reason: string;
}

export function abortOf({ point, position }: Pick<Candidate, "point" | "position">): Abort | undefined {
  if (position.abortTreeIfNotAccepted) return { scope: "tree", reason: `tree aborted: ${point.id} did not accept (abortTreeIfNotAccepted)` };
  if (position.abortTierIfNotAccepted) return { scope: "tier", reason: `tier aborted: ${point.id} did not accept (abortTierIfNotAccepted)` };
  return undefined;
}

/** Ends a tier by `abort`: whatever it had left to try is traced as skipped with the reason. */
export function endTier(abort: Abort, untried: Pick<Candidate, "point">[], phase: "ping" | "post", run: TreeRun): TierVerdict {
  for (const { point } of untried) run.skip(point.id, abort.reason, phase);
  return abort.scope === "tree" ? { kind: "abortTree", reason: abort.reason } : NEXT_TIER;
}

export interface RunContext {
  prior?: PriorSales;
  /** The publisher's payout: a fixed one is a floor under every sale. */
  payout?: Payout;
  /** The lead points' records an expected-value rank reads (core/ranking.ts); none means every point ranks at the prior. */
  records?: PointRecords;
}

/** The state of one run that every tier strategy reads and advances. */
export class TreeRun {
  readonly sales: Sale[] = [];
  readonly trace: TraceEntry[] = [];
  readonly disabledPositions: TreeOutcome["disabledPositions"] = [];
  readonly startedAt: number;
  /** Positions start only before this: the tree's maxRuntimeSeconds. */
  readonly runtimeEndsAt: number;
  /** No call outlives this. */
  readonly ceilingAt: number;
  readonly floor: SaleFloor;
  cycle = 1;
  private accepts: number;
  private readonly buyersSold: Set<string>;
  private readonly fields: LeadFields;
  private readonly localFields = new Map<string, LeadFields>();
  private consentText?: string;
  /** The trace entry of each bid by lead point (pinged once a run), so the offer it makes can name the bid rules that priced it and its rank. */
  private readonly bidEntries = new Map<string, TraceEntry>();
  private readonly records: PointRecords;

  constructor(
    readonly tree: Tree,
    readonly lead: Lead,
    readonly io: TreeIO,
    context: RunContext = {},
  ) {
    const prior = context.prior ?? NO_PRIOR_SALES;
    this.startedAt = io.now();
    this.runtimeEndsAt = this.startedAt + runtimeMsOf(tree);
    this.ceilingAt = this.startedAt + RUN_CEILING_MS;
    this.floor = saleFloor(tree.minBidCents, context.payout);
    this.accepts = prior.accepts;
    this.buyersSold = new Set(prior.buyerIds);
    this.fields = filterFieldsOf(lead);
    this.records = context.records ?? new Map();
  }

  get quotaMet(): boolean {
    return this.accepts >= this.tree.maxAcceptsPerLead;
  }

  get timeLeft(): boolean {
    return this.io.now() < this.runtimeEndsAt;
  }

  /** A buyer buys a lead once, whichever of its lead points would post. */
  hasBought(buyerId: string): boolean {
    return this.buyersSold.has(buyerId);
  }

  /**
   * What `filters` see of the lead: the local `hour` and `weekday` in `zone`,
   * at the run's start, only when they read them (a zone conversion per run).
   */
  fieldsFor(zone: string, filters: readonly FilterCondition[]): LeadFields {
    if (!readsLocalTime(filters)) return this.fields;
    let local = this.localFields.get(zone);
    if (!local) {
      local = withLocalTime(this.fields, zone, new Date(this.startedAt));
      this.localFields.set(zone, local);
    }
    return local;
  }

  /** What `point`'s filters or bid rules see: fieldsFor in the point's zone, and its free agents when they read `capacity`. */
  pointFields(point: TreePoint, conditions: readonly FilterCondition[]): LeadFields {
    const fields = this.fieldsFor(timeZoneOfPoint(point), conditions);
    const capacity = readsCapacity(conditions) ? this.io.capacityOf?.(point) : undefined;
    return capacity === undefined ? fields : { ...fields, [CAPACITY_FIELD]: capacity };
  }

  /** Why one-to-one consent keeps the lead from `point`; the consent text is normalized once per run, when first needed. */
  consentRefusal(point: Pick<LeadPoint, "consentNames">): string | undefined {
    if (!this.tree.consent?.requireBuyerNamed) return undefined;
    this.consentText ??= consentWords(this.lead.consent.text);
    return consentRefusal(this.consentText, point.consentNames);
  }

  /** Why `point`'s buyer may not have this consumer again: it bought it inside the point's dedupeDays (as the consumer objects knew when the lead arrived). */
  dedupeRefusal(point: Pick<LeadPoint, "buyerId" | "dedupeDays">): string | undefined {
    return dedupeRefusal(point, this.lead.consumer?.purchases ?? [], this.io.now());
  }

  /** Why a position may not start now: the runtime or its tier's time is spent, or its whole timeout would outlive the run. */
  startRefusal(position: Position, tierDeadline: number): string | undefined {
    const now = this.io.now();
    if (now >= this.runtimeEndsAt) return `the tree's maxRuntimeSeconds (${runtimeMsOf(this.tree) / 1000} s) was spent before its turn`;
    if (now >= tierDeadline) return "its tier's maxSeconds was spent before its turn";
    if (now + position.timeoutSeconds * 1000 + position.timeoutGraceMs > this.ceilingAt) {
      return `its timeout would run past the ${RUN_CEILING_MS / 1000} s a run may take`;
    }
    return undefined;
  }

  /** The window of a call to `position` starting now. */
  window(position: Position, tierDeadline: number): CallWindow {
    const now = this.io.now();
    const cut = Math.min(tierDeadline, this.ceilingAt);
    const told = Math.min(now + position.timeoutSeconds * 1000, cut);
    return { deadlineAt: Math.min(now + position.timeoutSeconds * 1000 + position.timeoutGraceMs, cut), allowedResponseMs: Math.max(0, told - now) };
  }

  recordPings(attempts: PingAttempt[]): void {
    for (const attempt of attempts) {
      const entry = this.cycled(traceOfPing(attempt));
      this.trace.push(entry);
      if (attempt.kind === "bid") this.bidEntries.set(attempt.leadPointId, entry);
    }
  }

  skip(leadPointId: string, reason: string, phase: "ping" | "post" = "ping"): void {
    this.trace.push(this.cycled({ leadPointId, phase, startedAt: new Date(this.io.now()).toISOString(), ms: 0, outcome: "skipped", reason }));
  }

  /** Reserves, posts and records one offer; true when the buyer took the lead. */
  async post(target: PostTarget): Promise<boolean> {
    const { point, position } = target;
    if (this.hasBought(point.buyerId)) {
      this.skip(point.id, "the buyer already bought this lead", "post");
      return false;
    }
    if (target.deadlineAt <= this.io.now()) {
      this.skip(point.id, `no time left: the run has reached its ${RUN_CEILING_MS / 1000} s`, "post");
      return false;
    }
    const reserved = await this.io.beforePost(target);
    if (!reserved.ok) {
      this.skip(point.id, reserved.reason, "post");
      return false;
    }
    const attempt = await this.io.post(target);
    // A post priced by its answer has no price of its own to show unless the answer made one.
    const priceCents = attempt.kind === "accepted" ? (attempt.priceCents ?? target.priceCents) : target.pricing ? undefined : target.priceCents;
    const bidRules = attempt.kind === "accepted" ? (attempt.bidRules ?? target.bidRules) : target.bidRules;
    const entry = traceOfPost(attempt, priceCents, bidRules);
    this.trace.push(this.cycled(target.ranking ? { ...entry, ranking: target.ranking } : entry));
    await this.io.afterPost(target, attempt);
    if (attempt.kind !== "accepted" || priceCents === undefined) return false;
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

  /** What a lead point's answer (or fixed price) is worth after its bid rules, or why it is declined: no price, or under the floor. */
  price({ point, position }: Pick<Candidate, "point" | "position">, answeredCents: number | undefined): BidPrice {
    const fields = this.pointFields(point, point.bidRules.flatMap((rule) => rule.when));
    const price = bidPrice(point, position, answeredCents, fields);
    if (!price.ok) return price;
    const refusal = floorRefusal(price.priceCents, this.floor);
    if (!refusal) return price;
    return { ok: false, reason: refusal, ...(price.bidRules ? { bidRules: price.bidRules } : {}) };
  }

  /**
   * `offers` by expected value, rates smoothed toward the pooled record of
   * the tree's lead points; each bid's trace entry (a direct post's offer)
   * gets the figures that placed it.
   */
  rankByExpectedValue<O extends RankableBid & Offer>(offers: readonly O[]): O[] {
    const rates = treeRates(
      this.tree.tiers.flatMap((tier) => tier.positions.map((position) => position.leadPointId)),
      this.records,
    );
    return rankByExpectedValue(offers, this.records, rates).map(({ bid, figures }) => {
      const entry = this.bidEntries.get(bid.point.id);
      if (entry) entry.ranking = figures;
      return entry ? bid : { ...bid, ranking: figures };
    });
  }

  /** The offer an answered ping makes, or undefined (recorded) when it makes none. */
  offerOf(candidate: Candidate, attempt: PingAttempt): Offer | undefined {
    if (attempt.kind !== "bid") return undefined;
    const price = this.price(candidate, attempt.bidCents);
    const entry = this.bidEntries.get(attempt.leadPointId);
    if (entry && price.bidRules) entry.bidRules = price.bidRules;
    if (!price.ok) {
      this.skip(candidate.point.id, price.reason, "post");
      return undefined;
    }
    return { point: candidate.point, position: candidate.position, priceCents: price.priceCents, ...(attempt.pingToken ? { pingToken: attempt.pingToken } : {}) };
  }

  /**
   * The offer of a point that is never pinged: a direct post at its fixed
   * price, or, priced dynamically, at the price its answer names (the post
   * carries the floor as its price, the least it may name).
   */
  directOffer(candidate: Candidate): Offer | undefined {
    const { point, position } = candidate;
    if (point.pricing.type === "dynamic") return { point, position, priceCents: this.floor.cents, pricing: (answered) => this.price(candidate, answered) };
    const price = this.price(candidate, undefined);
    if (!price.ok) {
      this.skip(point.id, price.reason, "post");
      return undefined;
    }
    return { point, position, priceCents: price.priceCents, ...(price.bidRules ? { bidRules: price.bidRules } : {}) };
  }

  outcome(copies: CopyTarget[]): TreeOutcome {
    const outcome: TreeOutcome = { sales: this.sales, trace: this.trace, disabledPositions: this.disabledPositions, copies };
    const tried = this.trace.some((entry) => entry.phase === "post" || entry.outcome !== "skipped");
    if (this.sales.length === 0) outcome.reason = tried ? "no buyer accepted the lead" : "no eligible buyer";
    return outcome;
  }

  private cycled(entry: TraceEntry): TraceEntry {
    return this.cycle > 1 ? { ...entry, cycle: this.cycle } : entry;
  }
}

/** What a tier tells the runner: go on to the next tier, or stop the tree (the reason goes to the later tiers' trace). */
export type TierVerdict = { kind: "next" } | { kind: "abortTree"; reason: string };

export const NEXT_TIER: TierVerdict = { kind: "next" };

export type TierStrategy = (tier: Tier, candidates: Candidate[], run: TreeRun) => Promise<TierVerdict>;

export interface RunTreeOptions extends RunContext {
  tree: Tree;
  lead: Lead;
  points: ReadonlyMap<string, TreePoint>;
  io: TreeIO;
  strategies: Record<TierMode, TierStrategy>;
  cycle?: number;
}

export async function runTree(options: RunTreeOptions): Promise<TreeOutcome> {
  const { tree, lead, points, io, strategies } = options;
  const run = new TreeRun(tree, lead, io, options);
  run.cycle = options.cycle ?? 1;
  let stopped: string | undefined;
  for (const tier of tree.tiers) {
    if (run.quotaMet) break;
    if (!tier.enabled) continue;
    if (stopped === undefined && !run.timeLeft) stopped = `the tree's maxRuntimeSeconds (${runtimeMsOf(tree) / 1000} s) was spent before this tier`;
    const candidates = candidatesOf(tier, points, run, stopped);
    if (stopped !== undefined || candidates.length === 0) continue;
    const verdict = await strategies[tier.mode](tier, candidates, run);
    if (verdict.kind === "abortTree") stopped = verdict.reason;
  }
  return run.outcome(run.sales.length > 0 ? copiesOf(tree, points, run) : []);
}
