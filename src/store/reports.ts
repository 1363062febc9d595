/**
 * The questions reports and statements ask of D1, one function each, so
 * every caller that needs a figure gets it from the same SQL. Windows are
 * half-open ([from, to)), so consecutive windows never count a row twice;
 * days and hours are UTC. Leads and their attempts fall in a window by when
 * the lead was received; money by when its ledger line was written, so a
 * return lowers the figures of the window it happened in.
 */
import type { SaleOutcomes } from "../core/reports/scorecard";
import type { AttemptCounts, LeadCounts, MoneyTotals, SummaryGroup } from "../core/reports/summary";
import type { Db } from "./db";
import type { ledgerKinds } from "./schema";

/** ISO-8601 UTC bounds, as D1 stores times (toISOString), so text order is time order. */
export interface ReportWindow {
  from: string;
  to: string;
}

type LedgerKind = (typeof ledgerKinds)[number];

/** A group's key as SQL over a lead (`l`), its lead point (`p`), its sale (`s`) or a ledger line (`e`). Fixed text, never user input. */
const dayOf = (column: string) => `substr(${column}, 1, 10)`;
const hourOf = (column: string) => `substr(${column}, 1, 13) || ':00:00Z'`;

/** Groups a lead itself belongs to; a lead's buyer groups are those its trace offered it to. */
const leadKey: Record<Exclude<SummaryGroup, "buyer" | "leadPoint">, string> = {
  publisher: "l.publisher_id",
  tree: "l.tree_id",
  day: dayOf("l.received_at"),
  hour: hourOf("l.received_at"),
};

const attemptKey: Record<SummaryGroup, string> = { ...leadKey, buyer: "p.buyer_id", leadPoint: "a.lead_point_id" };
const saleKey: Record<Exclude<SummaryGroup, "day" | "hour">, string> = { buyer: "s.buyer_id", publisher: "s.publisher_id", tree: "s.tree_id", leadPoint: "s.lead_point_id" };
const moneyKey: Record<SummaryGroup, string> = { ...saleKey, day: dayOf("e.created_at"), hour: hourOf("e.created_at") };

const SOLD = "l.status = 'accepted'";
const PENDING = "l.status IN ('pending', 'review')";
const IN_WINDOW = "l.received_at >= ?1 AND l.received_at < ?2";

async function rowsOf<T>(db: Db, query: string, ...params: unknown[]): Promise<T[]> {
  const { results } = await db.$client.prepare(query).bind(...params).all<T>();
  return results;
}

/**
 * Leads received in the window, per group. For a buyer or a lead point, its
 * leads are those it was offered (pinged or posted); sold are those it
 * bought, pending those still open; none was rejected, since a rejected
 * lead reaches no buyer.
 */
export function leadCountsBy(db: Db, window: ReportWindow, group: SummaryGroup): Promise<LeadCounts[]> {
  if (group === "buyer" || group === "leadPoint") {
    return rowsOf<LeadCounts>(
      db,
      `WITH offered AS (
         SELECT DISTINCT a.lead_id, ${attemptKey[group]} AS key FROM lead_attempts a
         JOIN lead_points p ON p.id = a.lead_point_id JOIN leads l ON l.id = a.lead_id
         WHERE a.outcome <> 'skipped' AND ${IN_WINDOW})
       SELECT o.key, count(*) AS leads, 0 AS rejected,
         coalesce(sum(EXISTS (SELECT 1 FROM sales s WHERE s.lead_id = o.lead_id AND ${saleKey[group]} = o.key)), 0) AS sold,
         coalesce(sum(${PENDING}), 0) AS pending
       FROM offered o JOIN leads l ON l.id = o.lead_id GROUP BY o.key`,
      window.from,
      window.to,
    );
  }
  return rowsOf<LeadCounts>(
    db,
    `SELECT ${leadKey[group]} AS key, count(*) AS leads, sum(l.status = 'rejected') AS rejected, sum(${SOLD}) AS sold, sum(${PENDING}) AS pending
     FROM leads l WHERE ${IN_WINDOW} GROUP BY key`,
    window.from,
    window.to,
  );
}

/**
 * Pings and posts made to the leads received in the window (skipped points
 * made none), with their response times unless `times` is false (the
 * ranking's records need the counts alone).
 */
