/**
 * Keeping D1's PII under the current key: the leads whose PII an older key
 * sealed (their consent records and signals outlive retention) are sealed
 * again after a rotation, so the old key can be dropped; leads stored in the
 * clear before sealing existed (their consent IP is plain) are sealed. A
 * batch at a time, in id order.
 */
import type { Consent, LeadFields, ScoreSignal } from "../core/lead";
import { ENVELOPE_PREFIX, resealPii, sealedPrefix, type PiiKeyring } from "../core/piiSeal";
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
