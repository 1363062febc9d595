/**
 * A lead's record in D1 — the lead, its trace, its sales and their ledger
 * entries — written from the gate's write-ahead log in one batch. Every
 * insert is keyed (lead id, trace sequence, sale id, ledger entry id), so a
 * retried batch never doubles a row and a later write (a held lead sold on
 * its next cycle) only adds what is new.
 */
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { TraceEntry } from "../core/attempt";
import type { Lead } from "../core/lead";
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
  lead: Lead;
  status: LeadStatus;
  reason?: string;
  redirectUrl?: string;
  ms: number;
  completedAt: string;
  trace: TraceEntry[];
  sales: SaleEntry[];
}

/** D1 binds at most 100 parameters a statement. */
const MAX_PARAMS = 100;

function chunked<T>(rows: T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / columns));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
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

/** Writes several leads' log entries in one D1 batch: all or none. */
export async function writeLeadLogs(db: Db, entries: LeadLogEntry[]): Promise<void> {
  const [first, ...rest] = entries.flatMap((entry) => leadLogStatements(db, entry));
  if (first) await db.batch([first, ...rest]);
}

function leadLogStatements(db: Db, entry: LeadLogEntry): BatchItem<"sqlite">[] {
  const { lead } = entry;
  const priceCents = entry.sales.reduce((sum, sale) => sum + sale.priceCents, 0);
  const payoutCents = entry.sales.reduce((sum, sale) => sum + sale.payoutCents, 0);
  const leadRow: typeof leads.$inferInsert = {
    id: lead.id,
    treeId: lead.treeId,
    treeVersion: lead.treeVersion,
    publisherId: lead.publisherId,
    vertical: lead.vertical,
    clickId: lead.clickId ?? null,
    subId: lead.subId ?? null,
    subId2: lead.subId2 ?? null,
    subId3: lead.subId3 ?? null,
    status: entry.status,
    score: lead.score,
    signals: lead.signals,
    fields: lead.fields,
    consent: lead.consent,
    reason: entry.reason ?? null,
    redirectUrl: entry.redirectUrl ?? null,
    priceCents,
    payoutCents,
    ms: entry.ms,
    receivedAt: lead.receivedAt,
    completedAt: entry.completedAt,
  };
  const statements: BatchItem<"sqlite">[] = [
    db
      .insert(leads)
      .values(leadRow)
      .onConflictDoUpdate({
        target: leads.id,
        set: {
          status: entry.status,
          reason: leadRow.reason,
          redirectUrl: leadRow.redirectUrl,
          priceCents,
          payoutCents,
          ms: entry.ms,
          completedAt: entry.completedAt,
        },
        // A retry of an older log entry must not undo a newer outcome.
        setWhere: sql`${leads.completedAt} IS NULL OR ${leads.completedAt} <= ${entry.completedAt}`,
      }),
  ];
  const attempts = entry.trace.map((t, seq) => ({
    leadId: lead.id,
    seq,
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
  }));
  for (const rows of chunked(attempts, 12)) statements.push(db.insert(leadAttempts).values(rows).onConflictDoNothing());
  const saleRows = entry.sales.map((sale) => ({
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
  for (const rows of chunked(saleRows, 12)) statements.push(db.insert(sales).values(rows).onConflictDoNothing());
  for (const rows of chunked(ledgerRows(entry), 8)) statements.push(db.insert(ledgerEntries).values(rows).onConflictDoNothing());
  return statements;
}
