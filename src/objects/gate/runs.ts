/**
 * The runs of a gate's leads: admitting a submission under its key, running
 * it, recovering a run that stopped, re-running a held lead, and resolving a
 * lead in review. Every change of state goes through the log's transitions;
 * this module decides which one, and answers the waiters of a key.
 *
 * Runs are serialized per key, not per object: a second submit of a key
 * whose run is in flight waits for that run and gets its answer, while other
 * keys proceed in parallel.
 */
import { leaseMsOf } from "../../core/config";
import type { FieldError, Lead } from "../../core/lead";
import { pingMismatch, reservePing, type PingReservation } from "../../core/pingPost";
import { openLead, type SealedLead } from "../../core/piiSeal";
import { splitSale } from "../../core/pricing";
import { screenLead, type Screening } from "../../core/screen";
import { NO_PRIOR_SALES, type PriorSales } from "../../core/tree";
import type { PingShardService } from "../../buyers/fanout";
import { currentConsumer, dedupesAny } from "../../exchange/consumers";
import type { RunJournal } from "../../exchange/journal";
import { postGuards } from "../../exchange/limits";
import { piiKeysOf } from "../../exchange/piiKeys";
import { sendPostback } from "../../exchange/postback";
import { executeRun, runSetup, settlementOf, type RunInput } from "../../exchange/runLead";
import type { LeadAnswer, Settlement } from "../../exchange/settlement";
import { getPublisher, type Publisher } from "../../store/config";
import type { LeadLogEntry } from "../../store/leadLog";
import { servicesOf } from "../../store/services";
import { gateJournal } from "./journal";
import { entryOf, type GateLog, type KeyRecord, type LeadRecord, type LeadState } from "./log";
import { PING_KEPT_MS, type PingedLead, type PingLog } from "./pings";
import { OWED_BACKSTOP_MS, type D1Outbox } from "./outbox";
import type { SaleNotices } from "./saleNotices";
import { recoveryOf } from "./recovery";
import { resolutionOf, type Resolution } from "./resolution";
import type { Wakeups } from "./wakeups";

export type { Resolution } from "./resolution";

export interface AdmitRequest {
  key: string;
  /** The lead as the log keeps it: its PII sealed. */
  stored: SealedLead;
  publisherId: string;
  /** How long a result is replayed for this key (tree uniqueLead.durationSeconds). */
  windowSeconds: number;
  /** The tree's maxAcceptsPerLead: a key with that many accepts is never run again inside its window. */
  maxAccepts: number;
  /** How long the run may hold the key before the gate recovers it. */
  leaseMs: number;
}

/** A new submission: admission, plus what the run needs that the Worker already knows. */
export interface SubmitRequest extends AdmitRequest {
  /** The same lead with its PII open, for this run only: it is never written. */
  lead: Lead;
  publisher: Publisher;
  screening: Exclude<Screening, { kind: "error" }>;
}

/**
 * An inbound ping: the lead without its PII (a placeholder consent, the id
 * its post's lead will have), run through the tree's auctions up to their
 * posts, its ranked bids kept here under `pingId`.
 */
export interface PingRequest {
  pingId: string;
  /** The unique-lead key its post's lead is admitted under (from the ping's own fields). */
  key: string;
  lead: Lead;
  pinged: PingedLead;
  publisher: Publisher;
  maxAccepts: number;
  screening: Exclude<Screening, { kind: "error" }>;
  expiresAt: number;
}

/** What a ping answers: the payout of its best reserved bid (0 and declined when it holds none). */
export interface PingOutcome {
  status: "accepted" | "declined";
  payoutCents: number;
}

/** An inbound post: the whole lead, for the reserved bids of `pingId`. */
export interface PostRequest extends Omit<SubmitRequest, "key"> {
  pingId: string;
  /** The post's fields and tracking ids without PII, to hold against the ping's. */
  pinged: PingedLead;
}

