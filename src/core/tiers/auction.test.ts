import { describe, expect, test } from "vitest";
import {
  T0,
  accepted,
  bid,
  candidate,
  noBid,
  point,
  position,
  rejected,
  run,
  tier,
  tree,
  type FakeScripts,
  type PositionDoc,
  type TierDoc,
  type TreeDoc,
} from "../testing/fixtures";
import type { TreePoint } from "../tree";
import { rankOffers, type RankedOffer } from "./auction";

interface AuctionCase {
  name: string;
  points: TreePoint[];
  /** Position documents by lead point id; a point without one gets the defaults. */
  positions?: Record<string, Partial<PositionDoc>>;
  treeDoc?: TreeDoc;
  scripts: FakeScripts;
  sold: [leadPointId: string, priceCents: number][];
  posted?: string[];
  pinged?: string[];
  disabled?: string[];
  skippedPosts?: [leadPointId: string, reason: string][];
}

const inCA = [{ field: "state", op: "eq" as const, value: "CA" }];
const inTX = [{ field: "state", op: "eq" as const, value: "TX" }];

const cases: AuctionCase[] = [
  {
    name: "highest bid wins",
    points: [point("a"), point("b"), point("c")],
    scripts: { pings: { a: bid(500), b: bid(900), c: bid(700) } },
    sold: [["b", 900]],
    posted: ["b"],
    pinged: ["a", "b", "c"],
  },
  {
    name: "a tie goes to the faster answer",
    points: [point("a"), point("b")],
    scripts: { pings: { a: bid(500, 300), b: bid(500, 100) } },
    sold: [["b", 500]],
  },
  {
    name: "a tie at the same speed goes to the earlier position",
    points: [point("a"), point("b")],
    scripts: { pings: { a: bid(500, 100), b: bid(500, 100) } },
    sold: [["a", 500]],
  },
  {
    name: "post-reject falls to the next bid",
    points: [point("a"), point("b"), point("c")],
    scripts: { pings: { a: bid(500), b: bid(900), c: bid(700) }, posts: { b: rejected(20, "duplicate") } },
    sold: [["c", 700]],
    posted: ["b", "c"],
  },
  {
    name: "a post that times out falls to the next bid",
    points: [point("a"), point("b")],
    scripts: { pings: { a: bid(500), b: bid(900) }, posts: { b: accepted(60_000) } },
    sold: [["a", 500]],
    posted: ["b", "a"],
  },
  {
    name: "a refused reservation falls to the next bid without posting",
    points: [point("a"), point("b")],
    scripts: { pings: { a: bid(500), b: bid(900) }, refused: { b: "daily cap reached" } },
    sold: [["a", 500]],
    posted: ["a"],
    skippedPosts: [["b", "daily cap reached"]],
  },
  {
    name: "fixed-price points bid their price whatever they answer",
    points: [point("a", { pricing: { type: "fixed", priceCents: 650 } }), point("b")],
    scripts: { pings: { a: bid(100), b: bid(600) } },
    sold: [["a", 650]],
  },
  {
    name: "a dynamic point accepting without a price is skipped",
    points: [point("a"), point("b")],
    scripts: { pings: { a: bid(undefined, 10), b: bid(300) } },
    sold: [["b", 300]],
    posted: ["b"],
    skippedPosts: [["a", "accepted without a price"]],
  },
  {
    name: "treatMissingPriceAsZero sells a priceless accept at zero",
    points: [point("a")],
    positions: { a: { treatMissingPriceAsZero: true } },
    treeDoc: { minBidCents: 0 },
    scripts: { pings: { a: bid(undefined) } },
    sold: [["a", 0]],
  },
  {
    name: "bid rules that match scale then shift the bid, others do nothing",
    points: [point("a", { bidRules: [{ when: inCA, multiplier: 1.5, adjustCents: -100 }, { when: inTX, adjustCents: 10_000 }] }), point("b")],
    scripts: { pings: { a: bid(1_000), b: bid(1_300) } },
    sold: [["a", 1_400]],
  },
  {
    name: "bid rules never push a price under zero",
    points: [point("a", { bidRules: [{ when: inCA, adjustCents: -5_000 }] })],
    treeDoc: { minBidCents: 0 },
    scripts: { pings: { a: bid(1_000) } },
    sold: [["a", 0]],
  },
  {
    name: "a sale under minReceivableCents is sold and its position reported disabled",
    points: [point("a")],
    positions: { a: { minReceivableCents: 1_000 } },
    scripts: { pings: { a: bid(800) } },
    sold: [["a", 800]],
    disabled: ["a"],
  },
  {
    name: "a sale at minReceivableCents leaves the position enabled",
    points: [point("a")],
    positions: { a: { minReceivableCents: 1_000 } },
    scripts: { pings: { a: bid(1_000) } },
    sold: [["a", 1_000]],
    disabled: [],
  },
  {
    name: "a missing price is zero before the minReceivableCents test",
    points: [point("a")],
    positions: { a: { treatMissingPriceAsZero: true, minReceivableCents: 100 } },
    treeDoc: { minBidCents: 0 },
    scripts: { pings: { a: bid(undefined) } },
    sold: [["a", 0]],
    disabled: ["a"],
  },
  {
    name: "maxAcceptsPerLead 2 sells the top two distinct buyers",
    points: [point("a", { buyerId: "x" }), point("b", { buyerId: "x" }), point("c", { buyerId: "y" }), point("d", { buyerId: "z" })],
    treeDoc: { maxAcceptsPerLead: 2 },
    scripts: { pings: { a: bid(900), b: bid(800), c: bid(700), d: bid(600) } },
    sold: [["a", 900], ["c", 700]],
    posted: ["a", "c"],
    skippedPosts: [["b", "the buyer already bought this lead"]],
  },
  {
    name: "maxAcceptsPerLead 3 with two bidders sells both",
    points: [point("a"), point("b"), point("c")],
    treeDoc: { maxAcceptsPerLead: 3 },
    scripts: { pings: { a: bid(900), b: noBid(), c: bid(100) } },
    sold: [["a", 900], ["c", 100]],
  },
  {
    name: "a sale that does not count towards quota leaves the auction open",
    points: [point("a"), point("b"), point("c")],
    positions: { a: { countTowardsQuota: false } },
    scripts: { pings: { a: bid(900), b: bid(800), c: bid(700) } },
    sold: [["a", 900], ["b", 800]],
  },
  {
    name: "direct_post points take part at their fixed price without a ping",
    points: [point("d", { kind: "direct_post", pricing: { type: "fixed", priceCents: 800 } }), point("a")],
    scripts: { pings: { a: bid(500) } },
    sold: [["d", 800]],
    pinged: ["a"],
  },
  {
    name: "a higher ping bid beats a direct post",
    points: [point("d", { kind: "direct_post", pricing: { type: "fixed", priceCents: 400 } }), point("a")],
    scripts: { pings: { a: bid(500) } },
    sold: [["a", 500]],
    pinged: ["a"],
  },
];

