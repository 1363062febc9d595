/**
 * The gate's tables and the decision a recovery makes from them. Kept apart
 * from the object so the decision is plain data in, plain data out.
 */
import type { TraceEntry } from "../core/attempt";
import type { Sale } from "../core/tree";
import type { RecordedPost } from "../exchange/journal";

export const GATE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS lead_keys (
    key TEXT PRIMARY KEY, lead_id TEXT NOT NULL, state TEXT NOT NULL,
    lease_until INTEGER NOT NULL, answer TEXT, accepts INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS lead_log (
    lead_id TEXT PRIMARY KEY, key TEXT NOT NULL, publisher_id TEXT NOT NULL, lead TEXT NOT NULL,
    state TEXT NOT NULL, cycle INTEGER NOT NULL DEFAULT 1, trace TEXT NOT NULL DEFAULT '[]',
    next_run_at INTEGER, received_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS post_intents (
    lead_id TEXT NOT NULL, lead_point_id TEXT NOT NULL, price_cents INTEGER NOT NULL,
    at INTEGER NOT NULL, outcome TEXT, sale TEXT, PRIMARY KEY (lead_id, lead_point_id));
  CREATE TABLE IF NOT EXISTS outbox (
    lead_id TEXT PRIMARY KEY, entry TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS idempotency (
    scope_key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, status INTEGER, response TEXT,
    expires_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS lead_keys_state_lease ON lead_keys (state, lease_until);
  CREATE INDEX IF NOT EXISTS lead_keys_state_expiry ON lead_keys (state, expires_at);
  CREATE INDEX IF NOT EXISTS lead_keys_lead ON lead_keys (lead_id);
  CREATE INDEX IF NOT EXISTS lead_log_state_next ON lead_log (state, next_run_at);
  CREATE INDEX IF NOT EXISTS outbox_next ON outbox (next_at);
  CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
`;

export interface IntentRow extends Record<string, SqlStorageValue> {
  lead_point_id: string;
  price_cents: number;
  at: number;
  outcome: string | null;
  sale: string | null;
}

export type Recovery =
  /** No post ever left: running the lead again cannot sell it twice. */
  | { kind: "rerun" }
  /** Every post that left has a recorded answer: settle from them, post nothing more. */
  | { kind: "settle"; sales: Sale[]; trace: TraceEntry[] }
  /** A post left and its answer is unknown: it may be sold; a person decides, nothing is posted again. */
  | { kind: "review"; sales: Sale[]; trace: TraceEntry[] };

const RECOVERED = "recovered from the gate's journal after the run stopped";

export function recoveryOf(intents: IntentRow[]): Recovery {
  if (intents.length === 0) return { kind: "rerun" };
  const sales: Sale[] = [];
  const trace: TraceEntry[] = intents.map((intent) => {
    const startedAt = new Date(intent.at).toISOString();
    const base = { leadPointId: intent.lead_point_id, phase: "post" as const, startedAt, ms: 0, bidCents: intent.price_cents };
    if (intent.outcome === null) {
      return { ...base, outcome: "error" as const, reason: "the run stopped after this post left and the buyer's answer is unknown: marked for review, never posted again" };
    }
    const recorded = { kind: intent.outcome, ...(intent.sale ? { sale: JSON.parse(intent.sale) as Sale } : {}) } as RecordedPost;
    if (recorded.kind === "accepted" && recorded.sale) sales.push(recorded.sale);
    const outcome = recorded.kind === "accepted" ? "accepted" : recorded.kind === "rejected" ? "declined" : recorded.kind === "timeout" ? "timeout" : "error";
    return { ...base, outcome, reason: RECOVERED };
  });
  const unknown = intents.some((intent) => intent.outcome === null);
  if (unknown) return { kind: "review", sales, trace };
  if (sales.length === 0) return { kind: "rerun" };
  return { kind: "settle", sales, trace };
}
