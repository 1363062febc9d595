import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { accepted, bid, point, position, rejected, run, tier, tree } from "./testing/fixtures";
import { PRIOR_WEIGHT, byPrice, rankByExpectedValue, rankFigures, smoothedRate, treeRates, type PointRecord } from "./ranking";

const record = (posts: number, postAccepts: number, sales = postAccepts, returns = 0): PointRecord => ({ posts, postAccepts, sales, returns });
const bidOf = (id: string, priceCents: number, answeredMs = 10, index = 0) => ({ point: { id }, priceCents, answeredMs, index });

describe("smoothedRate", () => {
  test.each([
    { name: "no trials: the prior", successes: 0, trials: 0, prior: 0.8, rate: 0.8 },
    { name: "a few refusals move a new point a little", successes: 0, trials: 2, prior: 0.8, rate: (0 + PRIOR_WEIGHT * 0.8) / (2 + PRIOR_WEIGHT) },
    { name: "a long record outweighs the prior", successes: 500, trials: 1000, prior: 0.9, rate: (500 + PRIOR_WEIGHT * 0.9) / (1000 + PRIOR_WEIGHT) },
  ])("$name", ({ successes, trials, prior, rate }) => {
    expect(smoothedRate(successes, trials, prior)).toBeCloseTo(rate, 10);
  });

  test("stays between the point's own rate and the prior", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, prior) => {
        const trials = Math.max(a, b);
        const successes = Math.min(a, b);
        const rate = smoothedRate(successes, trials, prior);
        const own = trials === 0 ? prior : successes / trials;
        expect(rate).toBeGreaterThanOrEqual(Math.min(own, prior) - 1e-12);
        expect(rate).toBeLessThanOrEqual(Math.max(own, prior) + 1e-12);
      }),
    );
  });
});

describe("treeRates", () => {
  test("pools the records of the tree's points, each point once", () => {
    const records = new Map([
      ["a", record(10, 5, 5, 1)],
      ["b", record(30, 27, 27, 0)],
      ["other-tree", record(100, 0, 0, 0)],
    ]);
    expect(treeRates(["a", "b", "a"], records)).toEqual({ postAcceptRate: 32 / 40, returnRate: 1 / 32 });
  });

  test("with no record at all, every post is taken and nothing returned: ranking starts as price ranking", () => {
    expect(treeRates(["a"], new Map())).toEqual({ postAcceptRate: 1, returnRate: 0 });
  });
});

describe("rankByExpectedValue", () => {
  const tree = { postAcceptRate: 0.75, returnRate: 0.05 };

  test("a high bidder that refuses half its posts loses to a slightly lower bidder that takes them", () => {
    const records = new Map([
      ["high", record(200, 100, 100, 5)],
      ["good", record(200, 190, 190, 5)],
    ]);
    const ranked = rankByExpectedValue([bidOf("high", 1200, 10, 0), bidOf("good", 1000, 10, 1)], records, tree);
    expect(ranked.map(({ bid }) => bid.point.id)).toEqual(["good", "high"]);
    expect(ranked[0]?.figures).toEqual(rankFigures(1000, records.get("good"), tree).figures);
    expect(ranked[1]?.figures).toMatchObject({ posts: 200, postAccepts: 100, sales: 100, returns: 5 });
  });

  test("shows the figures it ranked by: sample sizes, smoothed rates and the expected value", () => {
    const [first] = rankByExpectedValue([bidOf("a", 1000)], new Map([["a", record(20, 10, 10, 2)]]), tree);
    const postAcceptRate = (10 + PRIOR_WEIGHT * 0.75) / (20 + PRIOR_WEIGHT);
    const returnRate = (2 + PRIOR_WEIGHT * 0.05) / (10 + PRIOR_WEIGHT);
    expect(first?.figures).toEqual({
      posts: 20,
      postAccepts: 10,
      sales: 10,
      returns: 2,
      postAcceptRate: Math.round(postAcceptRate * 10_000) / 10_000,
      returnRate: Math.round(returnRate * 10_000) / 10_000,
      expectedValueCents: Math.round(1000 * postAcceptRate * (1 - returnRate) * 100) / 100,
    });
  });

  test("a point with no record ranks at the tree's average, not at zero", () => {
    const [only] = rankByExpectedValue([bidOf("new", 1000)], new Map(), tree);
    expect(only?.figures).toMatchObject({ posts: 0, sales: 0, postAcceptRate: 0.75, returnRate: 0.05, expectedValueCents: 712.5 });
  });

  const bids = fc.uniqueArray(fc.record({ id: fc.constantFrom("a", "b", "c", "d", "e"), priceCents: fc.integer({ min: 1, max: 5000 }), answeredMs: fc.nat(500) }), {
    selector: (b) => b.id,
    maxLength: 5,
  });

  test("with no records it orders exactly as price ranking does", () => {
    fc.assert(
      fc.property(bids, (drawn) => {
        const offers = drawn.map((b, index) => bidOf(b.id, b.priceCents, b.answeredMs, index));
        const ranked = rankByExpectedValue(offers, new Map(), treeRates([], new Map())).map(({ bid }) => bid);
        expect(ranked).toEqual([...offers].sort(byPrice));
      }),
    );
  });

  test("is deterministic and never orders a lower expected value first, whatever the input order", () => {
    const records = fc.dictionary(
      fc.constantFrom("a", "b", "c", "d", "e"),
      fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300)).map(([x, y, z]) => {
        const posts = Math.max(x, y);
        const postAccepts = Math.min(x, y);
        return record(posts, postAccepts, postAccepts, Math.min(z, postAccepts));
      }),
    );
    fc.assert(
      fc.property(bids, records, (drawn, byId) => {
        const offers = drawn.map((b, index) => bidOf(b.id, b.priceCents, b.answeredMs, index));
        const map = new Map(Object.entries(byId));
        const rates = treeRates(Object.keys(byId), map);
        const ranked = rankByExpectedValue(offers, map, rates);
        expect(rankByExpectedValue([...offers].reverse(), map, rates)).toEqual(ranked);
        for (let i = 1; i < ranked.length; i++) {
          expect(ranked[i - 1]?.figures.expectedValueCents ?? 0).toBeGreaterThanOrEqual(ranked[i]?.figures.expectedValueCents ?? 0);
        }
      }),
    );
  });
});