/** Why a post does not go ahead: its ping is not this publisher's, was posted already, expired, held no bid, or said something else. */
export type PingRefusal =
  | { kind: "pingUnknown" }
  | { kind: "pingUsed"; leadId?: string }
  | { kind: "pingExpired"; expiredAt: number }
  | { kind: "pingDeclined" }
  | { kind: "pingMismatch"; errors: FieldError[] };

export type Admission =
  | { kind: "run"; prior: PriorSales }
  /** The answer the key already has: a resubmit inside its window gets it, and no buyer hears of it. */
  | { kind: "replay"; answer: LeadAnswer }
  /** The answer of a run that just finished (this submit's, or the one it waited for). */
  | { kind: "answered"; answer: LeadAnswer }
  /** The key's run is held by a live lease this object cannot wait on (it restarted mid-run). */
  | { kind: "busy"; retryAfterSeconds: number }
  /** The run could not be finished now; the lead is in the log and the alarm finishes it. */
  | { kind: "failed"; leadId: string };

/** What a lead sold, as leadSales answers: `at` is when its cycle ended (epoch ms). */
export type LeadSales = { kind: "settled"; buyerIds: string[]; at: number } | { kind: "open" } | { kind: "unknown" };

/** A lead in these states may still sell (review: a post's answer is not known). */
const OPEN_LEAD_STATES: ReadonlySet<LeadState> = new Set<LeadState>(["running", "posting", "review"]);

/** Waits for `promise` to settle, but no longer than `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]);
  if (timer !== undefined) clearTimeout(timer);
}

/** What a submit, a recovery or a re-run ends with: everything but the go-ahead to run. */
export type RunOutcome = Exclude<Admission, { kind: "run" }>;

export type Resolved =
  | { kind: "resolved"; answer: LeadAnswer }
  | { kind: "notFound" }
  | { kind: "conflict"; reason: string }
  | { kind: "invalid"; path: string; message: string };

/** A run alive in this object, and the submits of its key that wait for it. */
interface LiveRun {
  leadId: string;
  promise: Promise<RunOutcome>;
  resolve(outcome: RunOutcome): void;
}

function liveRun(leadId: string): LiveRun {
  let resolve!: (outcome: RunOutcome) => void;
  const promise = new Promise<RunOutcome>((r) => (resolve = r));
  return { leadId, promise, resolve };
}

/** The answer a key inside its window replays instead of running again: held or in review, or done with its accepts met. */
function replayOf(row: KeyRecord, maxAccepts: number): LeadAnswer | undefined {
  if ((row.state === "held" || row.state === "review") && row.answer) return row.answer;
  if (row.state === "done" && row.answer && row.prior.accepts >= maxAccepts) return row.answer;
  return undefined;
}

/** A lease given to a run that is alive past its own: the alarm looks again after it. */
const LIVE_RUN_EXTENSION_MS = leaseMsOf({});

export interface GateRunsOptions {
  env: Env;
  ctx: DurableObjectState;
  log: GateLog;
  pings: PingLog;
  outbox: D1Outbox;
  saleNotices: SaleNotices;
  wakeups: Wakeups;
}

export class GateRuns {
  private readonly live = new Map<string, LiveRun>();
  private readonly journal: RunJournal;
  private readonly recovering = new Map<string, Promise<RunOutcome>>();

  constructor(private readonly options: GateRunsOptions) {
    this.journal = gateJournal(options.log, () => piiKeysOf(options.env));
  }

  private get log(): GateLog {
    return this.options.log;
  }

  /** True while this object is running the lead (a submit's run, a re-run or a recovery). */
  isLive(leadId: string): boolean {
    return this.recovering.has(leadId) || [...this.live.values()].some((run) => run.leadId === leadId);
  }

