/**
 * The gate log's records as the rest of the gate sees them, and the one
 * mapper from each table's row to its record.
 */
import type { TraceEntry } from "../../core/attempt";
import type { SealedLead } from "../../core/piiSeal";
import type { PriorSales, Sale } from "../../core/tree";
import type { RecordedPost } from "../../exchange/journal";
import type { LeadAnswer } from "../../exchange/settlement";
import type { LeadLogEntry } from "../../store/leadLog";
import type { PostIntent } from "./recovery";

export type KeyState = "running" | "held" | "done" | "review";
export type LeadState = "running" | "posting" | "held" | "done" | "review";

export interface KeyRecord {
  key: string;
  leadId: string;
  state: KeyState;
  leaseUntil: number;
  /** What a replay answers: the latest cycle's answer. */
  answer?: LeadAnswer;
  /** Sales of the key's leads so far, across runs (maxAcceptsPerLead adds up). */
  prior: PriorSales;
  expiresAt: number;
}

/** What a logged lead's row holds of its D1 entry besides the lead and its trace. */
export type LoggedOutcome = Omit<LeadLogEntry, "lead" | "trace">;

export interface LeadRecord {
  leadId: string;
  key: string;
  publisherId: string;
  lead: SealedLead;
  state: LeadState;
  cycle: number;
  trace: TraceEntry[];
  nextRunAt?: number;
  expiresAt: number;
  outcome?: LoggedOutcome;
  /** Bumped by every finish: a D1 write made from an older version never clears a newer one. */
  logSeq: number;
  d1DueAt?: number;
  d1Attempts: number;
}

export interface KeyRow extends Record<string, SqlStorageValue> {
  key: string;
  lead_id: string;
  state: string;
  lease_until: number;
  answer: string | null;
  accepts: number;
  buyer_ids: string;
  expires_at: number;
}

export interface LeadRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  key: string;
  publisher_id: string;
  lead: string;
  state: string;
  cycle: number;
  trace: string;
  next_run_at: number | null;
  expires_at: number;
  outcome: string | null;
  log_seq: number;
  d1_due_at: number | null;
  d1_attempts: number;
  /** 1 when a post intent of the lead has no answer yet (log.ts, LEAD_COLUMNS). */
  posting: number;
}

export interface IntentRow extends Record<string, SqlStorageValue> {
  lead_point_id: string;
  price_cents: number;
  at: number;
  outcome: string | null;
  sale: string | null;
}

export function keyRecord(row: KeyRow): KeyRecord {
  return {
    key: row.key,
    leadId: row.lead_id,
    state: row.state as KeyState,
    leaseUntil: row.lease_until,
    ...(row.answer ? { answer: JSON.parse(row.answer) as LeadAnswer } : {}),
    prior: { accepts: row.accepts, buyerIds: JSON.parse(row.buyer_ids) as string[] },
    expiresAt: row.expires_at,
  };
}

export function leadRecord(row: LeadRow): LeadRecord {
  return {
    leadId: row.lead_id,
    key: row.key,
    publisherId: row.publisher_id,
    lead: JSON.parse(row.lead) as SealedLead,
    // A gate before this version wrote 'posting' into the row itself; it reads the same.
    state: row.state === "running" && row.posting ? "posting" : (row.state as LeadState),
    cycle: row.cycle,
    trace: JSON.parse(row.trace) as TraceEntry[],
    ...(row.next_run_at !== null ? { nextRunAt: row.next_run_at } : {}),
    expiresAt: row.expires_at,
    ...(row.outcome ? { outcome: JSON.parse(row.outcome) as LoggedOutcome } : {}),
    logSeq: row.log_seq,
    ...(row.d1_due_at !== null ? { d1DueAt: row.d1_due_at } : {}),
    d1Attempts: row.d1_attempts,
  };
}

export function postIntent(row: IntentRow): PostIntent {
  const answer = row.outcome === null ? undefined : ({ kind: row.outcome, ...(row.sale ? { sale: JSON.parse(row.sale) as Sale } : {}) } as RecordedPost);
  return { leadPointId: row.lead_point_id, priceCents: row.price_cents, at: row.at, ...(answer ? { answer } : {}) };
}

/** The lead's D1 entry as its log row knows it; a lead still running reads as pending. */
export function entryOf(record: LeadRecord): LeadLogEntry {
  const outcome = record.outcome ?? { status: "pending", ms: 0, completedAt: new Date(record.lead.receivedAt).toISOString(), sales: [] };
  return { lead: record.lead, trace: record.trace, ...outcome };
}