describe("auction tier", () => {
  test.each(cases)("$name", async (c) => {
    const positions = c.points.map((p) => position(p.id, c.positions?.[p.id] ?? {}));
    const { outcome, io } = await run(tree([tier("auction", positions)], c.treeDoc ?? {}), c.points, c.scripts);
    const whole = JSON.stringify(outcome);
    expect(outcome.sales.map((s) => [s.leadPointId, s.priceCents]), whole).toEqual(c.sold);
    if (c.posted) expect(io.posted(), whole).toEqual(c.posted);
    if (c.pinged) expect(io.pinged(), whole).toEqual(c.pinged);
    if (c.disabled) expect(outcome.disabledPositions.map((d) => d.leadPointId), whole).toEqual(c.disabled);
    if (c.skippedPosts) {
      const skipped = outcome.trace.filter((e) => e.phase === "post" && e.outcome === "skipped").map((e) => [e.leadPointId, e.reason]);
      expect(skipped, whole).toEqual(c.skippedPosts);
    }
  });

  test("every eligible ping_post point is pinged in one batch", async () => {
    const { io } = await run(tree([tier("auction", ["a", "b", "c"].map((id) => position(id)))]), [point("a"), point("b"), point("c")]);
    expect(io.pingBatches.map((batch) => batch.map((t) => t.point.id))).toEqual([["a", "b", "c"]]);
  });

  test("the ping token of the winning bid goes with its post", async () => {
    const { io } = await run(tree([tier("auction", [position("a")])]), [point("a")], { pings: { a: { kind: "bid", ms: 10, bidCents: 300, pingToken: "tok-1" } } });
    expect(io.posts.map((p) => p.target.pingToken)).toEqual(["tok-1"]);
  });
});

