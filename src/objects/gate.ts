/**
 * The lead gate: one object serves a share of one tree's unique-lead keys
 * (gate:<treeId>:<hash(key) mod N>), so it stays warm. Its SQLite is the
 * write-ahead log of every lead it admits: the lead is durable here before
 * any buyer is contacted, each post intent before the post, the buyer's
 * answer when it comes, the outcome before the publisher hears it. D1 is
 * written from this log off the critical path; the alarm retries until D1
 * has it, recovers runs that were cut off, and re-runs held leads.
 *
 * Runs are serialized per key, not per object: a second submit of a key
 * whose run is in flight waits for that run and gets its answer, while other
 * keys in the same object proceed in parallel.
 */
import { DurableObject } from "cloudflare:workers";
import type { PostAttempt, TraceEntry } from "../core/attempt";
import type { Lead } from "../core/lead";
import { screenLead } from "../core/screen";
import { numberSetting } from "../core/settings";
import { postLeadPoint } from "../buyers/call";
import { createBuyerClient } from "../buyers/client";
import type { PingShardService } from "../buyers/fanout";
import type { JournaledPost, RecordedPost, RunJournal } from "../exchange/journal";
import { executeRun, leaseMsOf, settlementOf } from "../exchange/runLead";
import type { LeadAnswer, Settlement } from "../exchange/settlement";
import type { Screening } from "../core/screen";
import { getPublisher, type Publisher } from "../store/config";
import { writeLeadLogs, type LeadLogEntry } from "../store/leadLog";
import type { Db } from "../store/db";
import { servicesOf } from "../store/services";
import { migrateGateSchema, recoveryOf, type IntentRow, type LoggedOutcome } from "./gateJournal";

export interface AdmitRequest {
  key: string;
  lead: Lead;
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
  publisher: Publisher;
  screening: Exclude<Screening, { kind: "error" }>;
}

export type Admission =
  | { kind: "run" }
  | { kind: "replay"; answer: LeadAnswer }
  /** The key's run is held by a live lease this object cannot wait on (it restarted mid-run). */
  | { kind: "busy"; retryAfterSeconds: number }
  /** The run could not be finished; the lead is kept for recovery. */
  | { kind: "failed" };

export type IdempotencyCheck = { kind: "new" } | { kind: "replay"; status: number; body: string } | { kind: "conflict"; reason: string };

interface KeyRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  state: string;
  lease_until: number;
  answer: string | null;
  accepts: number;
  expires_at: number;
}

interface LogRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  key: string;
  publisher_id: string;
  lead: string;
  cycle: number;
  trace: string;
}

interface OwedRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  lead: string;
  trace: string;
  outcome: string;
  log_seq: number;
  d1_attempts: number;
}

/** A log entry D1 does not have yet, at the version (`seq`) of its lead's row that it was made from. */
interface OwedEntry {
  entry: LeadLogEntry;
  seq: number;
  attempts: number;
}

/**
 * Finished leads wait up to LOG_FLUSH_MS (a var; this by default) to share
 * one D1 batch: a batch costs D1 and this isolate about as much as a single
 * statement, so the write per lead shrinks with every lead that joins it.
 */
const DEFAULT_LOG_FLUSH_MS = 1_000;
/** A batch this full is written at once. */
const FLUSH_BATCH_LEADS = 40;
/**
 * The alarm writes an owed entry that memory has not written by then (the
 * object was evicted): a backstop, so under load the alarm seldom fires.
 */
const OWED_BACKSTOP_MS = 30_000;
/** The alarm never comes back sooner than this for owed writes. */
const ALARM_MIN_SPACING_MS = 1_000;
const MAX_BACKOFF_MS = 300_000;
const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

interface Waiters {
  promise: Promise<Admission>;
  resolve(admission: Admission): void;
}

function waiters(): Waiters {
  let resolve!: (admission: Admission) => void;
  const promise = new Promise<Admission>((r) => (resolve = r));
  return { promise, resolve };
}

