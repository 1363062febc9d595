import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  FakeIO,
  T0,
  bid,
  candidate,
  noBid,
  point,
  position,
  rejected,
  run,
  seededRandom,
  tier,
  tree,
  type FakeScripts,
  type TierDoc,
  type TreeDoc,
} from "../testing/fixtures";
import type { TreePoint } from "../tree";
import { rotated, weightedOrder } from "./sequential";

interface FlowCase {
  name: string;
  tiers: TierDoc[];
  points?: TreePoint[];
  treeDoc?: TreeDoc;
  scripts: FakeScripts;
  pinged: string[];
  sold: string[];
}

const abc = [point("a"), point("b"), point("c"), point("d")];
const ordered = (ids: string[], doc: Partial<TierDoc> = {}): TierDoc => tier("ordered", ids.map((id) => position(id)), doc);

const flows: FlowCase[] = [
  {
    name: "ordered tries positions in listed order and stops at quota (runWhich is ignored)",
    tiers: [ordered(["a", "b", "c"])],
    scripts: { pings: { a: noBid(), b: bid(100), c: bid(900) } },
    pinged: ["a", "b"],
    sold: ["b"],
  },
  {
    name: "ordered keeps going until maxAcceptsPerLead is met",
    tiers: [ordered(["a", "b", "c", "d"])],
    treeDoc: { maxAcceptsPerLead: 2 },
    scripts: { pings: { a: bid(100), b: noBid(), c: bid(100), d: bid(100) } },
    pinged: ["a", "b", "c"],
    sold: ["a", "c"],
  },
  {
    name: "a refused post moves on to the next position",
    tiers: [ordered(["a", "b"])],
    scripts: { pings: { a: bid(900), b: bid(100) }, posts: { a: rejected() } },
    pinged: ["a", "b"],
    sold: ["b"],
  },
  {
    name: "abortTierIfNotAccepted moves to the next tier",
    tiers: [tier("ordered", [position("a", { abortTierIfNotAccepted: true }), position("b")]), ordered(["c"], { name: "second" })],
    scripts: { pings: { a: noBid(), b: bid(100), c: bid(100) } },
    pinged: ["a", "c"],
    sold: ["c"],
  },
  {
    name: "abortTierIfNotAccepted does nothing when the position sells",
    tiers: [tier("ordered", [position("a", { abortTierIfNotAccepted: true }), position("b")])],
    treeDoc: { maxAcceptsPerLead: 2 },
    scripts: { pings: { a: bid(100), b: bid(100) } },
    pinged: ["a", "b"],
    sold: ["a", "b"],
  },
  {
    name: "abortTreeIfNotAccepted stops the tree",
    tiers: [tier("ordered", [position("a", { abortTreeIfNotAccepted: true }), position("b")]), ordered(["c"], { name: "second" })],
    scripts: { pings: { a: bid(100), b: bid(100), c: bid(100) }, posts: { a: rejected() } },
    pinged: ["a"],
    sold: [],
  },
  {
    name: "abortTreeIfNotAccepted stops a weighted tier too",
    tiers: [tier("weighted", [position("a", { abortTreeIfNotAccepted: true })]), ordered(["b"], { name: "second" })],
    scripts: { pings: { a: noBid(), b: bid(100) } },
    pinged: ["a"],
    sold: [],
  },
  {
    name: "a direct_post position posts at its price without a ping",
    tiers: [ordered(["d", "a"])],
    points: [point("d", { kind: "direct_post", pricing: { type: "fixed", priceCents: 700 } }), point("a")],
    scripts: {},
    pinged: [],
    sold: ["d"],
  },
  {
    name: "exitOnMaxAccepts true stops the tier at the quota, even for positions outside it",
    tiers: [tier("ordered", [position("a"), position("b"), position("c", { countTowardsQuota: false })])],
    scripts: { pings: { a: bid(100), b: bid(100), c: bid(100) } },
    pinged: ["a"],
    sold: ["a"],
  },
  {
    name: "exitOnMaxAccepts false goes on past the quota only to positions outside it",
    tiers: [tier("ordered", [position("a"), position("b"), position("c", { countTowardsQuota: false })], { exitOnMaxAccepts: false })],
    scripts: { pings: { a: bid(100), b: bid(100), c: bid(100) } },
    pinged: ["a", "c"],
    sold: ["a", "c"],
  },
  {
    name: "tier maxSeconds bounds the whole tier, not each position",
    tiers: [ordered(["a", "b", "c"], { maxSeconds: 2 }), ordered(["d"], { name: "second" })],
    scripts: { pings: { a: noBid(1_500), b: noBid(1_000), c: bid(100), d: bid(100) } },
    pinged: ["a", "b", "d"],
    sold: ["d"],
  },
];

