/**
 * The lead gate: one object serves a share of one tree's unique-lead keys
 * (gate:<treeId>:<hash(key) mod N>), so it stays warm. Its SQLite is the
 * write-ahead log of every lead it admits: the lead is durable here before
 * any buyer is contacted, each post intent before the post, the outcome
 * before the publisher hears it. D1 is written from this log off the
 * critical path, and the alarm retries until D1 has it.
 *
 * Runs are serialized per key, not per object: a second submit of a key
 * whose run is in flight waits for that run and gets its answer, while other
 * keys in the same object proceed in parallel.
 */
import { DurableObject } from "cloudflare:workers";
import type { Lead } from "../core/lead";
import { dbOf } from "../store/db";
import { writeLeadLog, type LeadLogEntry } from "../store/leadLog";

/** What the publisher is told about a lead (API.md, Publisher API). */
export interface LeadAnswer {
  leadId: string;
  status: "accepted" | "declined" | "pending";
  payoutCents?: number;
  redirectUrl?: string;
}

export interface AdmitRequest {
  key: string;
  lead: Lead;
  /** How long a result is replayed for this key (tree uniqueLead.durationSeconds). */
  windowSeconds: number;
  /** The tree's maxAcceptsPerLead: a key with that many accepts is never run again inside its window. */
  maxAccepts: number;
  /** How long the run may hold the key before another submit may take it over. */
  leaseMs: number;
}

export type Admission =
  | { kind: "run" }
  | { kind: "replay"; answer: LeadAnswer }
  /** The key's run is held by a lease this object cannot wait on (it restarted mid-run). */
  | { kind: "busy"; retryAfterSeconds: number }
  /** The run this submit waited for failed; the submit may be retried. */
  | { kind: "failed" };

export interface Settlement {
  answer: LeadAnswer;
  accepts: number;
  log: LeadLogEntry;
}

interface KeyRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  state: string;
  lease_until: number;
  answer: string | null;
  accepts: number;
  expires_at: number;
}

interface OutboxRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  entry: string;
  attempts: number;
}

const FLUSH_DELAY_MS = 1_000;
const MAX_BACKOFF_MS = 300_000;

interface Waiters {
  promise: Promise<Admission>;
  resolve(admission: Admission): void;
}

function waiters(): Waiters {
  let resolve!: (admission: Admission) => void;
  const promise = new Promise<Admission>((r) => (resolve = r));
  return { promise, resolve };
}

