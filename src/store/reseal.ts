/**
 * A key rotation's catch-up: the PII of leads in D1 that an older key sealed
 * (their consent records and signals outlive retention) is sealed again under
 * the current key, a batch at a time, so the old key can be dropped.
 */
import { resealPii, sealedPrefix, type PiiKeyring } from "../core/piiSeal";
import type { Consent, LeadFields, ScoreSignal } from "../core/lead";
import type { Db } from "./db";

const BATCH = 100;

interface StoredPii {
  id: string;
  fields: string;
  consent: string;
  signals: string;
}

/** Re-seals up to `limit` leads; returns how many it re-sealed (fewer than `limit`: none is left). */
export async function resealLeads(db: Db, keys: PiiKeyring, limit: number): Promise<number> {
  const patterns = [...keys.keys.keys()].filter((id) => id !== keys.current).map((id) => `%${sealedPrefix(id)}%`);
  if (patterns.length === 0) return 0;
  const older = patterns.map(() => "fields LIKE ? OR consent LIKE ? OR signals LIKE ?").join(" OR ");
  let done = 0;
  // In id order from where the last batch ended, so no batch scans again what an earlier one passed.
  let after = "";
  while (done < limit) {
    const { results } = await db.$client
      .prepare(`SELECT id, fields, consent, signals FROM leads WHERE id > ? AND (${older}) ORDER BY id LIMIT ?`)
      .bind(after, ...patterns.flatMap((pattern) => [pattern, pattern, pattern]), Math.min(BATCH, limit - done))
      .all<StoredPii>();
    const last = results.at(-1);
    if (!last) break;
    after = last.id;
    const updates = await Promise.all(
      results.map(async (row) => {
        const pii = await resealPii(keys, { fields: JSON.parse(row.fields) as LeadFields, consent: JSON.parse(row.consent) as Consent, signals: JSON.parse(row.signals) as ScoreSignal[] });
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
