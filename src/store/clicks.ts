/** Clicks in D1: written after the visitor is redirected, read by the operator with the leads that carry them. */
import { desc, eq } from "drizzle-orm";
import type { Db } from "./db";
import { definedOnly } from "./leadRead";
import { clicks, leads } from "./schema";

export type ClickRecord = typeof clicks.$inferInsert;

export async function recordClick(db: Db, click: ClickRecord): Promise<void> {
  await db.insert(clicks).values(click).onConflictDoNothing();
}

/**
 * The click and the leads its publisher submitted with its id, newest
 * first: the click → lead → sale chain (each lead's sale is in its detail).
 * Another publisher's lead with the same click id is not this click's.
 */
export async function clickWithLeads(db: Db, clickId: string) {
  const [found, carrying] = await db.batch([
    db.select().from(clicks).where(eq(clicks.id, clickId)),
    db
      .select({
        id: leads.id,
        publisherId: leads.publisherId,
        treeId: leads.treeId,
        status: leads.status,
        priceCents: leads.priceCents,
        payoutCents: leads.payoutCents,
        receivedAt: leads.receivedAt,
      })
      .from(leads)
      .where(eq(leads.clickId, clickId))
      .orderBy(desc(leads.receivedAt)),
  ]);
  const click = found[0];
  if (!click) return undefined;
  return {
    ...definedOnly(click),
    leads: carrying.filter((lead) => lead.publisherId === click.publisherId).map(({ publisherId: _publisherId, ...lead }) => lead),
  };
}