export class LeadGate extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly inflight = new Map<string, Waiters>();
  private flushing: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(`
        CREATE TABLE IF NOT EXISTS lead_keys (
          key TEXT PRIMARY KEY, lead_id TEXT NOT NULL, state TEXT NOT NULL,
          lease_until INTEGER NOT NULL, answer TEXT, accepts INTEGER NOT NULL DEFAULT 0,
          expires_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS lead_log (
          lead_id TEXT PRIMARY KEY, key TEXT NOT NULL, lead TEXT NOT NULL,
          state TEXT NOT NULL, received_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS post_intents (
          lead_id TEXT NOT NULL, lead_point_id TEXT NOT NULL, price_cents INTEGER NOT NULL,
          at INTEGER NOT NULL, PRIMARY KEY (lead_id, lead_point_id));
        CREATE TABLE IF NOT EXISTS outbox (
          lead_id TEXT PRIMARY KEY, entry TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
          next_at INTEGER NOT NULL);
      `);
    });
  }

  /** Admits a lead under its key: run it, or replay the key's first result. */
  async admit(request: AdmitRequest): Promise<Admission> {
    const running = this.inflight.get(request.key);
    if (running) return running.promise;

    const now = Date.now();
    const row = this.sql.exec<KeyRow>("SELECT * FROM lead_keys WHERE key = ?", request.key).toArray()[0];
    if (row && row.expires_at > now) {
      if (row.state === "done" && row.answer && row.accepts >= request.maxAccepts) {
        return { kind: "replay", answer: JSON.parse(row.answer) as LeadAnswer };
      }
      if (row.state === "running" && row.lease_until > now) {
        return { kind: "busy", retryAfterSeconds: Math.ceil((row.lease_until - now) / 1000) };
      }
    }
    const { lead } = request;
    // Both writes are synchronous SQL: no other request interleaves between the check above and here.
    this.sql.exec(
      "INSERT INTO lead_log (lead_id, key, lead, state, received_at) VALUES (?, ?, ?, 'running', ?)",
      lead.id,
      request.key,
      JSON.stringify(lead),
      now,
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
    return { kind: "run" };
  }

  /** Written before a post leaves, so a run cut off mid-post is never posted again blindly. */
  async intent(leadId: string, leadPointId: string, priceCents: number): Promise<void> {
    this.sql.exec(
      "INSERT OR REPLACE INTO post_intents (lead_id, lead_point_id, price_cents, at) VALUES (?, ?, ?, ?)",
      leadId,
      leadPointId,
      priceCents,
      Date.now(),
    );
  }

  /** Records the outcome, answers every waiter, and queues the D1 write. */
  async complete(key: string, settlement: Settlement): Promise<void> {
    const { answer, log } = settlement;
    this.sql.exec(
      "UPDATE lead_keys SET state = 'done', answer = ?, accepts = ? WHERE key = ? AND lead_id = ?",
      JSON.stringify(answer),
      settlement.accepts,
      key,
      answer.leadId,
    );
    this.sql.exec("UPDATE lead_log SET state = 'done' WHERE lead_id = ?", answer.leadId);
    this.enqueue(log);
    this.settleWaiters(key, { kind: "replay", answer });
  }

  /** A run that threw: the lead stays logged with its cause; waiters may retry. */
  async fail(key: string, log: LeadLogEntry): Promise<void> {
    this.sql.exec("DELETE FROM lead_keys WHERE key = ? AND lead_id = ?", key, log.lead.id);
    this.sql.exec("UPDATE lead_log SET state = 'failed' WHERE lead_id = ?", log.lead.id);
    this.enqueue(log);
    this.settleWaiters(key, { kind: "failed" });
  }

  /** Lead ids whose D1 write is still owed: for tests and operators. */
  async pendingWrites(): Promise<string[]> {
    return this.sql.exec<{ lead_id: string }>("SELECT lead_id FROM outbox ORDER BY lead_id").toArray().map((row) => row.lead_id);
  }

  /** Writes every owed log entry to D1 now; what fails stays queued for the alarm. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOutbox().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  override async alarm(): Promise<void> {
    await this.flush();
    this.purgeExpired(Date.now());
    await this.scheduleAlarm();
  }

  private settleWaiters(key: string, admission: Admission): void {
    const waiting = this.inflight.get(key);
    this.inflight.delete(key);
    waiting?.resolve(admission);
  }

  private enqueue(log: LeadLogEntry): void {
    this.sql.exec(
      `INSERT INTO outbox (lead_id, entry, attempts, next_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (lead_id) DO UPDATE SET entry = excluded.entry, attempts = 0, next_at = excluded.next_at`,
      log.lead.id,
      JSON.stringify(log),
      Date.now(),
    );
    // The alarm is the guarantee; the immediate flush is the fast path.
    this.ctx.waitUntil(this.scheduleAlarm().then(() => this.flush()));
  }

  private async flushOutbox(): Promise<void> {
    const now = Date.now();
    const due = this.sql.exec<OutboxRow>("SELECT lead_id, entry, attempts FROM outbox WHERE next_at <= ? ORDER BY next_at LIMIT 50", now).toArray();
    const db = dbOf(this.env.DB);
    for (const row of due) {
      try {
        await writeLeadLog(db, JSON.parse(row.entry) as LeadLogEntry);
        // Delete only the entry that was written: a newer one for the same lead stays queued.
        this.sql.exec("DELETE FROM outbox WHERE lead_id = ? AND entry = ?", row.lead_id, row.entry);
      } catch (error) {
        console.error("lead log write to D1 failed; the alarm retries", row.lead_id, error);
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** row.attempts);
        this.sql.exec("UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE lead_id = ?", now + backoff, row.lead_id);
      }
    }
  }

  private purgeExpired(now: number): void {
    this.sql.exec("DELETE FROM lead_keys WHERE expires_at <= ? AND state != 'running'", now);
    // A logged lead is kept while its key may replay it or D1 still lacks it.
    this.sql.exec(
      `DELETE FROM lead_log WHERE state != 'running'
         AND lead_id NOT IN (SELECT lead_id FROM outbox)
         AND lead_id NOT IN (SELECT lead_id FROM lead_keys)`,
    );
    this.sql.exec("DELETE FROM post_intents WHERE lead_id NOT IN (SELECT lead_id FROM lead_log)");
  }

  private async scheduleAlarm(): Promise<void> {
    const next = this.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MAX(next_at, ?) AS at FROM outbox
           UNION ALL SELECT expires_at AS at FROM lead_keys WHERE state != 'running')`,
        Date.now() + FLUSH_DELAY_MS,
      )
      .one().at;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }
}
