/**
 * One run of a lead through its tree, and what it settles to. The gate
 * object of the lead's key runs it: the moment it is submitted (submitLead),
 * when a held lead's next cycle is due, and when a run that was cut off is
 * recovered. Every time the outcome goes to the gate's log before anyone is told.
 */
import type { TraceEntry } from "../core/attempt";
import type { Payout, Tree } from "../core/config";
import type { PingShardService } from "../buyers/fanout";
import type { Lead } from "../core/lead";
import { postReserved, type PingReservation } from "../core/pingPost";
import type { SealedLead } from "../core/piiSeal";
import type { Screening } from "../core/screen";
import { settle, type SettledSale } from "../core/settle";
import { tierStrategies } from "../core/tiers";
import { runTree, type PriorSales } from "../core/tree";
import { unsoldCause } from "../core/unsoldCause";
import { disableTreePositions, type Publisher } from "../store/config";
import type { TreeSnapshot } from "../store/configCache";
import type { LeadLogEntry, LeadStatus, SaleEntry } from "../store/leadLog";
import { rankingCache } from "../store/rankingCache";
import type { Services } from "../store/services";
import { sendCopies } from "./copies";
import type { RunJournal } from "./journal";
import { capacityReadings } from "./limits";
import { piiKeysOf } from "./piiKeys";
import type { LeadAnswer, Settlement } from "./settlement";
import { treeIO } from "./treeIO";

export interface RunInput {
  snapshot: TreeSnapshot;
  publisher: Publisher;
  /** The lead with its PII open: what the run scores, filters and posts. */
  lead: Lead;
  /** The same lead sealed: what its log entry (and so D1) keeps. */
  stored: SealedLead;
  screening: Exclude<Screening, { kind: "error" }>;
  /** 1 for the first run; held leads count up to the tree's cycles.max. */
  cycle: number;
  /** The trace of earlier cycles, which this cycle's entries follow. */
  priorTrace: TraceEntry[];
  /** What earlier leads of the same key sold (API.md: accepts add up, a buyer never gets it twice). */
  prior: PriorSales;
  /** An inbound post's reserved bids (core/pingPost.ts): posted in their order instead of running the tree. */
  reservation?: PingReservation;
}

export interface RunEffects {
  env: Env;
  services: Services;
  journal: RunJournal;
  waitUntil(promise: Promise<unknown>): void;
  /** Where the first group of pings past six goes when a submitting Worker waits (see submit.ts). */
  relay?: PingShardService;
}

/** Runs the tree once and settles the outcome; does not write it anywhere. */
export async function executeRun(effects: RunEffects, input: RunInput): Promise<Settlement> {
  const { env, services, waitUntil } = effects;
  const { snapshot, lead, screening, cycle, prior } = input;
  const { tree } = snapshot;
  const started = Date.now();
  if (screening.kind === "decline") {
    return settlementOf(input, { status: "rejected", reason: screening.reason, trace: [], sales: [] }, started);
  }
  const { io, records } = await runSetup(effects, snapshot, lead, started);
  const options = { tree, lead, points: snapshot.points, io, prior, payout: input.publisher.payout, ...(records ? { records } : {}) };
  const ran = input.reservation ? await postReserved({ ...options, reservation: input.reservation }) : await runTree({ ...options, strategies: tierStrategies, cycle });
  if (ran.disabledPositions.length) {
    const ids = ran.disabledPositions.map((p) => p.leadPointId);
    waitUntil(disableTreePositions(services.db, tree.id, ids).then(() => services.config.invalidate()));
  }
  const settlement = settlementOf(
    input,
    { status: ran.sales.length ? "accepted" : "unsold", ...(ran.reason ? { reason: ran.reason } : {}), trace: ran.trace, sales: ran.sales },
    started,
  );
  if (ran.copies.length) {
    const copies = { tree, lead, copies: ran.copies, firstSeq: settlement.log.trace.length, cycle };
    waitUntil(sendCopies(services.db, () => piiKeysOf(env), copies).catch((error: unknown) => console.error("lead copies failed", lead.id, error instanceof Error ? error.message : "unknown")));
  }
  return settlement;
}

