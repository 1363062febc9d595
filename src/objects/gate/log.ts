/**
 * The gate's log: every unique-lead key and every lead this gate admitted,
 * as typed records, and the only functions that change their state. Each
 * transition is one function with the SQL that makes it durable beside it;
 * they are synchronous, so no other request of the object interleaves with
 * one, and the object's output gate holds every message until it commits.
 *
 *   key:   (none | expired | done below max accepts) --admit--> running
 *          running --finish--> held | done | review
 *          held --startCycle--> running;  review --resolve--> done
 *   lead:  admit --> running --recordIntent--> posting --recordPostAnswer--> running
 *          running | posting --finish--> held | done | review
 *          (posting is a running lead with an unanswered post intent: the
 *          intent's row says so, and the lead's own row, which holds the
 *          whole lead, is not rewritten twice per post to say it again)
 *          held --startCycle--> running (next cycle);  running (lease lost) --startCycle--> running (same cycle)
 *          review --resolve--> done
 *
 * README ("How a lead travels") has the same machine as a table.
 */
import type { SealedLead } from "../../core/piiSeal";
import type { PriorSales } from "../../core/tree";
import type { RecordedPost } from "../../exchange/journal";
import type { Settlement } from "../../exchange/settlement";
import type { PostIntent } from "./recovery";
import { keyRecord, leadRecord, postIntent, type IntentRow, type KeyRecord, type KeyRow, type KeyState, type LeadRecord, type LeadRow, type LoggedOutcome } from "./records";

export type { KeyRecord, KeyState, LeadRecord, LeadState, LoggedOutcome } from "./records";
export { entryOf } from "./records";

export interface Admit {
  key: string;
  lead: SealedLead;
  publisherId: string;
  now: number;
  leaseUntil: number;
  expiresAt: number;
  /** The key's sales so far when its window is still open, else none. */
  prior: PriorSales;
}

export interface Finish {
  key: string;
  settlement: Settlement;
  /** When D1 must have it at the latest (the alarm's backstop). */
  d1DueAt: number;
}

/** A lead row with whether it is posting (running, with a post intent not yet answered). */
const LEAD_COLUMNS = "*, EXISTS (SELECT 1 FROM post_intents WHERE post_intents.lead_id = lead_log.lead_id AND post_intents.outcome IS NULL) AS posting";

export class GateLog {
  constructor(private readonly sql: SqlStorage) {}

  key(key: string): KeyRecord | undefined {
    const row = this.sql.exec<KeyRow>("SELECT * FROM lead_keys WHERE key = ?", key).toArray()[0];
    return row ? keyRecord(row) : undefined;
  }

  lead(leadId: string): LeadRecord | undefined {
    const row = this.sql.exec<LeadRow>(`SELECT ${LEAD_COLUMNS} FROM lead_log WHERE lead_id = ?`, leadId).toArray()[0];
    return row ? leadRecord(row) : undefined;
  }

  intents(leadId: string): PostIntent[] {
    return this.sql.exec<IntentRow>("SELECT * FROM post_intents WHERE lead_id = ? ORDER BY at", leadId).toArray().map(postIntent);
  }

  /** admit: the lead is durable, and its key held by this run's lease, before any buyer hears of it. */
  admit(admit: Admit): void {
    const { key, lead, now } = admit;
    this.sql.exec(
      "INSERT INTO lead_log (lead_id, key, publisher_id, lead, state, received_at, expires_at) VALUES (?, ?, ?, ?, 'running', ?, ?)",
      lead.id,
      key,
      admit.publisherId,
      JSON.stringify(lead),
      now,
      admit.expiresAt,
    );
    this.sql.exec(
      `INSERT INTO lead_keys (key, lead_id, state, lease_until, answer, accepts, buyer_ids, expires_at)
       VALUES (?1, ?2, 'running', ?3, NULL, ?4, ?5, ?6)
       ON CONFLICT (key) DO UPDATE SET lead_id = ?2, state = 'running', lease_until = ?3, answer = NULL,
         accepts = ?4, buyer_ids = ?5, expires_at = ?6`,
      key,
      lead.id,
      admit.leaseUntil,
      admit.prior.accepts,
      JSON.stringify(admit.prior.buyerIds),
      admit.expiresAt,
    );
  }

