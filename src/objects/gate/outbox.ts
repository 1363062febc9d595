/**
 * The gate's D1 outbox: finished leads are written to D1 from the log, off
 * the critical path. Entries finished since the last flush are written from
 * memory, so the hot path never reads its log back; what memory lost (a
 * restart) or what failed is rebuilt from the log by the alarm, backed off.
 * A sold lead's buyers go to its consumer objects with the same batch.
 */
import type { Db } from "../../store/db";
import { writeLeadLogs, type LeadLogEntry } from "../../store/leadLog";
import { entryOf, type GateLog } from "./log";

/**
 * Finished leads wait up to LOG_FLUSH_MS (a var; this by default) to share
 * one D1 batch: a batch costs D1 and this isolate about as much as a single
 * statement, so the write per lead shrinks with every lead that joins it.
 */
export const DEFAULT_LOG_FLUSH_MS = 1_000;
/** A batch this full is written at once. */
export const FLUSH_BATCH_LEADS = 40;
/**
 * The alarm writes an owed entry that memory has not written by then (the
 * object was evicted): a backstop, so under load the alarm seldom fires.
 */
export const OWED_BACKSTOP_MS = 30_000;
const MAX_BACKOFF_MS = 300_000;

/** A log entry D1 does not have yet, at the version (`seq`) of its lead's row that it was made from. */
interface Owed {
  leadId: string;
  entry: LeadLogEntry;
  seq: number;
  attempts: number;
}

export interface OutboxOptions {
  log: GateLog;
  db: () => Db;
  /** Told every batch's sold leads with its D1 write (exchange/consumers.ts): the entry stays owed until both succeed, and both are idempotent. */
  recordSales(entries: LeadLogEntry[]): Promise<void>;
  flushMs: number;
  waitUntil(promise: Promise<unknown>): void;
  /** Wakes the gate's alarm no later than `at`, for a write that failed and is due again then. */
  wake(at: number): Promise<void>;
  now?: () => number;
}

export class D1Outbox {
  private readonly owed = new Map<string, Owed>();
  private flushTail: Promise<void> = Promise.resolve();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: OutboxOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A lead's newest entry, at its row's version; written with the next batch. */
  queue(leadId: string, entry: LeadLogEntry, seq: number): void {
    this.owed.set(leadId, { leadId, entry, seq, attempts: 0 });
    const full = this.owed.size >= FLUSH_BATCH_LEADS;
    if (this.flushTimer !== undefined && !full) return;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = undefined;
        this.options.waitUntil(this.enqueue(false));
      },
      full ? 0 : this.options.flushMs,
    );
  }

  /** Writes every owed entry that is due, from memory and from the log; what fails stays owed, backed off. */
  flush(): Promise<void> {
    return this.enqueue(true);
  }

  /** Flushes run one after another, so an entry is never in two. */
  private enqueue(fromLog: boolean): Promise<void> {
    const run = this.flushTail.then(() => this.write(fromLog));
    this.flushTail = run.catch(() => {});
    return run;
  }

  private async write(fromLog: boolean): Promise<void> {
    const db = this.options.db();
    for (;;) {
      const batch = [...this.owed.values()].slice(0, FLUSH_BATCH_LEADS);
      for (const item of batch) this.owed.delete(item.leadId);
      if (fromLog && batch.length < FLUSH_BATCH_LEADS) batch.push(...this.fromLog(FLUSH_BATCH_LEADS - batch.length, batch));
      if (batch.length === 0) return;
      if (await this.writeBatch(db, batch)) continue;
      // One bad entry must not hold the others back: write them one by one, back off only the failures.
      if (batch.length > 1) for (const item of batch) await this.writeBatch(db, [item]);
      return;
    }
  }

  private fromLog(limit: number, taken: Owed[]): Owed[] {
    const skip = new Set([...taken.map((item) => item.leadId), ...this.owed.keys()]);
    return this.options.log
      .owedRecords(this.now(), limit, skip)
      .map((record) => ({ leadId: record.leadId, entry: entryOf(record), seq: record.logSeq, attempts: record.d1Attempts }));
  }

  private async writeBatch(db: Db, batch: Owed[]): Promise<boolean> {
    try {
      const entries = batch.map((item) => item.entry);
      await Promise.all([writeLeadLogs(db, entries), this.options.recordSales(entries)]);
      this.options.log.markWritten(batch);
      return true;
    } catch (error) {
      const [only] = batch;
      if (batch.length > 1 || !only) return false;
      console.error("lead log write to D1 failed; the alarm retries", only.leadId, error instanceof Error ? error.message : "unknown");
      const retryAt = this.now() + backoffMs(only.attempts);
      this.options.log.markWriteFailed(only.leadId, only.seq, retryAt);
      await this.options.wake(retryAt);
      return false;
    }
  }
}

/** 1 s, 2 s, 4 s … up to five minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts);
}
