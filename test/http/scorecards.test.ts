/**
 * GET /v1/admin/scorecards and GET /v1/buyer/scorecard through the real
 * Worker: real runs with buyers that take, decline, time out and refuse
 * posts, a return and a conversion, and the scorecards' counts checked
 * against what the leads' traces show.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { percentile } from "../../src/core/reports/percentile";
import { ADMIN_TOKEN, admin, asBuyer, call, expectBuyerOnly, expectOperatorOnly, expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique, type LeadDetail } from "../support/exchange";
import { newReturningLeadPoint, returnLead } from "../support/returns";

interface Row {
  leadPointId: string;
  [figure: string]: number | string | null;
}
interface Scorecards {
  from: string;
  to: string;
  rows: Row[];
}

const from = new Date(Date.now() - 60_000).toISOString();
const window = () => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`;

/** What the traces show for one lead point: the scorecard's attempt figures, counted by hand. */
function fromTraces(leads: LeadDetail[], leadPointId: string) {
  const made = leads.flatMap((lead) => lead.trace).filter((entry) => entry.leadPointId === leadPointId && entry.outcome !== "skipped");
  const count = (phase: string, outcome?: string) => made.filter((entry) => entry.phase === phase && (outcome === undefined || entry.outcome === outcome)).length;
  const ms = made.map((entry) => Math.round(entry.ms));
  return {
    pings: count("ping"),
    pingAccepts: count("ping", "accepted"),
    posts: count("post"),
    postAccepts: count("post", "accepted"),
    timeouts: made.filter((entry) => entry.outcome === "timeout").length,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    sales: leads.filter((lead) => lead.sales.some((sale) => sale.leadPointId === leadPointId)).length,
  };
}

describe("scorecards", () => {
  const world = {
    taker: { id: "", buyerId: "", buyerKey: "" },
    refuser: { id: "", buyerId: "" },
    decliner: { id: "", buyerId: "" },
    slow: { id: "", buyerId: "" },
    leads: [] as LeadDetail[],
  };

  beforeAll(async () => {
    world.taker = await newReturningLeadPoint(unique("sc-taker"), { bid: 1000 });
    [world.refuser, world.decliner, world.slow] = await Promise.all([
      newLeadPoint(unique("sc-refuser"), { bid: 1200, post: "reject", reason: "duplicate" }),
      newLeadPoint(unique("sc-decliner"), { decline: 1 }),
      newLeadPoint(unique("sc-slow"), { bid: 5000, delay: 1500 }),
    ]);
    const treeId = await newTree([
      { leadPointId: world.taker.id },
      { leadPointId: world.refuser.id },
      { leadPointId: world.decliner.id },
      { leadPointId: world.slow.id, timeoutSeconds: 0.3 },
    ]);
    const publisher = await newPublisher();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(String(expectStatus(await submitLead(treeId, publisher.apiKey), 200).leadId));
    await Promise.all(ids.map(leadInD1));
    await returnLead(world.taker.buyerKey, ids[0] ?? "");
    expectStatus(await asBuyer(world.taker.buyerKey, "POST", `/leads/${ids[1]}/conversion`, { event: "sold", valueCents: 30_000 }), 201);
    expectStatus(await asBuyer(world.taker.buyerKey, "POST", `/leads/${ids[2]}/conversion`, { event: "contacted" }), 201);
    world.leads = await Promise.all(ids.map(leadDetail));
  });

  test("each lead point's counts are what the leads' traces show", async () => {
    const scorecards = expectStatus(await admin<Scorecards>("GET", `/scorecards?${window()}`), 200);
    for (const point of [world.taker, world.refuser, world.decliner, world.slow]) {
      const row = scorecards.rows.find((r) => r.leadPointId === point.id);
      expect(row, JSON.stringify(scorecards)).toMatchObject(fromTraces(world.leads, point.id));
    }
    expect(scorecards.from).toBe(from);
  });

  test("the rates: accepts, refusals, declines, timeouts, the return and the conversion", async () => {
    const scorecards = expectStatus(await admin<Scorecards>("GET", `/scorecards?${window()}`), 200);
    const rowOf = (id: string) => scorecards.rows.find((r) => r.leadPointId === id);
    expect(rowOf(world.taker.id)).toMatchObject({ pings: 3, pingAcceptRate: 1, posts: 3, postAcceptRate: 1, timeoutRate: 0, sales: 3, returns: 1, returnRate: 0.3333, conversions: 1, conversionRate: 0.3333 });
    expect(rowOf(world.refuser.id)).toMatchObject({ pings: 3, pingAcceptRate: 1, posts: 3, postAccepts: 0, postAcceptRate: 0, sales: 0, returnRate: 0 });
    expect(rowOf(world.decliner.id)).toMatchObject({ pings: 3, pingAccepts: 0, pingAcceptRate: 0, posts: 0 });
    expect(rowOf(world.slow.id)).toMatchObject({ pings: 3, timeouts: 3, timeoutRate: 1, posts: 0 });
  });

  test("leadPointId keeps one row; CSV has the same figures", async () => {
    const one = expectStatus(await admin<Scorecards>("GET", `/scorecards?${window()}&leadPointId=${world.taker.id}`), 200);
    expect(one.rows.map((row) => row.leadPointId)).toEqual([world.taker.id]);
    const csv = await call(`/v1/admin/scorecards?${window()}&leadPointId=${world.taker.id}&format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const [header, line] = String(csv.body).split("\r\n");
    expect(header).toBe("leadPointId,pings,pingAccepts,pingAcceptRate,posts,postAccepts,postAcceptRate,timeouts,timeoutRate,p50Ms,p95Ms,sales,returns,returnRate,conversions,conversionRate");
    const row = one.rows[0];
    expect(line?.split(",")).toEqual(header?.split(",").map((column) => String(row?.[column] ?? "")));
  });

  test("a buyer sees its own lead points' scorecards, with the operator's figures, and no one else's", async () => {
    const own = expectStatus(await asBuyer<Scorecards>(world.taker.buyerKey, "GET", `/scorecard?${window()}`), 200);
    const operator = expectStatus(await admin<Scorecards>("GET", `/scorecards?${window()}&leadPointId=${world.taker.id}`), 200);
    expect(own.rows).toEqual(operator.rows);
    const other = await newReturningLeadPoint(unique("sc-other"), { bid: 100 });
    expect(expectStatus(await asBuyer<Scorecards>(other.buyerKey, "GET", `/scorecard?${window()}`), 200).rows).toEqual([]);
  });

  test.each([
    ["from after to", `from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`],
    ["a from that is no time", `from=yesterday`],
    ["an unknown format", `format=xml`],
  ])("400 for %s", async (_name, query) => {
    expect(expectStatus(await admin("GET", `/scorecards?${query}`), 400)).toMatchObject({ error: { code: "validation_failed" } });
    expect(expectStatus(await asBuyer(world.taker.buyerKey, "GET", `/scorecard?${query}`), 400)).toMatchObject({ error: { code: "validation_failed" } });
  });

  test("only the operator, and only a buyer, may read them", async () => {
    await expectOperatorOnly("GET", "/scorecards");
    await expectBuyerOnly("GET", "/scorecard");
  });
});
