/**
 * PII retention: a lead's personal fields (the standard ones and those its
 * tree marks `pii: true` in any of its versions) are removed once it is older
 * than the retention period, sealed or not, and so are its buyers' words
 * that may quote the consumer (the sealed redirect URLs, refusal reasons and
 * return reasons). The lead, its trace, its sales, the ledger and
 * its consent record (the proof a buyer may be asked for, sealed at rest) stay.
 */
import { sql } from "drizzle-orm";
import { piiFields } from "../core/pii";
import { ENVELOPE_PREFIX } from "../core/piiSeal";
import type { Db } from "./db";

const standard = JSON.stringify(piiFields);

/** A CTE `tree_pii(tree_id, name)`: every field any version of a tree marks pii, materialized once per statement. */
export const treePiiNames = `tree_pii(tree_id, name) AS MATERIALIZED (
  SELECT v.tree_id, f.value ->> '$.name' FROM ping_tree_versions v, json_each(v.document, '$.fields') f WHERE f.value ->> '$.pii' = 1
)`;

/** Redacts every lead received before `cutoffIso`; returns how many it changed. */
export async function redactExpiredPii(db: Db, cutoffIso: string): Promise<number> {
  // The personal fields a lead row holds: a standard name, or one its tree ever declared pii.
  const personal = sql.raw(`(SELECT f.key FROM json_each(leads.fields) f
     WHERE f.key IN (SELECT value FROM json_each('${standard}'))
        OR f.key IN (SELECT name FROM tree_pii WHERE tree_pii.tree_id = leads.tree_id))`);
  const result = await db.run(sql`
    WITH ${sql.raw(treePiiNames)}
    UPDATE leads SET fields = json_patch(fields, (SELECT json_group_object(key, NULL) FROM ${personal}))
    WHERE received_at < ${cutoffIso} AND EXISTS ${personal}`);
  const expired = "SELECT id FROM leads WHERE received_at < ?1";
  await db.$client.batch(
    [
      "UPDATE leads SET redirect_url = NULL WHERE received_at < ?1 AND redirect_url LIKE ?2",
      `UPDATE sales SET redirect_url = NULL WHERE redirect_url LIKE ?2 AND lead_id IN (${expired})`,
      `UPDATE lead_attempts SET reason = NULL WHERE reason LIKE ?2 AND lead_id IN (${expired})`,
      // A return keeps its row (refunds and reports count it); only the buyer's words go.
      `UPDATE returns SET reason = '' WHERE reason LIKE ?2 AND lead_id IN (${expired})`,
    ].map((statement) => db.$client.prepare(statement).bind(cutoffIso, `${ENVELOPE_PREFIX}%`)),
  );
  return result.meta.changes ?? 0;
}
