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
import type { SealedLead } from "../core/piiSeal";
import type { Screening } from "../core/screen";
import { settle, type SettledSale } from "../core/settle";
import { tierStrategies } from "../core/tiers";
import { runTree, type PriorSales } from "../core/tree";
import { unsoldCause } from "../core/unsoldCause";
import { disableTreePositions, type Publisher } from "../store/config";
import type { TreeSnapshot } from "../store/configCache";
import type { LeadLogEntry, LeadStatus, SaleEntry } from "../store/leadLog";
import type { Services } from "../store/services";
import { sendCopies } from "./copies";
import type { RunJournal } from "./journal";
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
  const { env, services, journal, waitUntil } = effects;
  const { snapshot, lead, screening, cycle, prior } = input;
  const { tree } = snapshot;
  const started = Date.now();
  if (screening.kind === "decline") {
    return settlementOf(input, { status: "rejected", reason: screening.reason, trace: [], sales: [] }, started);
  }
  const io = treeIO(env, tree, lead, journal, effects.relay);
  const ran = await runTree({ tree, lead, points: snapshot.points, io, strategies: tierStrategies, cycle, prior, payout: input.publisher.payout });
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
    waitUntil(sendCopies(services.db, copies).catch((error: unknown) => console.error("lead copies failed", lead.id, error instanceof Error ? error.message : "unknown")));
  }
  return settlement;
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

