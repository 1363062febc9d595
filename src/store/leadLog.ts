/**
 * A lead's record in D1 — the lead, its trace, its sales and their ledger
 * entries — written from the gate's write-ahead log in one batch. Every
 * insert is keyed (lead id, trace sequence, sale id, ledger entry id), so a
 * retried batch never doubles a row and a later write (a held lead sold on
 * its next cycle) only adds what is new.
 */
import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { TraceEntry } from "../core/attempt";
import type { Lead } from "../core/lead";
import type { SealedLead } from "../core/piiSeal";
import type { UnsoldCause } from "../core/unsoldCause";
import type { Db } from "./db";
import { leadAttempts, leads, ledgerEntries, leadStatuses, sales } from "./schema";

export type LeadStatus = (typeof leadStatuses)[number];

export interface SaleEntry {
  leadPointId: string;
  buyerId: string;
  priceCents: number;
  payoutCents: number;
  marginCents: number;
  redirectUrl?: string;
  buyerLeadId?: string;
}

export interface LeadLogEntry {
  /** Its PII sealed (core/piiSeal): D1 stores what the gate's log does. */
  lead: SealedLead;
  /**
   * The tree version the cycle that settled the lead ran on. The run takes
   * its own snapshot when it starts, which may be newer than the version the
   * intake validated the lead against (lead.treeVersion).
   */
  treeVersion?: number;
  status: LeadStatus;
  reason?: string;
  /** Set when the lead ended without a sale (unsold or rejected). */
  cause?: UnsoldCause;
  redirectUrl?: string;
  ms: number;
  completedAt: string;
  trace: TraceEntry[];
  sales: SaleEntry[];
}

export function saleId(leadId: string, leadPointId: string): string {
  return `${leadId}:${leadPointId}`;
}

export function ledgerRows(entry: LeadLogEntry): (typeof ledgerEntries.$inferInsert)[] {
  const { lead } = entry;
  return entry.sales.flatMap((sale) => {
    const id = saleId(lead.id, sale.leadPointId);
    const base = { saleId: id, leadId: lead.id, treeId: lead.treeId, createdAt: entry.completedAt };
    return [
      { ...base, id: `${id}:charge`, kind: "buyer_charge" as const, partyId: sale.buyerId, amountCents: sale.priceCents },
      { ...base, id: `${id}:payout`, kind: "publisher_payout" as const, partyId: lead.publisherId, amountCents: sale.payoutCents },
      { ...base, id: `${id}:margin`, kind: "margin" as const, partyId: "exchange", amountCents: sale.marginCents },
    ];
  });
}

/** Writes one lead's log entry; see writeLeadLogs. */
export function writeLeadLog(db: Db, entry: LeadLogEntry): Promise<void> {
  return writeLeadLogs(db, [entry]);
}

/**
 * Writes several leads' log entries in one D1 batch, all or none: four
 * statements whatever the number of leads, each inserting its rows from one
 * JSON parameter (json_each), so neither the 100-parameter limit nor the
 * per-statement cost grows with the batch.
 */
export async function writeLeadLogs(db: Db, entries: LeadLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map(logRows);
  const statements = [
    insertRows(
      db,
      leads,
      // JSON columns go in as their text, as drizzle would store them.
      rows.map(({ lead }) => ({
        ...lead,
        signals: JSON.stringify(lead.signals),
        fields: JSON.stringify(lead.fields),
        consent: JSON.stringify(lead.consent),
        duplicateOf: lead.duplicateOf ? JSON.stringify(lead.duplicateOf) : null,
      })),
      // A retry of an older log entry must not undo a newer outcome.
      `ON CONFLICT ("id") DO UPDATE SET "status" = excluded."status", "reason" = excluded."reason", "cause" = excluded."cause",
         "redirect_url" = excluded."redirect_url", "price_cents" = excluded."price_cents",
         "payout_cents" = excluded."payout_cents", "ms" = excluded."ms", "completed_at" = excluded."completed_at"
       WHERE "leads"."completed_at" IS NULL OR "leads"."completed_at" <= excluded."completed_at"`,
    ),
    insertRows(db, leadAttempts, rows.flatMap((r) => r.attempts), "ON CONFLICT DO NOTHING"),
    insertRows(db, sales, rows.flatMap((r) => r.sales), "ON CONFLICT DO NOTHING"),
    insertRows(db, ledgerEntries, rows.flatMap((r) => r.ledger), "ON CONFLICT DO NOTHING"),
  ];
  await db.$client.batch(statements.filter((statement) => statement !== undefined));
}