  /** Admits a lead under its key: run it, or replay the key's answer, or wait for the key's run in flight. */
  async admit(request: AdmitRequest): Promise<Admission> {
    const running = this.live.get(request.key);
    if (running) return running.promise;
    const now = Date.now();
    const row = this.log.key(request.key);
    let prior = NO_PRIOR_SALES;
    if (row && row.expiresAt > now) {
      const replay = replayOf(row, request.maxAccepts);
      if (replay) return { kind: "replay", answer: replay };
      if (row.state === "done" && row.answer) prior = row.prior;
      if (row.state === "running") {
        if (row.leaseUntil > now) return { kind: "busy", retryAfterSeconds: Math.ceil((row.leaseUntil - now) / 1000) };
        // The run that held the key is gone: finish it before anything runs again.
        return this.recover(row.leadId);
      }
    }
    this.log.admit({
      key: request.key,
      lead: request.stored,
      publisherId: request.publisherId,
      now,
      leaseUntil: now + request.leaseMs,
      expiresAt: now + request.windowSeconds * 1000,
      prior,
    });
    this.live.set(request.key, liveRun(request.stored.id));
    // If the run never comes back, the alarm at the lease's end recovers it.
    this.options.ctx.waitUntil(this.options.wakeups.noLaterThan(now + request.leaseMs));
    return { kind: "run", prior };
  }

  /**
   * Admits a new submission and, when it is this submit's to run, runs it here
   * and logs the outcome. `relay` is the submitting Worker's invocation, which
   * takes the first group of pings past this object's six.
   */
  async submit(request: SubmitRequest, relay?: PingShardService, reservation?: PingReservation): Promise<RunOutcome> {
    const admission = await this.admit(request);
    if (admission.kind !== "run") return admission;
    const { lead, key } = request;
    try {
      const services = servicesOf(this.options.env);
      const snapshot = await services.config.tree(services.db, lead.treeId);
      if (!snapshot) throw new Error(`tree ${lead.treeId} vanished during the run`);
      const input: RunInput = {
        snapshot,
        publisher: request.publisher,
        lead,
        stored: request.stored,
        screening: request.screening,
        cycle: 1,
        // An inbound post's trace starts with its ping's attempts.
        priorTrace: reservation?.trace ?? [],
        prior: admission.prior,
        ...(reservation ? { reservation } : {}),
      };
      const settlement = await executeRun({ ...this.effects(), ...(relay ? { relay } : {}) }, input);
      return this.finish(key, settlement, input);
    } catch (error) {
      // The lead stays in the log: recover the run from its journal at once, without a second sale.
      console.error("lead run failed; the gate recovers it", lead.id, error instanceof Error ? error.message : "unknown");
      this.log.releaseLease(key, lead.id);
      // Whatever the recovery meets, the lead is in the log: the answer says so, and the alarm tries again.
      return this.recover(lead.id).catch((): RunOutcome => ({ kind: "failed", leadId: lead.id }));
    } finally {
      this.answerWaiters(key, lead.id, { kind: "failed", leadId: lead.id });
    }
  }

  /**
   * Runs an inbound ping and keeps its ranked bids until `expiresAt`. A ping
   * whose key already has its answer (a duplicate inside the window), or
   * that the tree declines, pings no buyer and holds nothing. Nothing goes
   * to D1: a ping that is never posted sells and bills nothing.
   */
  async ping(request: PingRequest, relay?: PingShardService): Promise<PingOutcome> {
    const { lead, publisher, key } = request;
    const now = Date.now();
    const row = this.log.key(key);
    const open = row && row.expiresAt > now ? row : undefined;
    let reservation: PingReservation = { offers: [], trace: [] };
    if (request.screening.kind === "pass" && !(open && replayOf(open, request.maxAccepts))) {
      const services = servicesOf(this.options.env);
      const snapshot = await services.config.tree(services.db, lead.treeId);
      if (!snapshot) throw new Error(`tree ${lead.treeId} vanished during the ping`);
      const { io, records } = await runSetup({ ...this.effects(), ...(relay ? { relay } : {}) }, snapshot, lead, now);
      const prior = open?.state === "done" ? open.prior : NO_PRIOR_SALES;
      reservation = await reservePing({ tree: snapshot.tree, lead, points: snapshot.points, io, prior, payout: publisher.payout, ...(records ? { records } : {}) });
    }
    const state = this.options.pings.reserve({ pingId: request.pingId, key, publisherId: publisher.id, lead: request.pinged, reservation, expiresAt: request.expiresAt });
    this.options.ctx.waitUntil(this.options.wakeups.noLaterThan(request.expiresAt + PING_KEPT_MS));
    const best = reservation.offers[0];
    return { status: state === "reserved" ? "accepted" : "declined", payoutCents: best ? splitSale(publisher.payout, best.priceCents).payoutCents : 0 };
  }