interface DeadlineCase {
  name: string;
  position: Partial<PositionDoc>;
  tier?: Partial<TierDoc>;
  treeDoc?: TreeDoc;
  /** Time spent in an earlier ordered tier before the auction starts. */
  earlierMs?: number;
  want: number;
  /** What the buyer is told it has (`${lpi.Allowed Response Time}`). */
  told: number;
}

const deadlineCases: DeadlineCase[] = [
  { name: "timeoutSeconds from the tier's start", position: { timeoutSeconds: 2 }, want: T0 + 2_000, told: 2_000 },
  { name: "timeoutGraceMs is waited for but never told", position: { timeoutSeconds: 2, timeoutGraceMs: 250 }, want: T0 + 2_250, told: 2_000 },
  { name: "the default is ten seconds", position: {}, want: T0 + 10_000, told: 10_000 },
  { name: "capped by the tier's maxSeconds", position: { timeoutSeconds: 5, timeoutGraceMs: 500 }, tier: { maxSeconds: 3 }, want: T0 + 3_000, told: 3_000 },
  {
    name: "not cut by the tree's runtime: a position that starts gets its whole timeout",
    position: { timeoutSeconds: 5, timeoutGraceMs: 300 },
    treeDoc: { maxRuntimeSeconds: 2 },
    want: T0 + 5_300,
    told: 5_000,
  },
  { name: "a later tier measures from its own start", position: { timeoutSeconds: 1 }, earlierMs: 700, want: T0 + 700 + 1_000, told: 1_000 },
  { name: "a later tier started within the runtime gets the whole timeout too", position: { timeoutSeconds: 5 }, treeDoc: { maxRuntimeSeconds: 3 }, earlierMs: 700, want: T0 + 700 + 5_000, told: 5_000 },
];

describe("auction ping deadlines", () => {
  test.each(deadlineCases)("$name", async (c) => {
    const auction = tier("auction", [position("a", c.position)], c.tier ?? {});
    const tiers = c.earlierMs === undefined ? [auction] : [tier("ordered", [position("early")]), auction];
    const { io } = await run(tree(tiers, c.treeDoc ?? {}), [point("a"), point("early")], { pings: { early: noBid(c.earlierMs ?? 0) } });
    const target = io.pings.find((p) => p.target.point.id === "a");
    expect(target?.target.deadlineAt, JSON.stringify(io.pings)).toBe(c.want);
    expect(target?.target.allowedResponseMs, JSON.stringify(io.pings)).toBe(c.told);
  });

  test("each position keeps its own deadline within one auction", async () => {
    const positions = [position("a", { timeoutSeconds: 1 }), position("b", { timeoutSeconds: 2, timeoutGraceMs: 100 }), position("c", { timeoutSeconds: 9 })];
    const { io } = await run(tree([tier("auction", positions, { maxSeconds: 4 })]), [point("a"), point("b"), point("c")]);
    expect(io.pings.map((p) => p.target.deadlineAt - T0)).toEqual([1_000, 2_100, 4_000]);
  });
});

describe("rankOffers", () => {
  const offer = (id: string, priceCents: number, answeredMs: number, index: number): RankedOffer => {
    const { point: p, position: pos } = candidate(id, index);
    return { point: p, position: pos, priceCents, answeredMs, index };
  };

  test("orders by price, then speed, then position, without changing its input", () => {
    const offers = [offer("a", 100, 5, 0), offer("b", 300, 50, 1), offer("c", 300, 10, 2), offer("d", 300, 10, 3)];
    expect(rankOffers(offers).map((o) => o.point.id)).toEqual(["c", "d", "b", "a"]);
    expect(offers.map((o) => o.point.id)).toEqual(["a", "b", "c", "d"]);
  });
});
