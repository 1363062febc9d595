/**
 * Configuration records changed after creation: a patched document, a new
 * API key. Each write bumps the configuration generation in its batch, as
 * creation does, so every isolate drops its cached copy. A record keeps its
 * id, so what is counted or recorded under it (a lead point's caps in its
 * Counter object, its sales and trace) carries on across the change.
 *
 * An update saves only over the version it was made from (`readAt`, the
 * updatedAt of the record it patched) and is undefined otherwise: a patch
 * made from a stale read is applied again to the new version (patchRecord),
 * so two concurrent patches both land.
 */
import { and, eq, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { BuyerInput, LeadPointInput, PublisherInput } from "../core/config";
import { type Db, nowIso } from "./db";
import { hashKey, newApiKey } from "./ids";
import { toBuyer, toLeadPoint, toPublisher, writeConfig, type Buyer, type LeadPointRecord, type Publisher } from "./config";
import { buyers, leadPoints, publishers } from "./schema";

/** The row `id`, as it was when read at `readAt`. */
function unchangedSince(table: { id: SQLiteColumn; updatedAt: SQLiteColumn }, id: string, readAt: string): SQL | undefined {
  return and(eq(table.id, id), eq(table.updatedAt, readAt));
}

export async function updatePublisher(db: Db, id: string, publisher: PublisherInput & { enabled: boolean }, readAt: string): Promise<Publisher | undefined> {
  const [row] = await writeConfig(
    db,
    db
      .update(publishers)
      .set({ name: publisher.name, payout: publisher.payout, postbackUrl: publisher.postbackUrl ?? null, enabled: publisher.enabled, updatedAt: nowIso() })
      .where(unchangedSince(publishers, id, readAt))
      .returning(),
  );
  return row && toPublisher(row);
}

export async function updateBuyer(db: Db, id: string, buyer: BuyerInput & { enabled: boolean }, readAt: string): Promise<Buyer | undefined> {
  const [row] = await writeConfig(
    db,
    db.update(buyers).set({ name: buyer.name, returnWindowHours: buyer.returnWindowHours, enabled: buyer.enabled, updatedAt: nowIso() }).where(unchangedSince(buyers, id, readAt)).returning(),
  );
  return row && toBuyer(row);
}

export async function updateLeadPoint(db: Db, id: string, document: LeadPointInput, readAt: string): Promise<LeadPointRecord | undefined> {
  const [row] = await writeConfig(
    db,
    db.update(leadPoints).set({ name: document.name, document, enabled: document.enabled, updatedAt: nowIso() }).where(unchangedSince(leadPoints, id, readAt)).returning(),
  );
  return row && toLeadPoint(row);
}

const keyOwners = { pub: publishers, buy: buyers } as const;

/**
 * A new API key for a publisher (`pub`) or a buyer (`buy`); the old key's
 * hash is replaced in the same write, so nothing stored accepts it any more.
 * Undefined when there is no such record.
 */
export async function rotateKey(db: Db, owner: keyof typeof keyOwners, id: string): Promise<string | undefined> {
  const table = keyOwners[owner];
  const apiKey = newApiKey(owner);
  const [row] = await writeConfig(db, db.update(table).set({ apiKeyHash: await hashKey(apiKey), updatedAt: nowIso() }).where(eq(table.id, id)).returning({ id: table.id }));
  return row && apiKey;
}
