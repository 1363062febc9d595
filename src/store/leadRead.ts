/** A lead as the operator sees it: the record, its trace, its sales and ledger entries. */
import { asc, eq } from "drizzle-orm";
import type { TraceEntry } from "../core/attempt";
import type { Db } from "./db";
import { leadAttempts, leads, ledgerEntries, sales } from "./schema";

/** A row without its null columns: absent in JSON rather than null, as the contract shows optional fields. */
type Defined<T> = { [K in keyof T as null extends T[K] ? never : K]: T[K] } & { [K in keyof T as null extends T[K] ? K : never]?: Exclude<T[K], null> };

function definedOnly<T extends Record<string, unknown>>(row: T): Defined<T> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined)) as Defined<T>;
}

export async function leadWithTrace(db: Db, leadId: string) {
  const [lead, attempts, leadSales, ledger] = await db.batch([
    db.select().from(leads).where(eq(leads.id, leadId)),
    db.select().from(leadAttempts).where(eq(leadAttempts.leadId, leadId)).orderBy(asc(leadAttempts.seq)),
    db.select().from(sales).where(eq(sales.leadId, leadId)),
    db.select().from(ledgerEntries).where(eq(ledgerEntries.leadId, leadId)).orderBy(asc(ledgerEntries.id)),
  ]);
  const row = lead[0];
  if (!row) return undefined;
  const trace: TraceEntry[] = attempts.map((a) => {
    const entry = definedOnly({
      leadPointId: a.leadPointId,
      phase: a.phase,
      startedAt: a.startedAt,
      ms: a.ms,
      outcome: a.outcome,
      bidCents: a.bidCents,
      httpStatus: a.httpStatus,
      reason: a.reason,
    }) as TraceEntry;
    return a.cycle > 1 ? { ...entry, cycle: a.cycle } : entry;
  });
  return {
    ...definedOnly(row),
    trace,
    sales: leadSales.map((sale) => definedOnly(sale)),
    ledger: ledger.map((entry) => definedOnly(entry)),
  };
}

/** What a publisher may see of its own lead: never the buyer or the price. */
export async function publisherLeadStatus(db: Db, publisherId: string, leadId: string) {
  const row = await db
    .select({ status: leads.status, payoutCents: leads.payoutCents, redirectUrl: leads.redirectUrl, publisherId: leads.publisherId })
    .from(leads)
    .where(eq(leads.id, leadId))
    .get();
  if (!row || row.publisherId !== publisherId) return undefined;
  const status = row.status === "accepted" ? "accepted" : row.status === "pending" || row.status === "review" ? "pending" : "declined";
  return {
    leadId,
    status,
    ...(status === "accepted" ? { payoutCents: row.payoutCents } : {}),
    ...(row.redirectUrl ? { redirectUrl: row.redirectUrl } : {}),
  } as const;
}