describe("sequential tiers", () => {
  test.each(flows)("$name", async (c) => {
    const { outcome, io } = await run(tree(c.tiers, c.treeDoc ?? {}), c.points ?? abc, c.scripts);
    const whole = JSON.stringify(outcome);
    expect(io.pinged(), whole).toEqual(c.pinged);
    expect(outcome.sales.map((s) => s.leadPointId), whole).toEqual(c.sold);
  });

  test("a position tried late in a timed tier gets only what is left of it", async () => {
    const t = tree([ordered(["a", "b"], { maxSeconds: 2 })]);
    const { io, outcome } = await run(t, abc, { pings: { a: noBid(1_500), b: noBid(1_000) } });
    expect(io.pings.map((p) => p.target.deadlineAt - T0)).toEqual([2_000, 2_000]);
    expect(outcome.trace.map((e) => [e.leadPointId, e.outcome])).toEqual([["a", "declined"], ["b", "timeout"]]);
  });
});

const weighted = (weights: number[], runWhich: "one" | "all" = "one"): TierDoc =>
  tier("weighted", weights.map((weight, i) => position(abc[i]?.id ?? `p${i}`, { weight })), { runWhich });

describe("weighted tier", () => {
  test("runWhich one tries exactly one position, drawn by weight", async () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const runs = 2_000;
    for (let seed = 1; seed <= runs; seed++) {
      const { io } = await run(tree([weighted([1, 2, 5])]), abc, { seed });
      expect(io.pinged()).toHaveLength(1);
      for (const id of io.pinged()) counts[id] = (counts[id] ?? 0) + 1;
    }
    const share = (id: string) => (counts[id] ?? 0) / runs;
    expect(share("a"), JSON.stringify(counts)).toBeCloseTo(1 / 8, 1);
    expect(share("b"), JSON.stringify(counts)).toBeCloseTo(2 / 8, 1);
    expect(share("c"), JSON.stringify(counts)).toBeCloseTo(5 / 8, 1);
  });

  test("runWhich all tries every position once, without replacement", async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const { io } = await run(tree([weighted([1, 3, 2, 5], "all")]), abc, { seed });
      expect([...io.pinged()].sort()).toEqual(["a", "b", "c", "d"]);
    }
  });

  test("runWhich all stops at the quota", async () => {
    const { io, outcome } = await run(tree([weighted([1, 1, 1, 1], "all")]), abc, { pings: { a: bid(1), b: bid(1), c: bid(1), d: bid(1) } });
    expect(io.pinged()).toHaveLength(1);
    expect(outcome.sales).toHaveLength(1);
  });
});

describe("round robin tier", () => {
  const roundRobin = (runWhich: "one" | "all") => tree([tier("round_robin", ["a", "b", "c"].map((id) => position(id)), { runWhich })]);

  test("runWhich one starts one position further on each run", async () => {
    const io = new FakeIO();
    for (let i = 0; i < 4; i++) await run(roundRobin("one"), abc, io);
    expect(io.pinged()).toEqual(["a", "b", "c", "a"]);
  });

  test("runWhich all goes round from the rotated start", async () => {
    const io = new FakeIO();
    await run(roundRobin("all"), abc, io);
    await run(roundRobin("all"), abc, io);
    expect(io.pinged()).toEqual(["a", "b", "c", "b", "c", "a"]);
  });

  test("a run that sells still advances the rotation", async () => {
    const io = new FakeIO({ pings: { a: bid(100), b: bid(100), c: bid(100) } });
    const first = await run(roundRobin("all"), abc, io);
    const second = await run(roundRobin("all"), abc, io);
    expect([first.outcome.sales[0]?.leadPointId, second.outcome.sales[0]?.leadPointId]).toEqual(["a", "b"]);
  });
});

describe("orderings", () => {
  const weights = fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { maxLength: 12 });

  test("weightedOrder is a permutation of its input", () => {
    fc.assert(
      fc.property(weights, fc.integer(), (ws, seed) => {
        const candidates = ws.map((weight, i) => candidate(`p${i}`, i, { weight }));
        const order = weightedOrder(candidates, seededRandom(seed));
        expect(order.map((c) => c.index).sort((x, y) => x - y)).toEqual(candidates.map((c) => c.index));
      }),
    );
  });

  test("rotated is a permutation starting at start modulo the length", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 12 }), fc.integer({ min: -100, max: 100 }), (items, start) => {
        const out = rotated(items, start);
        expect([...out].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
        const n = items.length;
        out.forEach((item, i) => expect(item).toBe(items[(((i + start) % n) + n) % n]));
      }),
    );
  });

  test("rotated does not change its input", () => {
    const items = [1, 2, 3];
    expect(rotated(items, 1)).toEqual([2, 3, 1]);
    expect(items).toEqual([1, 2, 3]);
  });
});
