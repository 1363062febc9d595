/**
 * The gate's tables, and how an object whose tables have an older shape is
 * brought to this one without losing a lead or an owed D1 write.
 */
import type { LeadLogEntry } from "../../store/leadLog";
import { PING_TABLE } from "./pings";

/**
 * A logged lead carries its latest settled outcome and whether D1 still owes
 * it (`d1_due_at`), so a finished lead costs one row update and no second
 * copy of the lead: the D1 entry is rebuilt from the row when memory lost it.
 */
const GATE_TABLES = `
  CREATE TABLE IF NOT EXISTS lead_keys (
    key TEXT PRIMARY KEY, lead_id TEXT NOT NULL, state TEXT NOT NULL,
    lease_until INTEGER NOT NULL, answer TEXT, accepts INTEGER NOT NULL DEFAULT 0,
    buyer_ids TEXT NOT NULL DEFAULT '[]', expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS lead_log (
    lead_id TEXT PRIMARY KEY, key TEXT NOT NULL, publisher_id TEXT NOT NULL DEFAULT '', lead TEXT NOT NULL,
    state TEXT NOT NULL, cycle INTEGER NOT NULL DEFAULT 1, trace TEXT NOT NULL DEFAULT '[]',
    next_run_at INTEGER, received_at INTEGER NOT NULL, expires_at INTEGER NOT NULL DEFAULT 0,
    outcome TEXT, log_seq INTEGER NOT NULL DEFAULT 0, d1_due_at INTEGER, d1_attempts INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS post_intents (
    lead_id TEXT NOT NULL, lead_point_id TEXT NOT NULL, price_cents INTEGER NOT NULL,
    at INTEGER NOT NULL, outcome TEXT, sale TEXT, PRIMARY KEY (lead_id, lead_point_id));
  CREATE TABLE IF NOT EXISTS idempotency (
    scope_key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, status INTEGER, response TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL);
`;

/** Columns added since the first gate: an object whose tables predate one gets it with its default. */
const ADDED_COLUMNS: [table: string, column: string, definition: string][] = [
  ["lead_log", "publisher_id", "TEXT NOT NULL DEFAULT ''"],
  ["lead_log", "cycle", "INTEGER NOT NULL DEFAULT 1"],
  ["lead_log", "trace", "TEXT NOT NULL DEFAULT '[]'"],
  ["lead_log", "next_run_at", "INTEGER"],
  ["lead_log", "expires_at", "INTEGER NOT NULL DEFAULT 0"],
  ["lead_log", "outcome", "TEXT"],
  ["lead_log", "log_seq", "INTEGER NOT NULL DEFAULT 0"],
  ["lead_log", "d1_due_at", "INTEGER"],
  ["lead_log", "d1_attempts", "INTEGER NOT NULL DEFAULT 0"],
  ["post_intents", "outcome", "TEXT"],
  ["post_intents", "sale", "TEXT"],
  ["lead_keys", "buyer_ids", "TEXT NOT NULL DEFAULT '[]'"],
  ["idempotency", "lease_until", "INTEGER NOT NULL DEFAULT 0"],
];

/**
 * Partial indexes, each holding only the rows its query looks for (running
 * leases, held leads, finished keys and leads, owed writes): every lead's
 * commits write fewer index pages, and each commit holds the output gate.
 */
const GATE_INDEXES = `
  DROP INDEX IF EXISTS lead_keys_lead;
  DROP INDEX IF EXISTS lead_keys_state_lease;
  DROP INDEX IF EXISTS lead_keys_state_expiry;
  DROP INDEX IF EXISTS lead_log_state_next;
  DROP INDEX IF EXISTS lead_log_state_expiry;
  CREATE INDEX IF NOT EXISTS lead_keys_running_lease ON lead_keys (lease_until) WHERE state = 'running';
  CREATE INDEX IF NOT EXISTS lead_keys_done_expiry ON lead_keys (expires_at) WHERE state = 'done';
  CREATE INDEX IF NOT EXISTS lead_log_held_next ON lead_log (next_run_at) WHERE state = 'held';
  CREATE INDEX IF NOT EXISTS lead_log_done_expiry ON lead_log (expires_at) WHERE state = 'done';
  CREATE INDEX IF NOT EXISTS lead_log_d1_due ON lead_log (d1_due_at) WHERE d1_due_at IS NOT NULL;
  CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
`;

/**
 * Creates the tables, and brings an older log to this shape without losing
 * an owed D1 write: missing columns are added, and the entries of the former
 * outbox (a full copy of each) become the owed outcomes of their rows.
 */
export function migrateGateSchema(sql: SqlStorage): void {
  sql.exec(GATE_TABLES);
  const columnsOf = new Map<string, Set<string>>();
  let reviewAsState = true;
  for (const [table, column, definition] of ADDED_COLUMNS) {
    let columns = columnsOf.get(table);
    if (!columns) {
      columns = new Set(sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().map((existing) => existing.name));
      columnsOf.set(table, columns);
    }
    if (columns.has(column)) continue;
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    if (table === "lead_keys" && column === "buyer_ids") reviewAsState = false;
    if (table === "lead_log" && column === "expires_at") {
      sql.exec("UPDATE lead_log SET expires_at = COALESCE((SELECT expires_at FROM lead_keys WHERE lead_keys.lead_id = lead_log.lead_id), 0)");
    }
  }
  const tables = new Set(sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray().map((table) => table.name));
  if (tables.has("outbox")) {
    for (const row of sql.exec<{ lead_id: string; entry: string; next_at: number }>("SELECT lead_id, entry, next_at FROM outbox").toArray()) {
      const { lead: _lead, trace, ...outcome } = JSON.parse(row.entry) as LeadLogEntry;
      sql.exec("UPDATE lead_log SET trace = ?, outcome = ?, d1_due_at = ? WHERE lead_id = ?", JSON.stringify(trace), JSON.stringify(outcome), row.next_at, row.lead_id);
    }
    sql.exec("DROP TABLE outbox");
  }
  if (!reviewAsState) {
    // Review used to be a finished lead whose outcome said so; it is a state of its own now.
    sql.exec("UPDATE lead_log SET state = 'review' WHERE state = 'done' AND outcome ->> '$.status' = 'review'");
    sql.exec("UPDATE lead_keys SET state = 'review' WHERE state = 'done' AND lead_id IN (SELECT lead_id FROM lead_log WHERE state = 'review')");
  }
  sql.exec(GATE_INDEXES);
  sql.exec(PING_TABLE);
}
