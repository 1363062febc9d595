import { describe, expect, test } from "vitest";
import type { Lead } from "./lead";
import { FakeIO, bid, lead, noBid, point, pointsMap, position, run, tier, tree, type FakeScripts, type PositionDoc, type TierDoc, type TreeDoc } from "./testing/fixtures";
import { tierStrategies } from "./tiers";
import { runTree, type TreePoint } from "./tree";

const ordered = (ids: string[], doc: Partial<TierDoc> = {}): TierDoc => tier("ordered", ids.map((id) => position(id)), { name: ids.join("+"), ...doc });
const abc = [point("a"), point("b"), point("c")];

interface FlowCase {
  name: string;
  tiers: TierDoc[];
  treeDoc?: TreeDoc;
  scripts: FakeScripts;
  batches: string[][];
  sold: string[];
}

const flows: FlowCase[] = [
  {
    name: "tiers run in order",
    tiers: [ordered(["a"]), tier("auction", [position("b"), position("c")])],
    scripts: { pings: { a: noBid(), b: bid(100), c: bid(200) } },
    batches: [["a"], ["b", "c"]],
    sold: ["c"],
  },
  {
    name: "a later tier does not run once the accepts are met",
    tiers: [ordered(["a"]), ordered(["b"])],
    scripts: { pings: { a: bid(100), b: bid(100) } },
    batches: [["a"]],
    sold: ["a"],
  },
  {
    name: "a later tier runs while the accepts are not met",
    tiers: [ordered(["a"]), ordered(["b"])],
    treeDoc: { maxAcceptsPerLead: 2 },
    scripts: { pings: { a: bid(100), b: bid(100) } },
    batches: [["a"], ["b"]],
    sold: ["a", "b"],
  },
  {
    name: "a sale outside the quota leaves the later tiers running",
    tiers: [tier("ordered", [position("a", { countTowardsQuota: false })]), ordered(["b"])],
    scripts: { pings: { a: bid(100), b: bid(100) } },
    batches: [["a"], ["b"]],
    sold: ["a", "b"],
  },
  {
    name: "a disabled tier is skipped",
    tiers: [ordered(["a"], { enabled: false }), ordered(["b"])],
    scripts: { pings: { a: bid(100), b: bid(100) } },
    batches: [["b"]],
    sold: ["b"],
  },
  {
    name: "no tier starts once the runtime budget is spent",
    tiers: [ordered(["a"]), ordered(["b"])],
    treeDoc: { maxRuntimeSeconds: 1 },
    scripts: { pings: { a: { kind: "timeout" }, b: bid(100) } },
    batches: [["a"]],
    sold: [],
  },
];

describe("runTree", () => {
  test.each(flows)("$name", async (c) => {
    const { outcome, io } = await run(tree(c.tiers, c.treeDoc ?? {}), abc, c.scripts);
    const whole = JSON.stringify(outcome);
    expect(io.pingBatches.map((batch) => batch.map((t) => t.point.id)), whole).toEqual(c.batches);
    expect(outcome.sales.map((s) => s.leadPointId), whole).toEqual(c.sold);
  });

  test("a tier whose filters fail is skipped, each position traced with the reason", async () => {
    const tiers = [ordered(["a", "b"], { name: "texas", filters: [{ field: "state", op: "eq", value: "TX" }] }), ordered(["c"])];
    const { outcome, io } = await run(tree(tiers), abc, { pings: { c: bid(100) } });
    expect(io.pinged()).toEqual(["c"]);
    const skipped = outcome.trace.filter((e) => e.outcome === "skipped").map((e) => [e.leadPointId, e.phase, e.reason]);
    expect(skipped).toEqual([
      ["a", "ping", 'tier texas: filter state eq "TX" not met'],
      ["b", "ping", 'tier texas: filter state eq "TX" not met'],
    ]);
  });

  test("trace entries after the first cycle carry the cycle number", async () => {
    const io = new FakeIO({ pings: { a: noBid() } });
    const outcome = await runTree({ tree: tree([ordered(["a"])]), lead: lead(), points: pointsMap(abc), io, strategies: tierStrategies, cycle: 2 });
    expect(outcome.trace.map((e) => e.cycle)).toEqual([2]);
  });
});

