/**
 * The gate's inbound pings (core/pingPost.ts): each ping's reserved bids,
 * kept in the gate its id names until its post or its expiry, and the only
 * functions that change a ping's state, with their SQL beside them.
 *
 *   ping:  (none) --reserve--> reserved | declined (no bid to hold)
 *          reserved --claim (before expiresAt)--> posted   (the post's lead is admitted in the same turn)
 *          any --purge (an hour after expiresAt)--> (none)
 *
 * `claim` is synchronous and the object runs one turn at a time, so of two
 * posts of one ping exactly one moves it on: the reservation sells once.
 */
import type { SubmissionMeta, LeadFields } from "../../core/lead";
import type { PingReservation } from "../../core/pingPost";

export type PingState = "reserved" | "declined" | "posted";

/** What a ping said of its lead: the post must say the same. */
export interface PingedLead {
  fields: LeadFields;
  meta: SubmissionMeta;
}

export interface PingRecord {
  pingId: string;
  /** The unique-lead key its post's lead is admitted under. */
  key: string;
  publisherId: string;
  lead: PingedLead;
  reservation: PingReservation;
  state: PingState;
  expiresAt: number;
  /** The lead the post made, once posted. */
  leadId?: string;
}

interface PingRow extends Record<string, SqlStorageValue> {
  ping_id: string;
  key: string;
  publisher_id: string;
  lead: string;
  reservation: string;
  state: string;
  expires_at: number;
  lead_id: string | null;
}

/** An expired ping is still told apart from an unknown one for this long, then forgotten. */
export const PING_KEPT_MS = 3_600_000;

export const PING_TABLE = `
  CREATE TABLE IF NOT EXISTS pings (
    ping_id TEXT PRIMARY KEY, key TEXT NOT NULL, publisher_id TEXT NOT NULL, lead TEXT NOT NULL,
    reservation TEXT NOT NULL, state TEXT NOT NULL, expires_at INTEGER NOT NULL, lead_id TEXT);
  CREATE INDEX IF NOT EXISTS pings_expiry ON pings (expires_at);
`;

function pingRecord(row: PingRow): PingRecord {
  return {
    pingId: row.ping_id,
    key: row.key,
    publisherId: row.publisher_id,
    lead: JSON.parse(row.lead) as PingedLead,
    reservation: JSON.parse(row.reservation) as PingReservation,
    state: row.state as PingState,
    expiresAt: row.expires_at,
    ...(row.lead_id !== null ? { leadId: row.lead_id } : {}),
  };
}

export class PingLog {
  constructor(private readonly sql: SqlStorage) {}

  ping(pingId: string): PingRecord | undefined {
    const row = this.sql.exec<PingRow>("SELECT * FROM pings WHERE ping_id = ?", pingId).toArray()[0];
    return row ? pingRecord(row) : undefined;
  }

  /** reserve: the ping's ranked bids, durable before the publisher hears the payout. */
  reserve(ping: Omit<PingRecord, "state" | "leadId">): PingState {
    const state: PingState = ping.reservation.offers.length ? "reserved" : "declined";
    this.sql.exec(
      "INSERT INTO pings (ping_id, key, publisher_id, lead, reservation, state, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ping.pingId,
      ping.key,
      ping.publisherId,
      JSON.stringify(ping.lead),
      JSON.stringify(ping.reservation),
      state,
      ping.expiresAt,
    );
    return state;
  }

  /** claim: the post takes the reservation; only a reserved ping moves, so a second claim changes nothing and says false. */
  claim(pingId: string, leadId: string, now: number): boolean {
    const claimed = this.sql.exec("UPDATE pings SET state = 'posted', lead_id = ? WHERE ping_id = ? AND state = 'reserved' AND expires_at > ?", leadId, pingId, now);
    return claimed.rowsWritten > 0;
  }

  purgeExpired(now: number): void {
    this.sql.exec("DELETE FROM pings WHERE expires_at <= ?", now - PING_KEPT_MS);
  }

  /** When the oldest ping is due to be forgotten. */
  nextPurgeAt(): number | undefined {
    const { at } = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM pings").one();
    return at === null ? undefined : at + PING_KEPT_MS;
  }
}