describe("an auction tier with rank expected_value", () => {
  const records = new Map([
    ["high", record(40, 12, 12, 1)],
    ["good", record(40, 38, 38, 1)],
  ]);
  const evTree = (rank: "price" | "expected_value") => tree([tier("auction", [position("high"), position("good")], { rank })]);
  const scripts = { pings: { high: bid(1100), good: bid(1000) }, posts: { high: rejected(), good: accepted() } };

  test("posts the better expected value first and shows the figures on each bid's ping", async () => {
    const { outcome, io } = await run(evTree("expected_value"), [point("high"), point("good")], scripts, undefined, { records });
    expect(io.posted()).toEqual(["good"]);
    expect(outcome.sales.map((sale) => [sale.leadPointId, sale.priceCents])).toEqual([["good", 1000]]);
    const pings = outcome.trace.filter((entry) => entry.phase === "ping");
    const rates = treeRates(["high", "good"], records);
    expect(pings.map((entry) => [entry.leadPointId, entry.ranking])).toEqual([
      ["high", rankFigures(1100, records.get("high"), rates).figures],
      ["good", rankFigures(1000, records.get("good"), rates).figures],
    ]);
  });

  test("rank price ignores the records and shows no figures", async () => {
    const { outcome, io } = await run(evTree("price"), [point("high"), point("good")], scripts, undefined, { records });
    expect(io.posted()).toEqual(["high", "good"]);
    expect(outcome.trace.some((entry) => entry.ranking)).toBe(false);
  });

  test("a fixed-price direct post, never pinged, shows its figures on its post", async () => {
    const direct = point("direct", { kind: "direct_post", ping: undefined, pricing: { type: "fixed", priceCents: 1050 } });
    const t = tree([tier("auction", [position("high"), position("direct")], { rank: "expected_value" })]);
    const { outcome } = await run(t, [point("high"), direct], { pings: { high: bid(1100) }, posts: { high: rejected() } }, undefined, {
      records: new Map([
        ["high", record(40, 4, 4, 0)],
        ["direct", record(40, 38, 38, 0)],
      ]),
    });
    const post = outcome.trace.find((entry) => entry.leadPointId === "direct" && entry.phase === "post");
    expect(post, JSON.stringify(outcome.trace)).toMatchObject({ outcome: "accepted", ranking: { posts: 40, postAccepts: 38, expectedValueCents: expect.any(Number) } });
    expect(outcome.trace.filter((entry) => entry.phase === "post").map((entry) => entry.leadPointId)).toEqual(["direct"]);
  });
});
