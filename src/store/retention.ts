/**
 * PII retention: a lead's personal fields are removed once it is older than
 * the retention period. The lead, its trace, its sales and its consent
 * record (the proof a buyer may be asked for) stay.
 */
import { and, lt, sql } from "drizzle-orm";
import { piiFields } from "../core/pii";
import type { Db } from "./db";
import { leads } from "./schema";

const paths = piiFields.map((field) => `'$.${field}'`).join(", ");

/** Redacts every lead received before `cutoffIso`; returns how many it changed. */
export async function redactExpiredPii(db: Db, cutoffIso: string): Promise<number> {
  const anyPii = sql.raw(piiFields.map((field) => `json_extract(fields, '$.${field}') IS NOT NULL`).join(" OR "));
  const result = await db
    .update(leads)
    .set({ fields: sql`json_remove(${leads.fields}, ${sql.raw(paths)})` })
    .where(and(lt(leads.receivedAt, cutoffIso), sql`(${anyPii})`))
    .run();
  return result.meta.changes ?? 0;
}