/**
 * What a run of the tree (or an inbound ping's auction) works with besides
 * the lead: its buyer I/O, with the free agents of the points whose rules
 * read them, and an expected-value tier's ranking records from the isolate's
 * memory (a refresh goes off the lead's path).
 */
export async function runSetup(effects: RunEffects, snapshot: TreeSnapshot, lead: Lead, nowMs: number) {
  const { env, services, journal, waitUntil } = effects;
  const { tree } = snapshot;
  const io = treeIO(env, tree, lead, journal, await capacityReadings(env, snapshot.points.values(), nowMs), effects.relay);
  const ranking = tree.tiers.some((tier) => tier.rank === "expected_value") ? rankingCache() : undefined;
  if (ranking) waitUntil(ranking.refresh(services.db));
  return { io, records: ranking?.current() };
}

export interface RunResult {
  status: LeadStatus;
  reason?: string;
  trace: TraceEntry[];
  sales: Parameters<typeof settle>[0];
}

/**
 * What a finished cycle means for the publisher, the ledger and the gate: a
 * sale is accepted; no sale with cycles left is held (pending); no sale on
 * the last cycle is final.
 */
export function settlementOf(input: Pick<RunInput, "snapshot" | "publisher" | "lead" | "stored" | "screening" | "cycle" | "priorTrace">, result: RunResult, started: number): Settlement {
  const { tree } = input.snapshot;
  const payout: Payout = input.publisher.payout;
  const settled = settle(result.sales, payout);
  const sold = settled.sales.length > 0;
  const hold = !sold && result.status === "unsold" && input.cycle < tree.cycles.max;
  const status: LeadStatus = hold ? "pending" : result.status;
  const { answer, redirectUrl } = answerOf(tree, input.lead.id, settled.sales.map(saleEntry), hold);
  const trace = [...input.priorTrace, ...result.trace];
  const log: LeadLogEntry = {
    lead: input.stored,
    treeVersion: tree.version,
    status,
    ...(result.reason && !sold ? { reason: result.reason } : {}),
    ...(status === "unsold" || status === "rejected" ? { cause: unsoldCause(input.screening, trace) } : {}),
    ...(redirectUrl ? { redirectUrl } : {}),
    ms: Date.now() - started,
    completedAt: new Date().toISOString(),
    trace,
    sales: settled.sales.map(saleEntry),
  };
  return { answer, accepts: settled.accepts, log, ...(hold ? { holdUntil: Date.now() + tree.cycles.delaySeconds * 1000 } : {}) };
}

/**
 * What the publisher is told of a lead with these sales: accepted with the
 * payout and the first buyer redirect (else the tree's accept URL), pending
 * while it is held, declined (to the decline URL) otherwise.
 */
export function answerOf(tree: Pick<Tree, "response">, leadId: string, sales: SaleEntry[], hold: boolean): { answer: LeadAnswer; redirectUrl?: string } {
  const sold = sales.length > 0;
  const redirectUrl = sold ? (sales.find((sale) => sale.redirectUrl)?.redirectUrl ?? tree.response.acceptUrl) : hold ? undefined : tree.response.declineUrl;
  const answer: LeadAnswer = {
    leadId,
    status: sold ? "accepted" : hold ? "pending" : "declined",
    ...(sold ? { payoutCents: sales.reduce((sum, sale) => sum + sale.payoutCents, 0) } : {}),
    ...(redirectUrl ? { redirectUrl } : {}),
  };
  return { answer, ...(redirectUrl ? { redirectUrl } : {}) };
}

export function saleEntry(sale: SettledSale): SaleEntry {
  return {
    leadPointId: sale.leadPointId,
    buyerId: sale.buyerId,
    priceCents: sale.priceCents,
    payoutCents: sale.payoutCents,
    marginCents: sale.marginCents,
    ...(sale.redirectUrl ? { redirectUrl: sale.redirectUrl } : {}),
    ...(sale.buyerLeadId ? { buyerLeadId: sale.buyerLeadId } : {}),
  };
}

