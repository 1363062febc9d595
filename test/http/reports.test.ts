/**
 * GET /v1/admin/reports/summary and GET /v1/admin/statements through the
 * real Worker: a small exchange of two buyers and two publishers, one return,
 * read back by every grouping, in JSON and CSV, with the errors and the 401s.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { admin, call, ADMIN_TOKEN, expectOperatorOnly, expectStatus, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";
import { newReturningLeadPoint, returnLead } from "../support/returns";

interface Row {
  key: string;
  [figure: string]: number | string | null;
}
interface Summary {
  groupBy: string;
  from: string;
  to: string;
  rows: Row[];
  totals: Row;
}
interface Statement {
  lines: { kind: string; amountCents: number; leadId: string }[];
  totals: { lines: number; grossCents: number; reversedCents: number; netCents: number };
}

function csv(path: string) {
  return call(`/v1/admin${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

const from = new Date(Date.now() - 60_000).toISOString();
const window = () => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;

describe("reports and statements", () => {
  const world = { treeId: "", high: { id: "", buyerId: "", buyerKey: "" }, declining: { id: "", buyerId: "" }, first: { id: "", apiKey: "" }, second: { id: "", apiKey: "" } };

  beforeAll(async () => {
    world.high = await newReturningLeadPoint(unique("rep-high"), { bid: 1000 });
    world.declining = await newLeadPoint(unique("rep-decline"), { decline: 1 });
    world.treeId = await newTree([{ leadPointId: world.high.id }, { leadPointId: world.declining.id }], { scoreFloor: 90 });
    world.first = await newPublisher({ type: "revshare", percent: 50 });
    world.second = await newPublisher({ type: "fixed", amountCents: 300 });
    const submitted: string[] = [];
    for (const [publisher, lead] of [
      [world.first, validLead()],
      [world.first, validLead()],
      [world.second, validLead()],
      // Under the tree's score floor: rejected before any buyer.
      [world.second, validLead({ email: "jc@example.com" })],
    ] as const) {
      submitted.push(String(expectStatus(await submitLead(world.treeId, publisher.apiKey, lead), 200).leadId));
    }
    await Promise.all(submitted.map(leadInD1));
    await returnLead(world.high.buyerKey, submitted[0] ?? "");
  });

  test("by publisher: counts by status, money net of the return, attempts and percentiles", async () => {
    const summary = expectStatus(await admin<Summary>("GET", `/reports/summary?groupBy=publisher&${window()}`), 200);
    const rowOf = (key: string) => summary.rows.find((row) => row.key === key);
    expect(rowOf(world.first.id), JSON.stringify(summary)).toMatchObject({ leads: 2, rejected: 0, sold: 2, unsold: 0, pending: 0, revenueCents: 1000, payoutCents: 500, marginCents: 500, returns: 1, pings: 4, pingAccepts: 2, posts: 2, postAccepts: 2, acceptanceRate: 1, postToPingRatio: 0.5 });
    expect(rowOf(world.second.id), JSON.stringify(summary)).toMatchObject({ leads: 2, rejected: 1, sold: 1, unsold: 0, revenueCents: 1000, payoutCents: 300, marginCents: 700, returns: 0, acceptanceRate: 0.5 });
    expect(typeof rowOf(world.first.id)?.p50Ms).toBe("number");
    expect(summary.from).toBe(from);
  });

  test("by buyer: a lead point's buyer counts the leads offered to it, and what it bought", async () => {
    const summary = expectStatus(await admin<Summary>("GET", `/reports/summary?groupBy=buyer&${window()}`), 200);
    const rowOf = (key: string) => summary.rows.find((row) => row.key === key);
    expect(rowOf(world.high.buyerId), JSON.stringify(summary)).toMatchObject({ leads: 3, sold: 3, revenueCents: 2000, returns: 1, pings: 3, posts: 3 });
    expect(rowOf(world.declining.buyerId), JSON.stringify(summary)).toMatchObject({ leads: 3, sold: 0, unsold: 3, revenueCents: 0, pings: 3, pingAccepts: 0, posts: 0, p50Ms: expect.any(Number) });
  });

  test.each(["tree", "leadPoint", "day", "hour"])("by %s the rows add up to the totals", async (groupBy) => {
    const summary = expectStatus(await admin<Summary>("GET", `/reports/summary?groupBy=${groupBy}&${window()}`), 200);
    for (const figure of ["leads", "sold", "revenueCents", "payoutCents", "marginCents", "returns", "pings"]) {
      expect(summary.rows.reduce((sum, row) => sum + Number(row[figure]), 0), figure).toBe(summary.totals[figure]);
    }
    expect(summary.totals.key).toBe("total");
  });

  test("keys a day as its UTC date and an hour as its UTC hour", async () => {
    const [days, hours] = await Promise.all(["day", "hour"].map(async (groupBy) => expectStatus(await admin<Summary>("GET", `/reports/summary?groupBy=${groupBy}&${window()}`), 200)));
    expect(days?.rows.map((row) => row.key).every((key) => /^\d{4}-\d{2}-\d{2}$/.test(key))).toBe(true);
    expect(hours?.rows.map((row) => row.key).every((key) => /^\d{4}-\d{2}-\d{2}T\d{2}:00:00Z$/.test(key))).toBe(true);
  });

  test("defaults to the last 30 days", async () => {
    const summary = expectStatus(await admin<Summary>("GET", "/reports/summary?groupBy=tree"), 200);
    expect(Date.parse(summary.to) - Date.parse(summary.from)).toBe(30 * 86_400_000);
    expect(summary.rows.find((row) => row.key === world.treeId)).toMatchObject({ leads: 4 });
  });

  test("answers CSV: a header row and one row per group", async () => {
    const response = await csv(`/reports/summary?groupBy=publisher&format=csv&${window()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = String(response.body).split("\r\n");
    expect(lines[0]).toBe("key,leads,rejected,sold,unsold,pending,revenueCents,payoutCents,marginCents,pings,pingAccepts,posts,postAccepts,returns,acceptanceRate,postToPingRatio,p50Ms,p95Ms");
    expect(lines.find((line) => line.startsWith(`${world.first.id},`))).toMatch(new RegExp(`^${world.first.id},2,0,2,0,0,1000,500,500,4,2,2,2,1,1,0.5,\\d+,\\d+$`));
    expect(lines.at(-1)).toBe("");
  });

  test("a buyer's statement lists its charges and refund, and its net is the buyer's revenue", async () => {
    const statement = expectStatus(await admin<Statement>("GET", `/statements?party=buyer&id=${world.high.buyerId}&${window()}`), 200);
    expect(statement.lines.map((line) => line.kind).sort()).toEqual(["buyer_charge", "buyer_charge", "buyer_charge", "buyer_refund"]);
    expect(statement.totals).toEqual({ lines: 4, grossCents: 3000, reversedCents: -1000, netCents: 2000 });
  });

  test("a publisher's statement lists its payouts and their reversal", async () => {
    const statement = expectStatus(await admin<Statement>("GET", `/statements?party=publisher&id=${world.first.id}&${window()}`), 200);
    expect(statement.lines.map((line) => [line.kind, line.amountCents])).toEqual([
      ["publisher_payout", 500],
      ["publisher_payout", 500],
      ["payout_reversal", -500],
    ]);
    expect(statement.totals.netCents).toBe(500);
  });

  test("a statement answers CSV with one row per line", async () => {
    const response = await csv(`/statements?party=publisher&id=${world.second.id}&format=csv&${window()}`);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = String(response.body).trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,kind,saleId,leadId,treeId,amountCents,createdAt");
    expect(lines.slice(1).map((line) => line.split(",")[5])).toEqual(["300"]);
  });

  test("a party with no lines in the window has an empty statement", async () => {
    const statement = expectStatus(await admin<Statement>("GET", `/statements?party=buyer&id=${world.declining.buyerId}`), 200);
    expect(statement).toMatchObject({ lines: [], totals: { lines: 0, netCents: 0 } });
  });

  test.each([
    { name: "a missing groupBy", path: "/reports/summary", field: "groupBy" },
    { name: "an unknown groupBy", path: "/reports/summary?groupBy=weekday", field: "groupBy" },
    { name: "a from that is not a time", path: "/reports/summary?groupBy=day&from=yesterday", field: "from" },
    { name: "a window that ends before it starts", path: "/reports/summary?groupBy=day&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", field: "from" },
    { name: "an unknown format", path: "/reports/summary?groupBy=day&format=xlsx", field: "format" },
    { name: "an unknown party", path: "/statements?party=exchange&id=x", field: "party" },
    { name: "a statement without an id", path: "/statements?party=buyer", field: "id" },
    { name: "a statement's backwards window", path: "/statements?party=buyer&id=x&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", field: "from" },
  ])("refuses $name with 400 naming the field", async ({ path, field }) => {
    const body = expectStatus(await admin<{ error: { code: string; fields: { path: string }[] } }>("GET", path), 400);
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.fields.map((f) => f.path), JSON.stringify(body)).toContain(field);
  });

  test.each(["buyer", "publisher"])("a statement of a %s that does not exist is 404", async (party) => {
    expect(expectStatus(await admin<{ error: { code: string } }>("GET", `/statements?party=${party}&id=nobody`), 404).error.code).toBe("not_found");
  });

  test.each(["/reports/summary?groupBy=day", "/statements?party=buyer&id=x"])("GET %s is the operator's only", async (path) => {
    await expectOperatorOnly("GET", path);
  });
});