export class LeadGate extends DurableObject<Env> implements RunJournal {
  private readonly sql: SqlStorage;
  private readonly inflight = new Map<string, Waiters>();
  private readonly recovering = new Map<string, Promise<Admission>>();
  /** Entries finished since the last flush: written from memory, so the hot path never reads its log back. */
  private readonly owed = new Map<string, OwedEntry>();
  private flushTail: Promise<void> = Promise.resolve();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** The alarm this object last set, so most writes need no storage read to know it is early enough. */
  private alarmAt: number | null | undefined;
  private readonly logFlushMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateGateSchema(this.sql);
    this.logFlushMs = numberSetting(env.LOG_FLUSH_MS, DEFAULT_LOG_FLUSH_MS, 0);
  }

  /** Admits a lead under its key: run it, or replay the key's first result. */
  async admit(request: AdmitRequest): Promise<Admission> {
    const running = this.inflight.get(request.key);
    if (running) return running.promise;

    const now = Date.now();
    const row = this.keyRow(request.key);
    if (row && row.expires_at > now) {
      if ((row.state === "held" || (row.state === "done" && row.accepts >= request.maxAccepts)) && row.answer) {
        return { kind: "replay", answer: JSON.parse(row.answer) as LeadAnswer };
      }
      if (row.state === "running") {
        if (row.lease_until > now) return { kind: "busy", retryAfterSeconds: Math.ceil((row.lease_until - now) / 1000) };
        // The run that held the key is gone: finish it before anything runs again.
        return this.recover(row.lead_id);
      }
    }
    const { lead } = request;
    // Synchronous SQL: no other request interleaves between the check above and these writes.
    this.sql.exec(
      "INSERT INTO lead_log (lead_id, key, publisher_id, lead, state, received_at, expires_at) VALUES (?, ?, ?, ?, 'running', ?, ?)",
      lead.id,
      request.key,
      request.publisherId,
      JSON.stringify(lead),
      now,
      now + request.windowSeconds * 1000,
    );
    this.sql.exec(
      `INSERT INTO lead_keys (key, lead_id, state, lease_until, answer, accepts, expires_at)
       VALUES (?, ?, 'running', ?, NULL, 0, ?)
       ON CONFLICT (key) DO UPDATE SET lead_id = excluded.lead_id, state = 'running',
         lease_until = excluded.lease_until, answer = NULL, accepts = 0, expires_at = excluded.expires_at`,
      request.key,
      lead.id,
      now + request.leaseMs,
      now + request.windowSeconds * 1000,
    );
    this.inflight.set(request.key, waiters());
    // If the run never comes back, the alarm at the lease's end recovers it.
    this.ctx.waitUntil(this.alarmNoLaterThan(now + request.leaseMs));
    return { kind: "run" };
  }

  /**
   * Admits a new submission and, when it is this submit's to run, runs it here
   * and logs the outcome. `relay` is the submitting Worker's invocation, which
   * takes the first group of pings past this object's six.
   */
  async submit(request: SubmitRequest, relay?: PingShardService): Promise<Admission> {
    const admission = await this.admit(request);
    if (admission.kind !== "run") return admission;
    const { lead } = request;
    const services = servicesOf(this.env);
    try {
      const snapshot = await services.config.tree(services.db, lead.treeId);
      if (!snapshot) throw new Error(`tree ${lead.treeId} vanished during the run`);
      const settlement = await executeRun(
        { env: this.env, services, journal: this, waitUntil: (p) => this.ctx.waitUntil(p), ...(relay ? { relay } : {}) },
        { snapshot, publisher: request.publisher, lead, screening: request.screening, cycle: 1, priorTrace: [] },
      );
      await this.complete(request.key, settlement);
      return { kind: "replay", answer: settlement.answer };
    } catch (error) {
      // The lead stays in the log: recover the run from its journal at once, without a second sale.
      console.error("lead run failed; the gate recovers it", lead.id, error);
      this.sql.exec("UPDATE lead_keys SET lease_until = 0 WHERE key = ? AND lead_id = ?", request.key, lead.id);
      return this.recover(lead.id);
    }
  }

  /**
   * Posts a lead to a buyer through the journal: the intent is made durable
   * before the request leaves, so a run cut off mid-post is never posted
   * again blindly, and the buyer's answer is recorded when it returns.
   * No explicit `storage.sync()`: a Durable Object's outgoing fetch waits on
   * its output gate, which stays locked until every earlier SQL write is
   * committed (workerd api/http.c++, actor-sqlite.c++ onWrite), and sync()
   * cost a millisecond of CPU per lead for a guarantee already given.
   */
  async post(request: JournaledPost): Promise<PostAttempt> {
    const { leadId, point, sale } = request;
    await this.intent(leadId, point.id, sale.priceCents);
    const attempt = await postLeadPoint(createBuyerClient(), point, request.message, request.deadlineAt);
    const accepted =
      attempt.kind === "accepted"
        ? {
            ...sale,
            ...(attempt.redirectUrl ? { redirectUrl: attempt.redirectUrl } : {}),
            ...(attempt.buyerLeadId ? { buyerLeadId: attempt.buyerLeadId } : {}),
          }
        : undefined;
    await this.postOutcome(leadId, point.id, { kind: attempt.kind, ...(accepted ? { sale: accepted } : {}) });
    return attempt;
  }

  /** The intent alone: what a run leaves behind when it stops right before its post. */
  async intent(leadId: string, leadPointId: string, priceCents: number): Promise<void> {
    this.sql.exec(
      "INSERT OR REPLACE INTO post_intents (lead_id, lead_point_id, price_cents, at, outcome, sale) VALUES (?, ?, ?, ?, NULL, NULL)",
      leadId,
      leadPointId,
      priceCents,
      Date.now(),
    );
  }

  /** The buyer's answer to a post, so a recovery can settle from it. */
  async postOutcome(leadId: string, leadPointId: string, outcome: RecordedPost): Promise<void> {
    this.sql.exec(
      "UPDATE post_intents SET outcome = ?, sale = ? WHERE lead_id = ? AND lead_point_id = ?",
      outcome.kind,
      outcome.sale ? JSON.stringify(outcome.sale) : null,
      leadId,
      leadPointId,
    );
  }

  /**
   * Records a cycle's outcome, answers every waiter, and queues the D1 write.
   * The cycle's post intents are done with: its outcome now says what they led to.
   */
  async complete(key: string, settlement: Settlement): Promise<void> {
    const { answer, log } = settlement;
    const { lead: _lead, trace, ...outcome } = log;
    const state = settlement.holdUntil !== undefined ? "held" : "done";
    const now = Date.now();
    this.sql.exec("UPDATE lead_keys SET state = ?, answer = ?, accepts = ? WHERE key = ? AND lead_id = ?", state, JSON.stringify(answer), settlement.accepts, key, answer.leadId);
    const { log_seq: seq } = this.sql
      .exec<{ log_seq: number }>(
        `UPDATE lead_log SET state = ?, trace = ?, next_run_at = ?, outcome = ?, log_seq = log_seq + 1, d1_due_at = ?, d1_attempts = 0
         WHERE lead_id = ? RETURNING log_seq`,
        state,
        JSON.stringify(trace),
        settlement.holdUntil ?? null,
        JSON.stringify(outcome satisfies LoggedOutcome),
        now + OWED_BACKSTOP_MS,
        answer.leadId,
      )
      .one();
    this.sql.exec("DELETE FROM post_intents WHERE lead_id = ?", answer.leadId);
    this.owed.set(answer.leadId, { entry: log, seq, attempts: 0 });
    // The alarm is the guarantee (it also plans holds and purges); the coalesced flush is the fast path.
    this.ctx.waitUntil(this.alarmNoLaterThan(now + OWED_BACKSTOP_MS));
    this.scheduleFlush();
    this.settleWaiters(key, { kind: "replay", answer });
  }

  /** Idempotency-Key: the first request with a key runs; a repeat with the same body gets its response. */
  async idempotencyBegin(scopeKey: string, bodyHash: string): Promise<IdempotencyCheck> {
    const now = Date.now();
    const row = this.sql
      .exec<{ body_hash: string; status: number | null; response: string | null; expires_at: number }>("SELECT * FROM idempotency WHERE scope_key = ?", scopeKey)
      .toArray()[0];
    if (row && row.expires_at > now) {
      if (row.body_hash !== bodyHash) return { kind: "conflict", reason: "this Idempotency-Key was used with a different body" };
      if (row.status === null || row.response === null) return { kind: "conflict", reason: "a request with this Idempotency-Key is still being processed" };
      return { kind: "replay", status: row.status, body: row.response };
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO idempotency (scope_key, body_hash, status, response, expires_at) VALUES (?, ?, NULL, NULL, ?)",
      scopeKey,
      bodyHash,
      now + IDEMPOTENCY_TTL_MS,
    );
    this.ctx.waitUntil(this.alarmNoLaterThan(now + IDEMPOTENCY_TTL_MS));
    return { kind: "new" };
  }

  async idempotencyEnd(scopeKey: string, status: number, body: string | null): Promise<void> {
    if (body === null) this.sql.exec("DELETE FROM idempotency WHERE scope_key = ?", scopeKey);
    else this.sql.exec("UPDATE idempotency SET status = ?, response = ? WHERE scope_key = ?", status, body, scopeKey);
  }

  /** Lead ids whose D1 write is still owed: for tests and operators. */
  async pendingWrites(): Promise<string[]> {
    return this.sql
      .exec<{ lead_id: string }>("SELECT lead_id FROM lead_log WHERE d1_due_at IS NOT NULL ORDER BY lead_id")
      .toArray()
      .map((row) => row.lead_id);
  }

  /** Writes every owed log entry that is due to D1 now; what fails stays owed, backed off, for the alarm. */
  flush(): Promise<void> {
    return this.queueFlush(true);
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    await this.flush();
    const now = Date.now();
    const stalled = this.sql
      .exec<{ lead_id: string }>("SELECT lead_id FROM lead_keys WHERE state = 'running' AND lease_until <= ?", now)
      .toArray()
      .map((row) => row.lead_id);
    const due = this.sql
      .exec<{ lead_id: string }>("SELECT lead_id FROM lead_log WHERE state = 'held' AND next_run_at <= ?", now)
      .toArray()
      .map((row) => row.lead_id);
    await Promise.all([...stalled.map((id) => this.recover(id)), ...due.map((id) => this.rerunHeld(id))]);
    await this.flush();
    this.purgeExpired(Date.now());
    await this.scheduleNextAlarm();
  }

  /**
   * Finishes a run that was cut off, from what its journal says: no post
   * left → run it again; every post answered → settle from the answers; a
   * post with no answer → marked for review, never posted again.
   */
  private recover(leadId: string): Promise<Admission> {
    let recovery = this.recovering.get(leadId);
    if (!recovery) {
      recovery = this.recoverLead(leadId).finally(() => this.recovering.delete(leadId));
      this.recovering.set(leadId, recovery);
    }
    return recovery;
  }

  private async recoverLead(leadId: string): Promise<Admission> {
    const row = this.logRow(leadId);
    if (!row) return { kind: "failed" };
    const intents = this.sql.exec<IntentRow>("SELECT * FROM post_intents WHERE lead_id = ? ORDER BY at", leadId).toArray();
    const recovery = recoveryOf(intents);
    if (recovery.kind === "rerun") return this.runCycle(row, row.cycle);
    const input = await this.runInput(row);
    if (!input) return this.finishWithout(row, "the tree or publisher no longer exists");
    const settlement = settlementOf(
      { ...input, cycle: input.snapshot.tree.cycles.max, priorTrace: JSON.parse(row.trace) as TraceEntry[] },
      { status: recovery.kind === "review" ? "review" : "accepted", trace: recovery.trace, sales: recovery.sales },
      Date.now(),
    );
    if (recovery.kind === "review") {
      // Possibly sold: hold the key as if the lead were sold out, and tell the publisher it is pending.
      settlement.answer = { leadId, status: "pending" };
      settlement.accepts = Number.MAX_SAFE_INTEGER;
    }
    await this.complete(row.key, settlement);
    return { kind: "replay", answer: settlement.answer };
  }

  private async rerunHeld(leadId: string): Promise<Admission> {
    const row = this.logRow(leadId);
    if (!row) return { kind: "failed" };
    return this.runCycle(row, row.cycle + 1);
  }

  /** Runs one cycle of a logged lead inside this object, journaling to itself. */
  private async runCycle(row: LogRow, cycle: number): Promise<Admission> {
    const input = await this.runInput(row);
    if (!input) return this.finishWithout(row, "the tree or publisher no longer exists");
    const leaseUntil = Date.now() + leaseMsOf(input.snapshot.tree);
    this.sql.exec("UPDATE lead_keys SET state = 'running', lease_until = ? WHERE key = ? AND lead_id = ?", leaseUntil, row.key, row.lead_id);
    this.sql.exec("UPDATE lead_log SET state = 'running', cycle = ?, next_run_at = NULL WHERE lead_id = ?", cycle, row.lead_id);
    const services = servicesOf(this.env);
    const settlement = await executeRun(
      { env: this.env, services, journal: this, waitUntil: (p) => this.ctx.waitUntil(p) },
      { ...input, cycle, priorTrace: JSON.parse(row.trace) as TraceEntry[] },
    );
    await this.complete(row.key, settlement);
    return { kind: "replay", answer: settlement.answer };
  }

  private async runInput(row: LogRow) {
    const lead = JSON.parse(row.lead) as Lead;
    const services = servicesOf(this.env);
    const [snapshot, publisher] = await Promise.all([services.config.tree(services.db, lead.treeId), getPublisher(services.db, row.publisher_id)]);
    if (!snapshot || !publisher) return undefined;
    const screening = screenLead(snapshot.tree, lead);
    return { snapshot, publisher, lead, screening: screening.kind === "error" ? { kind: "decline" as const, reason: "the tree's filters now refuse it" } : screening };
  }

  private async finishWithout(row: LogRow, reason: string): Promise<Admission> {
    const lead = JSON.parse(row.lead) as Lead;
    const answer: LeadAnswer = { leadId: lead.id, status: "declined" };
    const log: LeadLogEntry = { lead, status: "error", reason, ms: 0, completedAt: new Date().toISOString(), trace: JSON.parse(row.trace) as TraceEntry[], sales: [] };
    await this.complete(row.key, { answer, accepts: 0, log });
    return { kind: "replay", answer };
  }

  private keyRow(key: string): KeyRow | undefined {
    return this.sql.exec<KeyRow>("SELECT * FROM lead_keys WHERE key = ?", key).toArray()[0];
  }

  private logRow(leadId: string): LogRow | undefined {
    return this.sql.exec<LogRow>("SELECT * FROM lead_log WHERE lead_id = ?", leadId).toArray()[0];
  }

  private settleWaiters(key: string, admission: Admission): void {
    const waiting = this.inflight.get(key);
    this.inflight.delete(key);
    waiting?.resolve(admission);
  }

  private scheduleFlush(): void {
    const full = this.owed.size >= FLUSH_BATCH_LEADS;
    if (this.flushTimer !== undefined && !full) return;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = undefined;
        this.ctx.waitUntil(this.queueFlush(false));
      },
      full ? 0 : this.logFlushMs,
    );
  }

  /**
   * Flushes run one after another, so an entry is never in two. The fast
   * path writes what memory holds; `fromLog` adds what only the log still
   * knows (after a restart, or backed off after a failure).
   */
  private queueFlush(fromLog: boolean): Promise<void> {
    const run = this.flushTail.then(() => this.writeOwed(fromLog));
    this.flushTail = run.catch(() => {});
    return run;
  }

  /** Writes owed entries to D1 in batches; on failure each is retried on its own later, from the log, with backoff. */
  private async writeOwed(fromLog: boolean): Promise<void> {
    const db = servicesOf(this.env).db;
    for (;;) {
      const batch = [...this.owed].slice(0, FLUSH_BATCH_LEADS);
      for (const [leadId] of batch) this.owed.delete(leadId);
      if (fromLog && batch.length < FLUSH_BATCH_LEADS) batch.push(...this.owedInLog(FLUSH_BATCH_LEADS - batch.length, batch));
      if (batch.length === 0) return;
      if (await this.writeToD1(db, batch)) continue;
      // One bad entry must not hold the others back: write them one by one, back off only the failures.
      if (batch.length > 1) for (const item of batch) await this.writeToD1(db, [item]);
      return;
    }
  }

  /** Due entries that only the log holds, rebuilt from their rows. */
  private owedInLog(limit: number, taken: [string, OwedEntry][]): [string, OwedEntry][] {
    const skip = new Set([...taken.map(([leadId]) => leadId), ...this.owed.keys()]);
    return this.sql
      .exec<OwedRow>(
        "SELECT lead_id, lead, trace, outcome, log_seq, d1_attempts FROM lead_log WHERE d1_due_at <= ? ORDER BY d1_due_at LIMIT ?",
        Date.now(),
        limit + skip.size,
      )
      .toArray()
      .filter((row) => !skip.has(row.lead_id))
      .slice(0, limit)
      .map((row) => {
        const entry: LeadLogEntry = { lead: JSON.parse(row.lead) as Lead, trace: JSON.parse(row.trace) as TraceEntry[], ...(JSON.parse(row.outcome) as LoggedOutcome) };
        return [row.lead_id, { entry, seq: row.log_seq, attempts: row.d1_attempts }];
      });
  }

  private async writeToD1(db: Db, batch: [string, OwedEntry][]): Promise<boolean> {
    try {
      await writeLeadLogs(db, batch.map(([, owed]) => owed.entry));
      // One statement for the batch. A lead finished again meanwhile (its next cycle) has a newer row, still owed.
      this.sql.exec(
        `UPDATE lead_log SET d1_due_at = NULL, d1_attempts = 0
         WHERE lead_id IN (SELECT value ->> '$[0]' FROM json_each(?1))
           AND log_seq = (SELECT value ->> '$[1]' FROM json_each(?1) WHERE value ->> '$[0]' = lead_log.lead_id)`,
        JSON.stringify(batch.map(([leadId, owed]) => [leadId, owed.seq])),
      );
      return true;
    } catch (error) {
      const [only] = batch;
      if (batch.length > 1 || !only) return false;
      const [leadId, owed] = only;
      console.error("lead log write to D1 failed; the alarm retries", leadId, error);
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** owed.attempts);
      this.sql.exec("UPDATE lead_log SET d1_attempts = d1_attempts + 1, d1_due_at = ? WHERE lead_id = ? AND log_seq = ?", Date.now() + backoff, leadId, owed.seq);
      return false;
    }
  }

  /** A logged lead is kept while its key may replay it, it may run again, or D1 still lacks it. */
  private purgeExpired(now: number): void {
    this.sql.exec("DELETE FROM lead_keys WHERE state = 'done' AND expires_at <= ?", now);
    this.sql.exec("DELETE FROM idempotency WHERE expires_at <= ?", now);
    this.sql.exec("DELETE FROM lead_log WHERE state = 'done' AND expires_at <= ? AND d1_due_at IS NULL", now);
  }

  /** Everything the alarm has to do next, found with the tables' indexes; run once per alarm. */
  private async scheduleNextAlarm(): Promise<void> {
    const owedFrom = Date.now() + ALARM_MIN_SPACING_MS;
    const times = this.sql
      .exec<Record<string, number | null>>(
        `SELECT
           (SELECT MAX(MIN(d1_due_at), ?) FROM lead_log WHERE d1_due_at IS NOT NULL) AS owed,
           (SELECT MIN(lease_until) FROM lead_keys WHERE state = 'running') AS lease,
           (SELECT MIN(next_run_at) FROM lead_log WHERE state = 'held') AS hold,
           (SELECT MIN(expires_at) FROM lead_keys WHERE state = 'done') AS key_expiry,
           (SELECT MIN(expires_at) FROM lead_log WHERE state = 'done') AS log_expiry,
           (SELECT MIN(expires_at) FROM idempotency) AS idempotency_expiry`,
        owedFrom,
      )
      .one();
    const next = Math.min(...Object.values(times).filter((at): at is number => at !== null));
    if (Number.isFinite(next)) await this.alarmNoLaterThan(next);
  }

  /** Moves the alarm earlier when `at` needs it; the hot path's writes pay no query for it. */
  private async alarmNoLaterThan(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    const current = this.alarmAt;
    if (current === null || current > at || current < Date.now()) {
      this.alarmAt = at;
      await this.ctx.storage.setAlarm(at);
    }
  }
}