  /**
   * Posts the whole lead to its ping's reserved bids. The ping is checked and
   * claimed, and the lead admitted under the ping's key, in one turn of this
   * object: a concurrent or repeated post finds it posted. From there the lead
   * is any lead's (its journal, outcome, outbox, recovery), its trace the
   * ping's attempts followed by the posts.
   */
  post(request: PostRequest, relay?: PingShardService): Promise<RunOutcome> | PingRefusal {
    const { pingId, pinged, ...submission } = request;
    const ping = this.options.pings.ping(pingId);
    if (!ping || ping.publisherId !== request.publisherId) return { kind: "pingUnknown" };
    if (ping.state === "posted") return { kind: "pingUsed", ...(ping.leadId ? { leadId: ping.leadId } : {}) };
    if (ping.state === "declined") return { kind: "pingDeclined" };
    const now = Date.now();
    if (ping.expiresAt <= now) return { kind: "pingExpired", expiredAt: ping.expiresAt };
    const errors = pingMismatch(ping.lead, pinged);
    if (errors.length) return { kind: "pingMismatch", errors };
    // The key got its answer since the ping (the same click id submitted to /leads): the post replays it, as a resubmit would.
    const key = this.log.key(ping.key);
    const replay = key && key.expiresAt > now ? replayOf(key, request.maxAccepts) : undefined;
    // Checked above in this same turn, so the claim holds; a claim that moved nothing would mean another post took it.
    if (!this.options.pings.claim(pingId, replay?.leadId ?? request.lead.id, now)) return { kind: "pingUsed" };
    if (replay) return Promise.resolve({ kind: "replay", answer: replay });
    return this.submit({ ...submission, key: ping.key }, relay, ping.reservation);
  }

  /**
   * The alarm's work on one lead, each in an invocation of its own: a held
   * lead's next cycle, or the recovery of a run whose lease ran out. A run
   * still alive in this object keeps its key, under a longer lease.
   */
  async runDue(leadId: string): Promise<void> {
    const record = this.log.lead(leadId);
    if (!record) return;
    const now = Date.now();
    if (record.state === "held" && record.nextRunAt !== undefined && record.nextRunAt <= now) {
      await this.runCycle(record, record.cycle + 1);
      return;
    }
    const key = this.log.key(record.key);
    if (!key || key.leadId !== leadId || key.state !== "running" || key.leaseUntil > now) return;
    if (this.isLive(leadId)) this.log.extendLease(key.key, leadId, now + LIVE_RUN_EXTENSION_MS);
    else await this.recover(leadId);
  }

  /**
   * Finishes a run that stopped, from what its journal says: no post left (or
   * none sold) → run it again; every post answered → settle from the answers;
   * a post with no answer → review, never posted again. Concurrent calls for
   * one lead share one recovery.
   */
  recover(leadId: string): Promise<RunOutcome> {
    let recovery = this.recovering.get(leadId);
    if (!recovery) {
      recovery = this.recoverLead(leadId).finally(() => this.recovering.delete(leadId));
      this.recovering.set(leadId, recovery);
    }
    return recovery;
  }

