/**
 * The lead gate: one object serves a share of one tree's unique-lead keys
 * (gate:<treeId>:<hash(key) mod N>), so it stays warm. Its SQLite is the
 * write-ahead log of every lead it admits (gate/log.ts: the states and their
 * transitions); the runs (gate/runs.ts) move leads through it, the outbox
 * (gate/outbox.ts) writes it to D1 off the critical path, and the alarm
 * retries owed writes, recovers stopped runs and re-runs held leads.
 * This class is the RPC surface over them, and nothing more.
 */
import { DurableObject } from "cloudflare:workers";
import { numberSetting } from "../core/settings";
import type { PingShardService } from "../buyers/fanout";
import type { LeadLogEntry } from "../store/leadLog";
import { servicesOf } from "../store/services";
import { noteConsumerSales, recordConsumerSales } from "../exchange/consumers";
import { IdempotencyStore, type IdempotencyCheck } from "./gate/idempotency";
import { GateLog } from "./gate/log";
import { D1Outbox, DEFAULT_LOG_FLUSH_MS } from "./gate/outbox";
import { PingLog } from "./gate/pings";
import { SaleNotices } from "./gate/saleNotices";
import { GateRuns, type LeadSales, type PingOutcome, type PingRefusal, type PingRequest, type PostRequest, type Resolution, type Resolved, type RunOutcome, type SubmitRequest } from "./gate/runs";
import { migrateGateSchema } from "./gate/schema";
import { Wakeups } from "./gate/wakeups";

export type { LeadSales, PingOutcome, PingRefusal, PingRequest, PostRequest, Resolution, Resolved, RunOutcome, SubmitRequest } from "./gate/runs";
export type { IdempotencyCheck } from "./gate/idempotency";

/** The alarm never comes back sooner than this: work that failed is retried then, not in a tight loop. */
const ALARM_MIN_SPACING_MS = 1_000;

export class LeadGate extends DurableObject<Env> {
  private readonly log: GateLog;
  private readonly pings: PingLog;
  private readonly idempotency: IdempotencyStore;
  private readonly outbox: D1Outbox;
  private readonly wakeups: Wakeups;
  private readonly runs: GateRuns;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateGateSchema(ctx.storage.sql);
    this.log = new GateLog(ctx.storage.sql);
    this.pings = new PingLog(ctx.storage.sql);
    this.idempotency = new IdempotencyStore(ctx.storage.sql);
    this.wakeups = new Wakeups(ctx.storage);
    this.outbox = new D1Outbox({
      log: this.log,
      db: () => servicesOf(env).db,
      recordSales: (entries) => recordConsumerSales(env, entries),
      flushMs: numberSetting(env.LOG_FLUSH_MS, DEFAULT_LOG_FLUSH_MS, 0),
      waitUntil: (promise) => ctx.waitUntil(promise),
      wake: (at) => this.wakeups.noLaterThan(at),
    });
    const saleNotices = new SaleNotices({ send: (entries) => noteConsumerSales(env, entries), waitUntil: (promise) => ctx.waitUntil(promise) });
    this.runs = new GateRuns({ env, ctx, log: this.log, pings: this.pings, outbox: this.outbox, saleNotices, wakeups: this.wakeups });
  }

  /** A new submission: admitted, run here, its outcome logged before the answer. */
  submit(request: SubmitRequest, relay?: PingShardService): Promise<RunOutcome> {
    return this.runs.submit(request, relay);
  }

  /** An inbound ping: its auction run, its ranked bids reserved here until its post or expiry. */
  ping(request: PingRequest, relay?: PingShardService): Promise<PingOutcome> {
    return this.runs.ping(request, relay);
  }

  /** An inbound post: the whole lead to its ping's reserved bids, exactly once per ping. */
  async post(request: PostRequest, relay?: PingShardService): Promise<RunOutcome | PingRefusal> {
    return this.runs.post(request, relay);
  }

  /** Whether this gate knows `key` (a lead key or an idempotency scope) inside its window. */
  holds(key: string): boolean {
    const now = Date.now();
    const row = this.log.key(key);
    return (row !== undefined && (row.expiresAt > now || row.state !== "done")) || this.idempotency.holds(key, now);
  }

  /** The lead as this gate's log has it, D1 written or not. */
  read(leadId: string): LeadLogEntry | undefined {
    return this.runs.read(leadId);
  }

  /** What a lead sold, waiting up to `waitMs` while it still runs here: for a later lead of its consumer. */
  leadSales(leadId: string, waitMs: number): Promise<LeadSales> {
    return this.runs.leadSales(leadId, waitMs);
  }

  resolve(leadId: string, resolution: Resolution): Promise<Resolved> {
    return this.runs.resolve(leadId, resolution);
  }

  idempotencyBegin(scopeKey: string, bodyHash: string, leaseMs: number): IdempotencyCheck {
    const now = Date.now();
    const check = this.idempotency.begin(scopeKey, bodyHash, leaseMs, now);
    if (check.kind === "new") this.ctx.waitUntil(this.wakeups.noLaterThan(this.idempotency.nextExpiry() ?? now));
    return check;
  }

  idempotencyEnd(scopeKey: string, status: number, body: string | null): void {
    this.idempotency.end(scopeKey, status, body);
  }

  /** Lead ids whose D1 write is still owed: for tests and operators. */
  pendingWrites(): string[] {
    return this.log.owedLeadIds();
  }

  /** Writes every owed log entry that is due to D1 now; what fails stays owed, backed off, for the alarm. */
  flush(): Promise<void> {
    return this.outbox.flush();
  }

  /** One lead's due work (a held lead's next cycle, a stopped run's recovery), in an invocation of its own. */
  runDue(leadId: string): Promise<void> {
    return this.runs.runDue(leadId);
  }

  /**
   * Owed writes, stopped runs, due held leads, expired keys. Each lead's work
   * is sent back into this object as a call of its own, so every run gets the
   * six connections and the subrequests of a whole invocation, as it assumes
   * (in production all of an alarm's fetches share one invocation's). One
   * failure never keeps the rest, the purge or the next alarm from happening.
   */
  override async alarm(): Promise<void> {
    this.wakeups.fired();
    try {
      await this.outbox.flush();
      const now = Date.now();
      const due = [...this.log.stalledRuns(now).map((run) => run.leadId), ...this.log.dueHeld(now)];
      const self = this.env.LEAD_GATE.get(this.ctx.id);
      const results = await Promise.allSettled(due.map((leadId) => self.runDue(leadId)));
      results.forEach((result, i) => {
        if (result.status === "rejected") console.error("gate alarm: lead work failed; retried at the next alarm", due[i], String(result.reason));
      });
      await this.outbox.flush();
      const later = Date.now();
      this.log.purgeExpired(later);
      this.pings.purgeExpired(later);
      this.idempotency.purgeExpired(later);
    } finally {
      const soonest = Date.now() + ALARM_MIN_SPACING_MS;
      await this.wakeups.plan([this.log.nextDueAt(soonest), this.idempotency.nextExpiry(), this.pings.nextPurgeAt()], soonest);
    }
  }
}
