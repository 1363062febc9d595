/**
 * Keeping D1's PII under the current key: the leads whose PII an older key
 * sealed (their consent records and signals outlive retention) are sealed
 * again after a rotation, so the old key can be dropped; leads stored in the
 * clear before sealing existed (their consent IP is plain) are sealed. A
 * batch at a time, in id order. What buyers answered to posts (sealPostAnswer)
 * is brought to the current key the same way (resealBuyerAnswers).
 */
import type { Consent, LeadFields, ScoreSignal } from "../core/lead";
import { ENVELOPE_PREFIX, openText, resealPii, sealedPrefix, sealValue, type PiiKeyring } from "../core/piiSeal";
import type { Db } from "./db";
import { treePiiNames } from "./retention";

const BATCH = 100;

interface StoredPii {
  id: string;
  fields: string;
  consent: string;
  signals: string;
  /** JSON array: the fields any version of the lead's tree marks pii. */
  pii_names: string;
}

/** Re-seals up to `limit` leads; returns how many it re-sealed (fewer than `limit`: none is left). */
export async function resealLeads(db: Db, keys: PiiKeyring, limit: number): Promise<number> {
  const patterns = [...keys.keys.keys()].filter((id) => id !== keys.current).map((id) => `%${sealedPrefix(id)}%`);
  const older = patterns.map(() => " OR fields LIKE ? OR consent LIKE ? OR signals LIKE ?").join("");
  let done = 0;
  let after = "";
  while (done < limit) {
    const { results } = await db.$client
      .prepare(
        `WITH ${treePiiNames}
         SELECT id, fields, consent, signals, (SELECT json_group_array(name) FROM tree_pii WHERE tree_pii.tree_id = leads.tree_id) AS pii_names
         FROM leads WHERE id > ? AND (consent ->> '$.ip' NOT LIKE '${ENVELOPE_PREFIX}%'${older}) ORDER BY id LIMIT ?`,
      )
      .bind(after, ...patterns.flatMap((pattern) => [pattern, pattern, pattern]), Math.min(BATCH, limit - done))
      .all<StoredPii>();
    const last = results.at(-1);
    if (!last) break;
    after = last.id;
    const updates = await Promise.all(
      results.map(async (row) => {
        const specs = (JSON.parse(row.pii_names) as string[]).map((name) => ({ name, pii: true }));
        const stored = { fields: JSON.parse(row.fields) as LeadFields, consent: JSON.parse(row.consent) as Consent, signals: JSON.parse(row.signals) as ScoreSignal[] };
        const pii = await resealPii(keys, stored, specs);
        return db.$client
          .prepare("UPDATE leads SET fields = ?, consent = ?, signals = ? WHERE id = ?")
          .bind(JSON.stringify(pii.fields), JSON.stringify(pii.consent), JSON.stringify(pii.signals), row.id);
      }),
    );
    await db.$client.batch(updates);
    done += results.length;
  }
  return done;
}

/** Where buyers' words about a lead rest sealed: the redirect URLs of leads and sales, the reasons in traces (sealPostAnswer) and of returns. */
const BUYER_ANSWERS = [
  { table: "leads", column: "redirect_url" },
  { table: "sales", column: "redirect_url" },
  { table: "lead_attempts", column: "reason" },
  { table: "returns", column: "reason" },
] as const;

/** Seals again, under the current key, up to `limit` buyer answers an older key sealed; returns how many. */
export async function resealBuyerAnswers(db: Db, keys: PiiKeyring, limit: number): Promise<number> {
  const older = [...keys.keys.keys()].filter((id) => id !== keys.current).map(sealedPrefix);
  if (older.length === 0) return 0;
  let done = 0;
  for (const { table, column } of BUYER_ANSWERS) {
    // Compared exactly, not by LIKE: a key id may hold "_", which LIKE reads as any character.
    const due = older.map((prefix) => `substr(${column}, 1, ${prefix.length}) = ?`).join(" OR ");
    // Each row sealed again leaves the selection, so every batch reads from the start.
    while (done < limit) {
      const { results } = await db.$client
        .prepare(`SELECT rowid AS row, ${column} AS value FROM ${table} WHERE ${due} LIMIT ?`)
        .bind(...older, Math.min(BATCH, limit - done))
        .all<{ row: number; value: string }>();
      if (results.length === 0) break;
      const updates = await Promise.all(
        results.map(async ({ row, value }) => db.$client.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`).bind(await sealValue(keys, await openText(keys, value)), row)),
      );
      await db.$client.batch(updates);
      done += results.length;
    }
  }
  return done;
}