  private async recoverLead(leadId: string): Promise<RunOutcome> {
    const record = this.log.lead(leadId);
    if (!record) return { kind: "failed", leadId };
    if (record.state !== "running" && record.state !== "posting") return this.answerOfKey(record);
    const intents = this.log.intents(leadId);
    const recovery = recoveryOf(intents);
    if (recovery.kind === "rerun") return this.runCycle(record, record.cycle);
    const input = await this.runInput(record);
    if (!input) return this.finishWithout(record, "the tree or publisher no longer exists");
    // The caps see what the journal saw: an answered post settles its reservation, an unknown one keeps it (until its lease).
    const guards = postGuards(this.options.env, input.snapshot.tree, leadId);
    await Promise.all(
      intents.flatMap((intent) => {
        const point = input.snapshot.points.get(intent.leadPointId);
        return point && intent.answer ? [guards.closeReservation(point, intent.answer.kind === "accepted")] : [];
      }),
    );
    const settlement = settlementOf(
      { ...input, cycle: input.snapshot.tree.cycles.max, priorTrace: record.trace },
      { status: recovery.kind === "review" ? "review" : "accepted", trace: recovery.trace, sales: recovery.sales },
      Date.now(),
    );
    // Possibly sold: the key stays in review, and the publisher is told the lead is pending.
    if (recovery.kind === "review") settlement.answer = { leadId, status: "pending" };
    return this.finish(record.key, settlement, input);
  }

  /** Runs one cycle of a logged lead inside this object, journaling to itself. */
  private async runCycle(record: LeadRecord, cycle: number): Promise<RunOutcome> {
    const logged = await this.runInput(record);
    if (!logged) return this.finishWithout(record, "the tree or publisher no longer exists");
    // The consumer may have been bought since the lead arrived: its lead points with dedupeDays see that.
    const input = dedupesAny(logged.snapshot.points) ? { ...logged, lead: await currentConsumer(this.options.env, logged.lead) } : logged;
    const key = this.log.key(record.key);
    const now = Date.now();
    const ownsKey = key?.leadId === record.leadId;
    const prior = key && ownsKey ? key.prior : NO_PRIOR_SALES;
    this.log.startCycle(record, cycle, now + leaseMsOf(input.snapshot.tree));
    // Submits of the key wait for this run only while the key is still this lead's: once its window has
    // ended, a submit of the same key is a new lead of its own.
    if (key && ownsKey && key.expiresAt > now && !this.live.has(record.key)) this.live.set(record.key, liveRun(record.leadId));
    try {
      const runInput = { ...input, cycle, priorTrace: record.trace, prior };
      return this.finish(record.key, await executeRun(this.effects(), runInput), runInput);
    } finally {
      this.answerWaiters(record.key, record.leadId, { kind: "failed", leadId: record.leadId });
    }
  }

  /**
   * Settles a lead in review as the operator says, exactly once: the sale
   * (or none) goes to the log and from there to D1 with its ledger lines,
   * the caps count it, and the publisher gets its postback.
   */
  async resolve(leadId: string, resolution: Resolution): Promise<Resolved> {
    const before = this.log.lead(leadId);
    if (!before) return { kind: "notFound" };
    if (before.state !== "review") return { kind: "conflict", reason: `lead ${leadId} is not in review (it is ${before.state})` };
    const input = await this.runInput(before);
    if (!input) return { kind: "conflict", reason: "the lead's tree or publisher no longer exists" };
    // From here on, no await until the log has the resolution: a second call meets state done.
    const record = this.log.lead(leadId);
    if (!record || record.state !== "review") return { kind: "conflict", reason: `lead ${leadId} was resolved meanwhile` };
    const { tree, points } = input.snapshot;
    const outcome = resolutionOf(record, resolution, tree, points, input.publisher.payout, new Date().toISOString());
    if (outcome.kind === "invalid") return outcome;
    const { answer } = outcome.settlement;
    this.finish(record.key, outcome.settlement, input);
    const guards = postGuards(this.options.env, tree, leadId);
    await Promise.all(
      outcome.closes.flatMap(({ leadPointId, sold }) => {
        const point = points.get(leadPointId);
        return point ? [guards.closeReservation(point, sold)] : [];
      }),
    );
    return { kind: "resolved", answer };
  }