/**
 * INSERT … SELECT from a JSON array of rows, each row an array of the
 * table's columns in order (a missing property is null); JSON columns arrive
 * as text. Positional rather than keyed by property name: the parameter
 * holds no key names, so it is a third shorter for the trace's rows, and
 * SQLite reads each column by its index instead of searching the row's keys.
 * The rows are read out of json_each once (MATERIALIZED): json_each renders
 * a row's text anew each time its `value` is named, so reading the columns
 * straight from it rendered a lead's whole row once per column.
 */
function insertRows(db: Db, table: SQLiteTable, rows: Record<string, unknown>[], onConflict: string) {
  if (rows.length === 0) return undefined;
  const columns = Object.entries(getTableColumns(table));
  const names = columns.map(([, column]) => `"${column.name}"`).join(", ");
  const values = columns.map((_, i) => `v ->> ${i}`).join(", ");
  const positional = rows.map((row) => columns.map(([key]) => row[key] ?? null));
  return db.$client
    .prepare(`WITH r (v) AS MATERIALIZED (SELECT value FROM json_each(?)) INSERT INTO "${getTableName(table)}" (${names}) SELECT ${values} FROM r WHERE true ${onConflict}`)
    .bind(JSON.stringify(positional));
}

/** Trace rows of `lead`, numbered from `firstSeq`. */
function attemptRows(lead: Pick<Lead, "id" | "treeId">, trace: TraceEntry[], firstSeq: number): (typeof leadAttempts.$inferInsert)[] {
  return trace.map((t, i) => ({
    leadId: lead.id,
    seq: firstSeq + i,
    treeId: lead.treeId,
    leadPointId: t.leadPointId,
    cycle: t.cycle ?? 1,
    phase: t.phase,
    outcome: t.outcome,
    startedAt: t.startedAt,
    ms: Math.round(t.ms),
    bidCents: t.bidCents ?? null,
    httpStatus: t.httpStatus ?? null,
    reason: t.reason ?? null,
    bidRules: t.bidRules ?? null,
    ranking: t.ranking ?? null,
  }));
}

/**
 * Adds entries after a lead's logged trace, from `firstSeq` (the logged
 * trace's length): what happened after the outcome was logged, such as a
 * copy's post. Keyed like the rest, so a retry adds nothing twice and it
 * does not matter whether the lead's own rows are in D1 yet.
 */
export async function appendTrace(db: Db, lead: Pick<Lead, "id" | "treeId">, firstSeq: number, trace: TraceEntry[]): Promise<void> {
  const statement = insertRows(db, leadAttempts, attemptRows(lead, trace, firstSeq), "ON CONFLICT DO NOTHING");
  if (statement) await statement.run();
}

/** The rows D1 holds of a lead's entry: what the writer inserts, and what a read of a lead not yet written shows. */
export function logRows(entry: LeadLogEntry) {
  const { lead } = entry;
  const leadRow: typeof leads.$inferInsert = {
    id: lead.id,
    treeId: lead.treeId,
    treeVersion: entry.treeVersion ?? lead.treeVersion,
    publisherId: lead.publisherId,
    vertical: lead.vertical,
    clickId: lead.clickId ?? null,
    subId: lead.subId ?? null,
    subId2: lead.subId2 ?? null,
    subId3: lead.subId3 ?? null,
    status: entry.status,
    score: lead.score,
    signals: lead.signals,
    scoreWeightsVersion: lead.scoreWeightsVersion ?? 0,
    fields: lead.fields,
    consent: lead.consent,
    reason: entry.reason ?? null,
    cause: entry.cause ?? null,
    duplicateOf: lead.duplicateOf ?? null,
    redirectUrl: entry.redirectUrl ?? null,
    priceCents: entry.sales.reduce((sum, sale) => sum + sale.priceCents, 0),
    payoutCents: entry.sales.reduce((sum, sale) => sum + sale.payoutCents, 0),
    ms: entry.ms,
    receivedAt: lead.receivedAt,
    completedAt: entry.completedAt,
  };
  const attempts = attemptRows(lead, entry.trace, 0);
  const saleRows: (typeof sales.$inferInsert)[] = entry.sales.map((sale) => ({
    id: saleId(lead.id, sale.leadPointId),
    leadId: lead.id,
    treeId: lead.treeId,
    leadPointId: sale.leadPointId,
    buyerId: sale.buyerId,
    publisherId: lead.publisherId,
    priceCents: sale.priceCents,
    payoutCents: sale.payoutCents,
    marginCents: sale.marginCents,
    buyerLeadId: sale.buyerLeadId ?? null,
    redirectUrl: sale.redirectUrl ?? null,
    soldAt: entry.completedAt,
  }));
  return {
    lead: leadRow,
    attempts,
    sales: saleRows,
    ledger: ledgerRows(entry),
  };
}
