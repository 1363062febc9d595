/** A lead as the operator sees it (the record, its trace, its sales and ledger entries) and as its publisher does. */
import { asc, eq, sql } from "drizzle-orm";
import type { TraceEntry } from "../core/attempt";
import type { Db } from "./db";
import { logRows, type LeadLogEntry } from "./leadLog";
import { leadAttempts, leads, ledgerEntries, sales } from "./schema";

/** A row without its null columns: absent in JSON rather than null, as the contract shows optional fields. */
type Defined<T> = { [K in keyof T as null extends T[K] ? never : K]: T[K] } & { [K in keyof T as null extends T[K] ? K : never]?: Exclude<T[K], null> };

export function definedOnly<T extends Record<string, unknown>>(row: T): Defined<T> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined)) as Defined<T>;
}

interface LeadRows {
  lead: typeof leads.$inferSelect;
  attempts: (typeof leadAttempts.$inferInsert)[];
  sales: (typeof sales.$inferInsert)[];
  ledger: (typeof ledgerEntries.$inferInsert)[];
}

/** One shape whether the rows come from D1 or from the gate's log of a lead D1 does not have yet. */
function leadView(rows: LeadRows) {
  const trace: TraceEntry[] = rows.attempts.map((a) => {
    const entry = definedOnly({
      leadPointId: a.leadPointId,
      phase: a.phase,
      startedAt: a.startedAt,
      ms: a.ms,
      outcome: a.outcome,
      bidCents: a.bidCents,
      httpStatus: a.httpStatus,
      reason: a.reason,
      bidRules: a.bidRules,
      ranking: a.ranking,
    }) as TraceEntry;
    return (a.cycle ?? 1) > 1 ? { ...entry, cycle: a.cycle } : entry;
  });
  return {
    ...definedOnly(rows.lead),
    trace,
    sales: rows.sales.map((sale) => definedOnly(sale)),
    ledger: [...rows.ledger].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((entry) => definedOnly(entry)),
  };
}

export type LeadView = ReturnType<typeof leadView>;

export async function leadWithTrace(db: Db, leadId: string): Promise<LeadView | undefined> {
  const [lead, attempts, leadSales, ledger] = await db.batch([
    db.select().from(leads).where(eq(leads.id, leadId)),
    db.select().from(leadAttempts).where(eq(leadAttempts.leadId, leadId)).orderBy(asc(leadAttempts.seq)),
    // In the order the lead's sales were made (the order D1 got them in), as the gate's log shows them.
    db.select().from(sales).where(eq(sales.leadId, leadId)).orderBy(sql`rowid`),
    db.select().from(ledgerEntries).where(eq(ledgerEntries.leadId, leadId)).orderBy(asc(ledgerEntries.id)),
  ]);
  const row = lead[0];
  return row ? leadView({ lead: row, attempts, sales: leadSales, ledger }) : undefined;
}

/** The view of a lead's entry that the gate's log holds, before (or newer than) what D1 has. */
export function leadViewOfEntry(entry: LeadLogEntry): LeadView {
  const rows = logRows(entry);
  return leadView({ ...rows, lead: { ...rows.lead, ms: rows.lead.ms ?? null, completedAt: rows.lead.completedAt ?? null } as typeof leads.$inferSelect });
}

/** Statuses a lead can still leave: a read of one also asks its gate, which may know more than D1. */
export const OPEN_STATUSES: ReadonlySet<string> = new Set(["pending", "review"]);

/** What a publisher may see of its own lead: never the buyer or the price. */
export function publisherView(lead: Pick<LeadView, "id" | "status" | "payoutCents" | "redirectUrl">) {
  const status = lead.status === "accepted" ? "accepted" : OPEN_STATUSES.has(lead.status) ? "pending" : "declined";
  return {
    leadId: lead.id,
    status,
    ...(status === "accepted" ? { payoutCents: lead.payoutCents } : {}),
    ...(lead.redirectUrl ? { redirectUrl: lead.redirectUrl } : {}),
  } as const;
}