  /**
   * The buyers a lead of this gate sold to, for a later lead of the same
   * consumer (exchange/consumers.ts, withEarlierSales): a lead still running in
   * this object is waited for, up to `waitMs`. A lead this gate does not
   * hold (never admitted, or its window is over) is `unknown`; one still
   * running after the wait, or in review, is `open`.
   */
  async leadSales(leadId: string, waitMs: number): Promise<LeadSales> {
    const before = this.log.lead(leadId);
    if (!before) return { kind: "unknown" };
    if (OPEN_LEAD_STATES.has(before.state)) {
      const run = this.live.get(before.key);
      const running = run?.leadId === leadId ? run.promise : this.recovering.get(leadId);
      if (running) await settledWithin(running, waitMs);
    }
    const record = this.log.lead(leadId) ?? before;
    if (OPEN_LEAD_STATES.has(record.state)) return { kind: "open" };
    const sales = record.outcome?.sales ?? [];
    return { kind: "settled", buyerIds: [...new Set(sales.map((sale) => sale.buyerId))], at: record.outcome ? Date.parse(record.outcome.completedAt) : Date.now() };
  }

  /** The lead's entry as the log has it now, D1 written or not. */
  read(leadId: string): LeadLogEntry | undefined {
    const record = this.log.lead(leadId);
    return record ? entryOf(record) : undefined;
  }

  /**
   * Records a cycle's outcome, queues its D1 write, wakes the alarm for
   * whatever it left to do, has a sale's effects (the postback), and answers
   * the key's waiters. Every way a cycle ends comes through here.
   */
  private finish(key: string, settlement: Settlement, input: Pick<RunInput, "lead"> & { publisher?: Publisher }): RunOutcome {
    const now = Date.now();
    const { answer } = settlement;
    const seq = this.log.finish({ key, settlement, d1DueAt: now + OWED_BACKSTOP_MS });
    this.options.outbox.queue(answer.leadId, settlement.log, seq);
    this.options.saleNotices.note(settlement.log);
    this.options.ctx.waitUntil(this.options.wakeups.noLaterThan(Math.min(now + OWED_BACKSTOP_MS, settlement.holdUntil ?? Infinity)));
    if (answer.status === "accepted" && input.publisher) this.options.ctx.waitUntil(sendPostback(this.options.env, input.publisher, input.lead, answer));
    const outcome: RunOutcome = { kind: "answered", answer };
    this.answerWaiters(key, answer.leadId, outcome);
    return outcome;
  }

  private finishWithout(record: LeadRecord, reason: string): RunOutcome {
    const answer: LeadAnswer = { leadId: record.leadId, status: "declined" };
    const log: LeadLogEntry = { lead: record.lead, status: "error", reason, ms: 0, completedAt: new Date().toISOString(), trace: record.trace, sales: [] };
    return this.finish(record.key, { answer, accepts: 0, log }, { lead: record.lead });
  }

  private answerOfKey(record: LeadRecord): RunOutcome {
    const key = this.log.key(record.key);
    return key?.leadId === record.leadId && key.answer ? { kind: "replay", answer: key.answer } : { kind: "failed", leadId: record.leadId };
  }

  /** Answers the waiters of `key` when they wait for this lead's run, never a newer run's. */
  private answerWaiters(key: string, leadId: string, outcome: RunOutcome): void {
    const run = this.live.get(key);
    if (!run || run.leadId !== leadId) return;
    this.live.delete(key);
    run.resolve(outcome);
  }

  private effects() {
    const { env, ctx } = this.options;
    return { env, services: servicesOf(env), journal: this.journal, waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) };
  }

  /** What a logged lead's next run needs: the tree and publisher as they are now, and the lead with its PII opened. */
  private async runInput(record: LeadRecord): Promise<Omit<RunInput, "cycle" | "priorTrace" | "prior"> | undefined> {
    const { lead: stored } = record;
    const services = servicesOf(this.options.env);
    const [snapshot, publisher, lead] = await Promise.all([
      services.config.tree(services.db, stored.treeId),
      getPublisher(services.db, record.publisherId),
      piiKeysOf(this.options.env).then((keys) => openLead(keys, stored)),
    ]);
    if (!snapshot || !publisher) return undefined;
    const screening = screenLead(snapshot.tree, lead);
    return { snapshot, publisher, lead, stored, screening: screening.kind === "error" ? { kind: "decline", rule: "filter", reason: "the tree's filters now refuse it" } : screening };
  }
}