interface SkipCase {
  name: string;
  points?: TreePoint[];
  position?: Partial<PositionDoc>;
  scripts?: FakeScripts;
  lead?: Partial<Lead>;
  reason: string;
}

const skips: SkipCase[] = [
  { name: "a disabled position", position: { enabled: false }, reason: "position disabled" },
  { name: "a lead point the tree does not know", points: [], reason: "lead point not found" },
  { name: "a disabled lead point", points: [point("a", { enabled: false })], reason: "lead point disabled" },
  { name: "a disabled buyer", points: [point("a", {}, false)], reason: "buyer disabled" },
  { name: "a score under the point's minScore", points: [point("a", { minScore: 90 })], reason: "score 80 is under the minimum 90" },
  { name: "a failing filter", points: [point("a", { filters: [{ field: "state", op: "eq", value: "TX" }] })], reason: 'filter state eq "TX" not met' },
  {
    name: "a failing filter with its own message",
    points: [point("a", { filters: [{ field: "homeowner", op: "eq", value: false, message: "renters only" }] })],
    reason: "renters only",
  },
  {
    name: "a closed schedule",
    points: [point("a", { schedule: { timezone: "America/New_York", days: [0, 6], fromHour: 9, toHour: 17 } })],
    reason: "outside the lead point's schedule",
  },
  { name: "a cap the I/O side reports full", scripts: { closed: { a: "daily cap reached" } }, reason: "daily cap reached" },
];

describe("skipped lead points", () => {
  test.each(skips)("$name is traced as skipped with its reason", async (c) => {
    const t = tree([tier("ordered", [position("a", c.position ?? {})])]);
    const { outcome, io } = await run(t, c.points ?? [point("a")], c.scripts ?? {}, lead({ score: 80, ...c.lead }));
    expect(io.pinged()).toEqual([]);
    expect(outcome.trace, JSON.stringify(outcome)).toEqual([
      { leadPointId: "a", phase: "ping", startedAt: "2026-01-07T15:00:00.000Z", ms: 0, outcome: "skipped", reason: c.reason },
    ]);
  });

  test("a buyer who bought in an earlier tier is skipped in a later one", async () => {
    const points = [point("a", { buyerId: "x" }), point("b", { buyerId: "x" }), point("c")];
    const { outcome, io } = await run(tree([ordered(["a"]), ordered(["b", "c"])], { maxAcceptsPerLead: 2 }), points, { pings: { a: bid(1), b: bid(1), c: bid(1) } });
    expect(io.pinged()).toEqual(["a", "c"]);
    expect(outcome.trace.find((e) => e.leadPointId === "b")?.reason).toBe("the buyer already bought this lead");
  });
});

describe("why nothing sold", () => {
  test.each([
    { name: "no position was eligible", points: [point("a", { enabled: false })], scripts: {}, reason: "no eligible buyer" },
    { name: "an empty tier", points: [], scripts: {}, reason: "no eligible buyer", positions: [] },
    { name: "eligible buyers passed", points: [point("a")], scripts: { pings: { a: noBid() } }, reason: "no buyer accepted the lead" },
    { name: "a bid whose post was refused", points: [point("a")], scripts: { pings: { a: bid(5) }, refused: { a: "cap full" } }, reason: "no buyer accepted the lead" },
  ])("$name: $reason", async (c) => {
    const positions = c.positions ?? [position("a")];
    const { outcome } = await run(tree([tier("ordered", positions)]), c.points, c.scripts);
    expect(outcome.reason, JSON.stringify(outcome)).toBe(c.reason);
  });

  test("a sale leaves no reason", async () => {
    const { outcome } = await run(tree([ordered(["a"])]), abc, { pings: { a: bid(5) } });
    expect(outcome.reason).toBeUndefined();
  });
});
