/** Labelled leads written straight into D1, as a fit reads them: a fit needs hundreds, far too many to run through the Worker. */
import { env } from "cloudflare:workers";

export type Outcome = "kept" | "returned" | "converted" | "returnedButConverted" | "unsold";

export interface SeededLead {
  id: string;
  receivedAt: string;
  signals: string[];
  outcome: Outcome;
}

/** One statement per table, the rows passed as one JSON parameter (D1 binds at most 100 values a statement). */
export async function seedLabelledLeads(leads: SeededLead[]): Promise<void> {
  const rows = JSON.stringify(
    leads.map((lead) => ({
      ...lead,
      signals: lead.signals.map((name) => ({ name, points: -10, detail: "seeded" })),
      sold: lead.outcome !== "unsold",
      returned: lead.outcome === "returned" || lead.outcome === "returnedButConverted",
      converted: lead.outcome === "converted" || lead.outcome === "returnedButConverted",
    })),
  );
  const each = "FROM json_each(?1) j";
  const v = (key: string) => `json_extract(j.value, '$.${key}')`;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO leads (id, tree_id, tree_version, publisher_id, vertical, status, score, signals, fields, consent, received_at)
       SELECT ${v("id")}, 'tree_seeded', 1, 'pub_seeded', 'solar', CASE WHEN ${v("sold")} THEN 'accepted' ELSE 'unsold' END, 80, json(${v("signals")}), '{}', '{}', ${v("receivedAt")} ${each}`,
    ).bind(rows),
    env.DB.prepare(
      `INSERT INTO sales (id, lead_id, tree_id, lead_point_id, buyer_id, publisher_id, price_cents, payout_cents, margin_cents, sold_at)
       SELECT ${v("id")} || ':sale', ${v("id")}, 'tree_seeded', 'lp_seeded', 'buyer_seeded', 'pub_seeded', 1000, 500, 500, ${v("receivedAt")} ${each} WHERE ${v("sold")}`,
    ).bind(rows),
    env.DB.prepare(
      `INSERT INTO returns (sale_id, lead_id, buyer_id, reason, returned_at)
       SELECT ${v("id")} || ':sale', ${v("id")}, 'buyer_seeded', 'seeded', ${v("receivedAt")} ${each} WHERE ${v("returned")}`,
    ).bind(rows),
    env.DB.prepare(
      `INSERT INTO conversions (id, lead_id, sale_id, buyer_id, lead_point_id, event, at)
       SELECT ${v("id")} || ':sale:sold', ${v("id")}, ${v("id")} || ':sale', 'buyer_seeded', 'lp_seeded', 'sold', ${v("receivedAt")} ${each} WHERE ${v("converted")}`,
    ).bind(rows),
  ]);
}