  /** startCycle: a held lead's next cycle, or a stopped run's same cycle again, under a new lease. */
  startCycle(record: LeadRecord, cycle: number, leaseUntil: number): void {
    this.sql.exec("UPDATE lead_keys SET state = 'running', lease_until = ? WHERE key = ? AND lead_id = ?", leaseUntil, record.key, record.leadId);
    this.sql.exec("UPDATE lead_log SET state = 'running', cycle = ?, next_run_at = NULL WHERE lead_id = ?", cycle, record.leadId);
  }

  /** A run that is alive past its lease keeps its key: the alarm must not recover it under its feet. */
  extendLease(key: string, leadId: string, leaseUntil: number): void {
    this.sql.exec("UPDATE lead_keys SET lease_until = ? WHERE key = ? AND lead_id = ? AND state = 'running'", leaseUntil, key, leadId);
  }

  /** A run that failed in this object gives its key up at once, for its recovery. */
  releaseLease(key: string, leadId: string): void {
    this.sql.exec("UPDATE lead_keys SET lease_until = 0 WHERE key = ? AND lead_id = ?", key, leadId);
  }

  /** recordIntent: a post is about to leave; after a stop, this row is what forbids posting it blindly again. */
  recordIntent(leadId: string, leadPointId: string, priceCents: number, at: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO post_intents (lead_id, lead_point_id, price_cents, at, outcome, sale) VALUES (?, ?, ?, ?, NULL, NULL)",
      leadId,
      leadPointId,
      priceCents,
      at,
    );
  }

  /** recordPostAnswer: the buyer's answer, so a recovery can settle from it. */
  recordPostAnswer(leadId: string, leadPointId: string, answer: RecordedPost): void {
    this.sql.exec(
      "UPDATE post_intents SET outcome = ?, sale = ? WHERE lead_id = ? AND lead_point_id = ?",
      answer.kind,
      answer.sale ? JSON.stringify(answer.sale) : null,
      leadId,
      leadPointId,
    );
  }

  /**
   * finish: a cycle's outcome, before anyone is told. The key adds the
   * cycle's accepts and buyers to its earlier ones; the post intents are done
   * with, since the outcome says what they led to. Returns the row's new
   * version, which the D1 write of this outcome carries.
   */
  finish(finish: Finish): number {
    const { settlement } = finish;
    const { answer, log } = settlement;
    const { lead: _lead, trace, ...outcome } = log;
    const state: KeyState = settlement.holdUntil !== undefined ? "held" : log.status === "review" ? "review" : "done";
    this.sql.exec(
      `UPDATE lead_keys SET state = ?1, answer = ?2, accepts = accepts + ?3,
         buyer_ids = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(lead_keys.buyer_ids) UNION SELECT value FROM json_each(?4)))
       WHERE key = ?5 AND lead_id = ?6`,
      state,
      JSON.stringify(answer),
      settlement.accepts,
      JSON.stringify(log.sales.map((sale) => sale.buyerId)),
      finish.key,
      answer.leadId,
    );
    const { log_seq: seq } = this.sql
      .exec<{ log_seq: number }>(
        `UPDATE lead_log SET state = ?, trace = ?, next_run_at = ?, outcome = ?, log_seq = log_seq + 1, d1_due_at = ?, d1_attempts = 0
         WHERE lead_id = ? RETURNING log_seq`,
        state,
        JSON.stringify(trace),
        settlement.holdUntil ?? null,
        JSON.stringify(outcome satisfies LoggedOutcome),
        finish.d1DueAt,
        answer.leadId,
      )
      .one();
    this.sql.exec("DELETE FROM post_intents WHERE lead_id = ?", answer.leadId);
    return seq;
  }

  /** Leads whose run holds an expired lease: their runs stopped (or outlived it). */
  stalledRuns(now: number): { key: string; leadId: string }[] {
    return this.sql
      .exec<{ key: string; lead_id: string }>("SELECT key, lead_id FROM lead_keys WHERE state = 'running' AND lease_until <= ?", now)
      .toArray()
      .map((row) => ({ key: row.key, leadId: row.lead_id }));
  }

  /** Held leads whose next cycle is due. */
  dueHeld(now: number): string[] {
    return this.sql
      .exec<{ lead_id: string }>("SELECT lead_id FROM lead_log WHERE state = 'held' AND next_run_at <= ?", now)
      .toArray()
      .map((row) => row.lead_id);
  }

  /** Leads in review, oldest first: for the operator. */
  inReview(): string[] {
    return this.sql
      .exec<{ lead_id: string }>("SELECT lead_id FROM lead_log WHERE state = 'review' ORDER BY received_at")
      .toArray()
      .map((row) => row.lead_id);
  }

  /** Owed D1 writes that are due and not already in hand, rebuilt from their rows. */
  owedRecords(now: number, limit: number, skip: ReadonlySet<string>): LeadRecord[] {
    return this.sql
      .exec<LeadRow>(`SELECT ${LEAD_COLUMNS} FROM lead_log WHERE d1_due_at <= ? ORDER BY d1_due_at LIMIT ?`, now, limit + skip.size)
      .toArray()
      .filter((row) => !skip.has(row.lead_id))
      .slice(0, limit)
      .map(leadRecord);
  }

  owedLeadIds(): string[] {
    return this.sql
      .exec<{ lead_id: string }>("SELECT lead_id FROM lead_log WHERE d1_due_at IS NOT NULL ORDER BY lead_id")
      .toArray()
      .map((row) => row.lead_id);
  }

  /** D1 has these versions: one statement for the batch; a lead finished again meanwhile stays owed. */
  markWritten(written: { leadId: string; seq: number }[]): void {
    this.sql.exec(
      // A join, not a subquery per row: that one read the whole batch again for each lead in it.
      `UPDATE lead_log SET d1_due_at = NULL, d1_attempts = 0
       FROM (SELECT value ->> 0 AS lead_id, value ->> 1 AS seq FROM json_each(?1)) AS written
       WHERE lead_log.lead_id = written.lead_id AND lead_log.log_seq = written.seq`,
      JSON.stringify(written.map((item) => [item.leadId, item.seq])),
    );
  }

  markWriteFailed(leadId: string, seq: number, retryAt: number): void {
    this.sql.exec("UPDATE lead_log SET d1_attempts = d1_attempts + 1, d1_due_at = ? WHERE lead_id = ? AND log_seq = ?", retryAt, leadId, seq);
  }

  /** A finished lead is kept while its key may replay it and until D1 has it; held and review leads are kept. */
  purgeExpired(now: number): void {
    this.sql.exec("DELETE FROM lead_keys WHERE state = 'done' AND expires_at <= ?", now);
    this.sql.exec("DELETE FROM lead_log WHERE state = 'done' AND expires_at <= ? AND d1_due_at IS NULL", now);
  }

  /** The earliest time the alarm has work: an owed write, a lease, a hold, an expiry. */
  nextDueAt(owedNoSoonerThan: number): number | undefined {
    const times = this.sql
      .exec<Record<string, number | null>>(
        `SELECT
           (SELECT MAX(MIN(d1_due_at), ?) FROM lead_log WHERE d1_due_at IS NOT NULL) AS owed,
           (SELECT MIN(lease_until) FROM lead_keys WHERE state = 'running') AS lease,
           (SELECT MIN(next_run_at) FROM lead_log WHERE state = 'held') AS hold,
           (SELECT MIN(expires_at) FROM lead_keys WHERE state = 'done') AS key_expiry,
           (SELECT MIN(expires_at) FROM lead_log WHERE state = 'done') AS log_expiry`,
        owedNoSoonerThan,
      )
      .one();
    const next = Math.min(...Object.values(times).filter((at): at is number => at !== null));
    return Number.isFinite(next) ? next : undefined;
  }
}
