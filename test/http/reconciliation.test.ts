/**
 * One source for every number (issue 17): a few hundred leads through the
 * real Worker — several buyers, declines, a post refusal, publishers paid
 * by revshare and fixed, leads under the score floor, and returns — then the
 * ledger summed by plain SQL, and every report and statement held to it to
 * the cent.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, test } from "vitest";
import { admin, expectStatus, leadDetail, leadInD1, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";
import { newReturningLeadPoint, returnLead } from "../support/returns";

const LEADS = 200;
const CONCURRENCY = 8;

interface Row {
  key: string;
  [figure: string]: number | string | null;
}

/** Figures by key, zeros left out, so a group one side lists at 0 and the other omits compares equal. */
type Figures = Record<string, number>;

function nonZero(entries: [string, number][]): Figures {
  return Object.fromEntries(entries.filter(([, value]) => value !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const started = new Date(Date.now() - 60_000).toISOString();
let ended = "";
const windowQuery = () => `from=${encodeURIComponent(started)}&to=${encodeURIComponent(ended)}`;

/** The ledger summed by hand: `key` is a SQL expression over ledger_entries, `kinds` the lines that count. */
async function ledgerSum(key: string, kinds: string[], figure: "sum(amount_cents)" | "count(*)" = "sum(amount_cents)"): Promise<Figures> {
  const { results } = await env.DB.prepare(
    `SELECT ${key} AS key, ${figure} AS value FROM ledger_entries
     WHERE kind IN (${kinds.map(() => "?").join(", ")}) AND created_at >= ? AND created_at < ? GROUP BY key`,
  )
    .bind(...kinds, started, ended)
    .all<{ key: string; value: number }>();
  return nonZero(results.map((row) => [row.key, row.value]));
}

async function summary(groupBy: string): Promise<{ rows: Row[]; totals: Row }> {
  return expectStatus(await admin<{ rows: Row[]; totals: Row }>("GET", `/reports/summary?groupBy=${groupBy}&${windowQuery()}`), 200);
}

const REVENUE = ["buyer_charge", "buyer_refund"];
const PAYOUT = ["publisher_payout", "payout_reversal"];
const MARGIN = ["margin", "margin_reversal"];

describe("reconciliation of every report with the ledger", () => {
  const buyers: string[] = [];
  const publishers: string[] = [];
  let returns = 0;
  let sold = 0;

  beforeAll(async () => {
    const points = await Promise.all([
      newReturningLeadPoint(unique("rec-a"), { bid: 1200 }),
      // Bids highest and refuses every post: the lead falls to the next bid.
      newReturningLeadPoint(unique("rec-b"), { bid: 1500, post: "reject" }),
      newReturningLeadPoint(unique("rec-c"), { decline: 1 }),
      // Declines its first 40 pings, so the second tree leaves leads unsold.
      newReturningLeadPoint(unique("rec-d"), { bid: 777, declineFirst: 40 }),
      newReturningLeadPoint(unique("rec-e"), { bid: 333 }, { filters: [{ field: "zip", op: "eq", value: "90210" }] }),
    ]);
    buyers.push(...points.map((point) => point.buyerId));
    const positions = (...indexes: number[]) => indexes.map((i) => ({ leadPointId: points[i]?.id }));
    const trees = [await newTree(positions(0, 1, 2), { scoreFloor: 90 }), await newTree(positions(3, 2, 4), { scoreFloor: 90 })];
    const pubs = await Promise.all([newPublisher({ type: "revshare", percent: 50 }), newPublisher({ type: "revshare", percent: 33 }), newPublisher({ type: "fixed", amountCents: 250 })]);
    publishers.push(...pubs.map((publisher) => publisher.id));

    const leadIds: string[] = [];
    for (let first = 0; first < LEADS; first += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, LEADS - first) }, async (_, offset) => {
        const i = first + offset;
        const publisher = pubs[i % pubs.length];
        const treeId = trees[i % trees.length] ?? "";
        // Every ninth lead is under the trees' score floor; every fifth is in Beverly Hills, where e buys too.
        const lead = validLead({ ...(i % 9 === 0 ? { email: "jc@example.com" } : {}), ...(i % 5 === 0 ? { zip: "90210" } : {}) });
        const answer = expectStatus(await submitLead(treeId, publisher?.apiKey ?? "", lead), 200);
        return String(answer.leadId);
      });
      leadIds.push(...(await Promise.all(batch)));
    }
    await Promise.all(leadIds.map(leadInD1));
    const details = await Promise.all(leadIds.map(leadDetail));
    const buyerKeys = new Map(points.map((point) => [point.buyerId, point.buyerKey]));
    const sales = details.flatMap((lead) => lead.sales.map((sale) => ({ leadId: lead.id, buyerKey: buyerKeys.get(sale.buyerId) ?? "" })));
    sold = details.filter((lead) => lead.sales.length > 0).length;
    // Every sixth sale is returned.
    const returned = sales.filter((_, i) => i % 6 === 0);
    await Promise.all(returned.map((sale) => returnLead(sale.buyerKey, sale.leadId)));
    returns = returned.length;
    ended = new Date(Date.now() + 1000).toISOString();
  }, 120_000);

  test("the exchange sold some leads, left some unsold, rejected some, and took returns", async () => {
    const totals = (await summary("tree")).totals;
    expect(totals, JSON.stringify(totals)).toMatchObject({ leads: LEADS, sold, returns });
    expect(Number(totals.rejected)).toBeGreaterThan(0);
    expect(Number(totals.unsold)).toBeGreaterThan(0);
    expect(returns).toBeGreaterThan(0);
    expect(Number(totals.revenueCents)).toBeGreaterThan(0);
  });

  test("by buyer: revenue and returns are each buyer's ledger lines", async () => {
    const { rows, totals } = await summary("buyer");
    expect(nonZero(rows.map((row) => [row.key, Number(row.revenueCents)]))).toEqual(await ledgerSum("party_id", REVENUE));
    expect(nonZero(rows.map((row) => [row.key, Number(row.returns)]))).toEqual(await ledgerSum("party_id", ["buyer_refund"], "count(*)"));
    expect(Object.keys(nonZero(rows.map((row) => [row.key, Number(row.revenueCents)]))).every((key) => buyers.includes(key))).toBe(true);
    expect(totals.payoutCents).toBe(Object.values(await ledgerSum("'all'", PAYOUT)).reduce((sum, value) => sum + value, 0));
  });

  test("by publisher: payouts are each publisher's ledger lines", async () => {
    const { rows } = await summary("publisher");
    expect(nonZero(rows.map((row) => [row.key, Number(row.payoutCents)]))).toEqual(await ledgerSum("party_id", PAYOUT));
    expect(rows.map((row) => row.key).sort()).toEqual([...publishers].sort());
  });

  test.each([
    { groupBy: "tree", key: "tree_id" },
    { groupBy: "day", key: "substr(created_at, 1, 10)" },
  ])("by $groupBy: revenue, payout and margin are the ledger's, and revenue is payout plus margin", async ({ groupBy, key }) => {
    const { rows } = await summary(groupBy);
    expect(nonZero(rows.map((row) => [row.key, Number(row.revenueCents)]))).toEqual(await ledgerSum(key, REVENUE));
    expect(nonZero(rows.map((row) => [row.key, Number(row.payoutCents)]))).toEqual(await ledgerSum(key, PAYOUT));
    expect(nonZero(rows.map((row) => [row.key, Number(row.marginCents)]))).toEqual(await ledgerSum(key, MARGIN));
    for (const row of rows) expect(row.revenueCents, JSON.stringify(row)).toBe(Number(row.payoutCents) + Number(row.marginCents));
  });

  test("every grouping has the same money totals, the ledger's", async () => {
    const ledger = await Promise.all([REVENUE, PAYOUT, MARGIN].map(async (kinds) => (await ledgerSum("'all'", kinds)).all ?? 0));
    for (const groupBy of ["buyer", "publisher", "tree", "leadPoint", "day", "hour"]) {
      const { totals } = await summary(groupBy);
      expect([totals.revenueCents, totals.payoutCents, totals.marginCents], groupBy).toEqual(ledger);
    }
  });

  test("every party's statement nets to its ledger lines and to its summary row", async () => {
    const [byBuyer, byPublisher] = await Promise.all([summary("buyer"), summary("publisher")]);
    const [buyerLedger, publisherLedger] = await Promise.all([ledgerSum("party_id", REVENUE), ledgerSum("party_id", PAYOUT)]);
    const parties = [
      ...buyers.map((id) => ({ party: "buyer", id, ledger: buyerLedger[id] ?? 0, row: byBuyer.rows.find((row) => row.key === id)?.revenueCents ?? 0 })),
      ...publishers.map((id) => ({ party: "publisher", id, ledger: publisherLedger[id] ?? 0, row: byPublisher.rows.find((row) => row.key === id)?.payoutCents ?? 0 })),
    ];
    for (const { party, id, ledger, row } of parties) {
      const statement = expectStatus(await admin<{ lines: { amountCents: number }[]; totals: { netCents: number } }>("GET", `/statements?party=${party}&id=${id}&${windowQuery()}`), 200);
      expect(statement.totals.netCents, `${party} ${id}`).toBe(ledger);
      expect(statement.totals.netCents, `${party} ${id}`).toBe(row);
      expect(statement.lines.reduce((sum, line) => sum + line.amountCents, 0)).toBe(ledger);
    }
  });
});
