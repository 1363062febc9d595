/**
 * A publisher's postbacks (`postbacks:<publisherId>`), delivered at least
 * once until the publisher answers 2xx, for 24 hours. A postback is recorded
 * before it is sent, and its alarm set, so an object that stops mid-attempt
 * tries again when it wakes; a postback already recorded is never recorded or
 * sent again by a repeated hand-off, so a delivered one is sent once. Every
 * attempt is kept here until it is written to D1, where the operator reads it.
 */
import { DurableObject } from "cloudflare:workers";
import { nextAttemptAt } from "../core/backoff";
import { openText } from "../core/piiSeal";
import { postSigned, type Postback, type PostbackResult } from "../exchange/postback";
import { piiKeysOf } from "../exchange/piiKeys";
import { dbOf } from "../store/db";
import { writePostbackAttempts, type PostbackAttemptRow } from "../store/postbackAttempts";

/** An attempt in flight holds its postback this long (past the 5 s send timeout) before the alarm may try it again. */
const ATTEMPT_LEASE_MS = 30_000;
/** Attempts not yet in D1 are written again this soon. */
const OWED_RETRY_MS = 30_000;
/** A finished postback is remembered this long, so a late repeated hand-off of it (a recovered run) still sends nothing. */
const KEEP_FINISHED_MS = 7 * 86_400_000;

interface PostbackRow extends Record<string, SqlStorageValue> {
  id: string;
  publisher_id: string;
  lead_id: string;
  type: string;
  url: string;
  body: string;
  first_at: number;
  attempts: number;
}

export class PostbackSender extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS postbacks (
        id TEXT PRIMARY KEY, publisher_id TEXT NOT NULL, lead_id TEXT NOT NULL, type TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,
        first_at INTEGER NOT NULL, attempts INTEGER NOT NULL, state TEXT NOT NULL, due_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS postbacks_due ON postbacks (due_at) WHERE state = 'pending';
      CREATE TABLE IF NOT EXISTS owed_attempts (id TEXT PRIMARY KEY, row TEXT NOT NULL);
    `);
  }

  /** Records the postback and makes its first attempt; a postback recorded already is left to its own schedule. */
  async deliver(postback: Postback): Promise<void> {
    const now = Date.now();
    const { rowsWritten } = this.sql.exec(
      "INSERT OR IGNORE INTO postbacks (id, publisher_id, lead_id, type, url, body, first_at, attempts, state, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'pending', ?)",
      postback.id, postback.publisherId, postback.leadId, postback.type, postback.url, postback.body, now, now + ATTEMPT_LEASE_MS,
    );
    if (!rowsWritten) return;
    // The wake-up if this attempt never finishes, unless another postback needs one sooner.
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > now + ATTEMPT_LEASE_MS) await this.ctx.storage.setAlarm(now + ATTEMPT_LEASE_MS);
    await this.attempt(this.row(postback.id));
    await this.settle();
  }

  /** Tries every postback that is due, then writes the attempts to D1 and sets the next wake-up. */
  override async alarm(): Promise<void> {
    const due = this.sql.exec<PostbackRow>("SELECT * FROM postbacks WHERE state = 'pending' AND due_at <= ?", Date.now()).toArray();
    await Promise.all(due.map((row) => this.attempt(row)));
    await this.settle();
  }

  private row(id: string): PostbackRow {
    return this.sql.exec<PostbackRow>("SELECT * FROM postbacks WHERE id = ?", id).one();
  }

  /** One attempt: leased first, so an alarm meanwhile leaves it alone; then its outcome and the next time, if any. */
  private async attempt(row: PostbackRow): Promise<void> {
    const attempt = row.attempts + 1;
    const at = Date.now();
    this.sql.exec("UPDATE postbacks SET attempts = ?, due_at = ? WHERE id = ?", attempt, at + ATTEMPT_LEASE_MS, row.id);
    const body = await openText(await piiKeysOf(this.env), row.body);
    const postback: Postback = { id: row.id, publisherId: row.publisher_id, leadId: row.lead_id, type: row.type === "return" ? "return" : "sale", url: row.url, body };
    const result = await postSigned(dbOf(this.env.DB), postback);
    const delivered = result.httpStatus !== undefined && result.httpStatus >= 200 && result.httpStatus < 300;
    const next = delivered ? undefined : nextAttemptAt(row.first_at, attempt, Date.now());
    const outcome = delivered ? "delivered" : next === undefined ? "gave_up" : "retry";
    this.sql.exec("UPDATE postbacks SET state = ?, due_at = ? WHERE id = ?", outcome === "retry" ? "pending" : outcome, next ?? null, row.id);
    const record = attemptRow(postback, attempt, at, result, outcome);
    this.sql.exec("INSERT OR IGNORE INTO owed_attempts (id, row) VALUES (?, ?)", record.id, JSON.stringify(record));
  }

  /**
   * Writes owed attempts to D1 (kept for the next wake-up if D1 fails), forgets
   * postbacks finished long ago, and sets the alarm for what is due next.
   */
  private async settle(): Promise<void> {
    const owed = this.sql.exec<{ id: string; row: string }>("SELECT id, row FROM owed_attempts").toArray();
    let stillOwed = false;
    try {
      await writePostbackAttempts(dbOf(this.env.DB), owed.map((entry) => JSON.parse(entry.row) as PostbackAttemptRow));
      for (const entry of owed) this.sql.exec("DELETE FROM owed_attempts WHERE id = ?", entry.id);
    } catch (error) {
      stillOwed = owed.length > 0;
      console.error("postback attempts not written to D1", error instanceof Error ? error.message : "unknown");
    }
    this.sql.exec("DELETE FROM postbacks WHERE state != 'pending' AND first_at < ?", Date.now() - KEEP_FINISHED_MS);
    const nextDue = this.sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM postbacks WHERE state = 'pending'").one().at;
    const wake = Math.min(nextDue ?? Infinity, stillOwed ? Date.now() + OWED_RETRY_MS : Infinity);
    if (wake === Infinity) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(wake);
  }
}

function attemptRow(postback: Postback, attempt: number, at: number, result: PostbackResult, outcome: PostbackAttemptRow["outcome"]): PostbackAttemptRow {
  return {
    // Padded so an attempt's id sorts after the one before it, as the list's tie-break needs.
    id: `${postback.id}:${String(attempt).padStart(3, "0")}`,
    postbackId: postback.id,
    publisherId: postback.publisherId,
    leadId: postback.leadId,
    type: postback.type,
    attempt,
    at: new Date(at).toISOString(),
    httpStatus: result.httpStatus ?? null,
    error: result.error ?? null,
    ms: result.ms,
    outcome,
  };
}