export async function attemptCountsBy(db: Db, window: ReportWindow, group: SummaryGroup, times = true): Promise<AttemptCounts[]> {
  const rows = await rowsOf<Omit<AttemptCounts, "ms"> & { ms: string }>(
    db,
    `SELECT ${attemptKey[group]} AS key,
       sum(a.phase = 'ping') AS pings, sum(a.phase = 'ping' AND a.outcome = 'accepted') AS pingAccepts,
       sum(a.phase = 'post') AS posts, sum(a.phase = 'post' AND a.outcome = 'accepted') AS postAccepts,
       sum(a.outcome = 'timeout') AS timeouts,
       ${times ? "json_group_array(a.ms)" : "'[]'"} AS ms
     FROM lead_attempts a JOIN lead_points p ON p.id = a.lead_point_id JOIN leads l ON l.id = a.lead_id
     WHERE a.outcome <> 'skipped' AND ${IN_WINDOW} GROUP BY key`,
    window.from,
    window.to,
  );
  return rows.map((row) => ({ ...row, ms: JSON.parse(row.ms) as number[] }));
}

/**
 * What became of the sales of the leads received in the window, per lead
 * point: how many it bought, returned (whenever) and converted (a `sold`
 * conversion event).
 */
export function saleOutcomesByLeadPoint(db: Db, window: ReportWindow): Promise<SaleOutcomes[]> {
  return rowsOf<SaleOutcomes>(
    db,
    `SELECT s.lead_point_id AS key, count(*) AS sales,
       coalesce(sum(EXISTS (SELECT 1 FROM returns r WHERE r.sale_id = s.id)), 0) AS returns,
       coalesce(sum(EXISTS (SELECT 1 FROM conversions c WHERE c.sale_id = s.id AND c.event = 'sold')), 0) AS conversions
     FROM sales s JOIN leads l ON l.id = s.lead_id WHERE ${IN_WINDOW} GROUP BY key`,
    window.from,
    window.to,
  );
}

const sumOf = (kinds: LedgerKind[]) => `coalesce(sum(CASE WHEN e.kind IN (${kinds.map((kind) => `'${kind}'`).join(", ")}) THEN e.amount_cents ELSE 0 END), 0)`;

/**
 * Ledger lines written in the window, net of reversals, per group of the
 * sale they belong to. Returns counts a buyer refund line each.
 */
export function moneyBy(db: Db, window: ReportWindow, group: SummaryGroup): Promise<MoneyTotals[]> {
  return rowsOf<MoneyTotals>(
    db,
    `SELECT ${moneyKey[group]} AS key,
       ${sumOf(["buyer_charge", "buyer_refund"])} AS revenueCents,
       ${sumOf(["publisher_payout", "payout_reversal"])} AS payoutCents,
       ${sumOf(["margin", "margin_reversal"])} AS marginCents,
       coalesce(sum(e.kind = 'buyer_refund'), 0) AS returns
     FROM ledger_entries e JOIN sales s ON s.id = e.sale_id
     WHERE e.created_at >= ?1 AND e.created_at < ?2 GROUP BY key`,
    window.from,
    window.to,
  );
}

export const statementParties = ["buyer", "publisher"] as const;
export type StatementParty = (typeof statementParties)[number];

/** The lines a party's statement lists: what it is charged or paid, and their reversals. */
export const statementKinds: Record<StatementParty, readonly [LedgerKind, LedgerKind]> = {
  buyer: ["buyer_charge", "buyer_refund"],
  publisher: ["publisher_payout", "payout_reversal"],
};

export interface StatementLine {
  id: string;
  kind: LedgerKind;
  saleId: string;
  leadId: string;
  treeId: string;
  amountCents: number;
  createdAt: string;
}

/** A party's ledger lines written in the window, oldest first. */
export function statementLines(db: Db, party: StatementParty, partyId: string, window: ReportWindow): Promise<StatementLine[]> {
  const [line, reversal] = statementKinds[party];
  return rowsOf<StatementLine>(
    db,
    `SELECT e.id, e.kind, e.sale_id AS saleId, e.lead_id AS leadId, e.tree_id AS treeId, e.amount_cents AS amountCents, e.created_at AS createdAt
     FROM ledger_entries e WHERE e.party_id = ?3 AND e.kind IN (?4, ?5) AND e.created_at >= ?1 AND e.created_at < ?2
     ORDER BY e.created_at, e.id`,
    window.from,
    window.to,
    partyId,
    line,
    reversal,
  );
}
