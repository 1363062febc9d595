import { describe, expect, test } from "vitest";
import type { Lead } from "./lead";
import { FakeIO, T0, bid, lead, noBid, point, pointsMap, position, rejected, run, tier, tree, type FakeScripts, type PointDoc, type PositionDoc, type TierDoc, type TreeDoc } from "./testing/fixtures";
import { tierStrategies } from "./tiers";
import { runTree, type TreePoint } from "./tree";
import { tierModes } from "./config";

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

describe("the runtime and the run's ceiling", () => {
  test("maxRuntimeSeconds is checked before a position starts: one that started keeps its whole timeout, later ones are traced", async () => {
    const t = tree([tier("ordered", [position("a", { timeoutSeconds: 3 }), position("b"), position("c")])], { maxRuntimeSeconds: 1 });
    const { outcome, io } = await run(t, abc, { pings: { a: noBid(2_500), b: bid(100), c: bid(100) } });
    expect(io.pings.map((p) => [p.target.point.id, p.target.deadlineAt - T0])).toEqual([["a", 3_000]]);
    const skipped = outcome.trace.filter((e) => e.outcome === "skipped").map((e) => [e.leadPointId, e.reason]);
    expect(skipped).toEqual([
      ["b", "the tree's maxRuntimeSeconds (1 s) was spent before its turn"],
      ["c", "the tree's maxRuntimeSeconds (1 s) was spent before its turn"],
    ]);
  });

  test("a later tier whose turn comes after the runtime is traced, not started", async () => {
    const t = tree([ordered(["a"]), tier("auction", [position("b"), position("c")])], { maxRuntimeSeconds: 1 });
    const { outcome, io } = await run(t, abc, { pings: { a: noBid(1_500) } });
    expect(io.pinged()).toEqual(["a"]);
    expect(outcome.trace.filter((e) => e.outcome === "skipped").map((e) => e.leadPointId)).toEqual(["b", "c"]);
  });

  test("a position whose whole timeout would outlive the run does not start, but a shorter one still does", async () => {
    const t = tree([tier("ordered", [position("a", { timeoutSeconds: 20 }), position("b", { timeoutSeconds: 20 }), position("c", { timeoutSeconds: 2 })])]);
    const { outcome, io } = await run(t, abc, { pings: { a: noBid(19_000), c: bid(100) } });
    expect(io.pinged()).toEqual(["a", "c"]);
    expect(outcome.trace.find((e) => e.leadPointId === "b")?.reason).toBe("its timeout would run past the 28 s a run may take");
    expect(outcome.sales.map((s) => s.leadPointId)).toEqual(["c"]);
  });
});

describe("the reserve and the publisher's fixed payout", () => {
  test.each([
    { name: "a bid at the reserve sells", minBidCents: 300, payout: undefined, bidCents: 300, sold: true, reason: undefined },
    { name: "a bid under the reserve is declined", minBidCents: 300, payout: undefined, bidCents: 299, sold: false, reason: "bid of 299 cents is under the tree's reserve (minBidCents) of 300 cents" },
    { name: "the default reserve of one cent declines a zero bid", minBidCents: undefined, payout: undefined, bidCents: 0, sold: false, reason: "bid of 0 cents is under the tree's reserve (minBidCents) of 1 cents" },
    {
      name: "a bid under a fixed publisher payout is never sold at a loss",
      minBidCents: undefined,
      payout: { type: "fixed", amountCents: 500 } as const,
      bidCents: 499,
      sold: false,
      reason: "bid of 499 cents is under the publisher's fixed payout of 500 cents",
    },
    { name: "a bid equal to the fixed payout sells at no margin", minBidCents: undefined, payout: { type: "fixed", amountCents: 500 } as const, bidCents: 500, sold: true, reason: undefined },
    { name: "a revshare payout sets no floor", minBidCents: undefined, payout: { type: "revshare", percent: 60 } as const, bidCents: 2, sold: true, reason: undefined },
  ])("$name", async (c) => {
    const t = tree([tier("auction", [position("a")])], c.minBidCents === undefined ? {} : { minBidCents: c.minBidCents });
    const { outcome } = await run(t, [point("a")], { pings: { a: bid(c.bidCents) } }, lead(), c.payout ? { payout: c.payout } : {});
    expect(outcome.sales.length, JSON.stringify(outcome)).toBe(c.sold ? 1 : 0);
    expect(outcome.trace.find((e) => e.outcome === "skipped")?.reason).toBe(c.reason);
  });

  test("a fixed price under the floor is declined too", async () => {
    const t = tree([tier("ordered", [position("d")])], { minBidCents: 1_000 });
    const { outcome, io } = await run(t, [point("d", { kind: "direct_post", pricing: { type: "fixed", priceCents: 900 } })]);
    expect(io.posted()).toEqual([]);
    expect(outcome.trace.map((e) => [e.phase, e.outcome, e.reason])).toEqual([["post", "skipped", "bid of 900 cents is under the tree's reserve (minBidCents) of 1000 cents"]]);
  });
});

describe("direct posts priced by their answer", () => {
  const dynamicDirect = point("d", { kind: "direct_post", pricing: { type: "dynamic" } });

  test.each([
    { name: "sold at the price the answer names", answer: { kind: "accepted", ms: 10, priceCents: 900 } as const, sold: 900, outcome: "accepted", reason: undefined },
    { name: "an accept without a price is a refusal", answer: { kind: "accepted", ms: 10 } as const, sold: undefined, outcome: "declined", reason: "accepted without a price" },
    {
      name: "an accept under the reserve is a refusal",
      answer: { kind: "accepted", ms: 10, priceCents: 40 } as const,
      sold: undefined,
      outcome: "declined",
      reason: "bid of 40 cents is under the tree's reserve (minBidCents) of 50 cents",
    },
  ])("$name", async (c) => {
    const { outcome, io } = await run(tree([tier("ordered", [position("d")])], { minBidCents: 50 }), [dynamicDirect], { posts: { d: c.answer } });
    expect(io.posts.map((p) => p.target.priceCents), "the post offers the least price it may name").toEqual([50]);
    expect(outcome.sales.map((s) => s.priceCents)).toEqual(c.sold === undefined ? [] : [c.sold]);
    const post = outcome.trace.find((e) => e.phase === "post");
    expect([post?.outcome, post?.reason, post?.bidCents]).toEqual([c.outcome, c.reason, c.sold]);
  });

  test("its bid rules apply to the answered price", async () => {
    const p = point("d", { kind: "direct_post", pricing: { type: "dynamic" }, bidRules: [{ when: [{ field: "state", op: "eq", value: "CA" }], adjustCents: 100 }] });
    const { outcome } = await run(tree([tier("ordered", [position("d")])]), [p], { posts: { d: { kind: "accepted", ms: 5, priceCents: 700 } } });
    expect(outcome.sales.map((s) => s.priceCents)).toEqual([800]);
  });

  test("in an auction it is posted after every priced bid, which it never outranks", async () => {
    const points = [dynamicDirect, point("a"), point("f", { kind: "direct_post", pricing: { type: "fixed", priceCents: 300 } })];
    const t = tree([tier("auction", [position("d"), position("a"), position("f")])]);
    const refusedAll = { pings: { a: bid(500) }, posts: { a: rejected(), f: rejected(), d: { kind: "accepted", ms: 5, priceCents: 9_000 } as const } };
    const { outcome, io } = await run(t, points, refusedAll);
    expect(io.posted()).toEqual(["a", "f", "d"]);
    expect(outcome.sales.map((s) => [s.leadPointId, s.priceCents])).toEqual([["d", 9_000]]);
    const { io: sold } = await run(t, points, { pings: { a: bid(1) } });
    expect(sold.posted(), "a priced bid that takes the lead leaves the dynamic post unsent").toEqual(["f"]);
  });
});

describe("copy lead points", () => {
  const copy = (id: string, doc = {}) => point(id, { kind: "copy", ...doc });

  test("a sold lead names its copies; tiers never ping or post them", async () => {
    const t = tree([tier("auction", [position("a"), position("k")]), tier("ordered", [position("m", { timeoutSeconds: 4 })])]);
    const { outcome, io } = await run(t, [point("a"), copy("k"), copy("m")], { pings: { a: bid(500) } });
    expect([...io.pinged(), ...io.posted()]).toEqual(["a", "a"]);
    expect(outcome.copies.map((c) => [c.point.id, c.position.timeoutSeconds])).toEqual([["k", 10], ["m", 4]]);
    expect(outcome.sales.map((s) => s.leadPointId)).toEqual(["a"]);
    expect(outcome.trace.map((e) => e.leadPointId)).toEqual(["a", "a"]);
  });

  test("an unsold lead has no copies and no trace of them", async () => {
    const { outcome } = await run(tree([tier("auction", [position("a"), position("k")])]), [point("a"), copy("k")], { pings: { a: noBid() } });
    expect(outcome.copies).toEqual([]);
    expect(outcome.trace.map((e) => e.leadPointId)).toEqual(["a"]);
  });

  test("a copy goes by its own settings, each reason traced", async () => {
    const t = tree([
      tier("auction", [position("a"), position("k1"), position("k2"), position("k3", { enabled: false }), position("k4")], { filters: [{ field: "state", op: "eq", value: "CA" }] }),
    ]);
    const points = [point("a"), copy("k1", { filters: [{ field: "state", op: "eq", value: "TX" }] }), copy("k2", { enabled: false }), copy("k3"), copy("k4")];
    const { outcome } = await run(t, points, { pings: { a: bid(500) } });
    expect(outcome.copies.map((c) => c.point.id)).toEqual(["k4"]);
    expect(outcome.trace.filter((e) => e.outcome === "skipped").map((e) => [e.leadPointId, e.phase, e.reason])).toEqual([
      ["k1", "post", 'copy not sent: filter state eq "TX" not met'],
      ["k2", "post", "copy not sent: lead point disabled"],
      ["k3", "post", "copy not sent: position disabled"],
    ]);
  });
});

describe("filters on the publisher, sub-ids and local time", () => {
  // T0 is Wednesday 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles, 19:00 in Dubai, Thursday 00:00 in Tokyo.
  const pinged = async (filters: PointDoc["filters"], doc: PointDoc = {}, l: Partial<Lead> = {}) => (await run(tree([ordered(["a"])]), [point("a", { filters, ...doc })], {}, lead(l))).io.pinged();

  test.each([
    { name: "publisherId", filters: [{ field: "publisherId", op: "eq" as const, value: "pub-1" }], doc: {}, lead: {}, pinged: true },
    { name: "another publisherId", filters: [{ field: "publisherId", op: "ne" as const, value: "pub-1" }], doc: {}, lead: {}, pinged: false },
    { name: "subId2", filters: [{ field: "subId2", op: "in" as const, value: ["spring", "summer"] }], doc: {}, lead: { subId2: "Summer" }, pinged: true },
    { name: "a missing subId3", filters: [{ field: "subId3", op: "missing" as const }], doc: {}, lead: {}, pinged: true },
    { name: "hour in New York by default", filters: [{ field: "hour", op: "eq" as const, value: 10 }], doc: {}, lead: {}, pinged: true },
    { name: "hour in the caps' zone", filters: [{ field: "hour", op: "eq" as const, value: 7 }], doc: { caps: { timezone: "America/Los_Angeles", daily: 5 } }, lead: {}, pinged: true },
    {
      name: "weekday in the schedule's zone (0 = Sunday)",
      filters: [{ field: "weekday", op: "eq" as const, value: 4 }],
      doc: { schedule: { timezone: "Asia/Tokyo", days: [0, 1, 2, 3, 4, 5, 6], fromHour: 0, toHour: 0 } },
      lead: {},
      pinged: true,
    },
    { name: "the caps' zone before the schedule's", filters: [{ field: "hour", op: "eq" as const, value: 7 }], doc: { caps: { timezone: "America/Los_Angeles", daily: 5 }, schedule: { timezone: "Asia/Tokyo", days: [0, 1, 2, 3, 4, 5, 6], fromHour: 0, toHour: 0 } }, lead: {}, pinged: true },
  ])("a lead point filter on $name", async (c) => {
    expect(await pinged(c.filters, c.doc, c.lead)).toEqual(c.pinged ? ["a"] : []);
  });

  test("tier filters read the tree's dailyLimits zone", async () => {
    const byHour = (hour: number) => tree([ordered(["a"], { filters: [{ field: "hour", op: "eq", value: hour }] })], { dailyLimits: { timezone: "Asia/Tokyo", accepts: 10 } });
    expect((await run(byHour(0), [point("a")])).io.pinged()).toEqual(["a"]);
    expect((await run(byHour(10), [point("a")])).io.pinged()).toEqual([]);
  });

  test("bid rules read the local hour: +$5 after 6 PM in the point's zone", async () => {
    const evening = [{ when: [{ field: "hour", op: "gte" as const, value: 18 }], adjustCents: 500 }];
    const at = (timezone: string) => run(tree([ordered(["a"])]), [point("a", { bidRules: evening, caps: { timezone, daily: 9 } })], { pings: { a: bid(1_000) } });
    expect((await at("Asia/Dubai")).outcome.sales.map((s) => s.priceCents)).toEqual([1_500]);
    expect((await at("America/New_York")).outcome.sales.map((s) => s.priceCents)).toEqual([1_000]);
  });
});

describe("the trace names the bid rules that fired", () => {
  // T0 is 7 PM in Dubai and 10 AM in New York: the same rule fires in one zone only.
  const caEvening = [{ name: "ca-evening", when: [{ field: "state", op: "eq" as const, value: "CA" }, { field: "hour", op: "gte" as const, value: 18 }], adjustCents: 500 }];
  const evening = (id: string, doc: PointDoc = {}) => point(id, { bidRules: caEvening, caps: { timezone: "Asia/Dubai", daily: 9 }, ...doc });
  const fired = (before: number) => [{ index: 0, name: "ca-evening", beforeCents: before, afterCents: before + 500 }];

  test.each(tierModes)("a %s tier's ping entry keeps the answered bid and names the rule; the post shows the price", async (mode) => {
    const { outcome } = await run(tree([tier(mode, [position("a"), position("b")])]), [evening("a"), point("b", { bidRules: caEvening })], { pings: { a: bid(1_000), b: bid(100) } });
    const pings = outcome.trace.filter((e) => e.phase === "ping");
    expect(pings.map((e) => [e.leadPointId, e.bidCents, e.bidRules])).toEqual(mode === "auction" ? [["a", 1_000, fired(1_000)], ["b", 100, undefined]] : [["a", 1_000, fired(1_000)]]);
    expect(outcome.trace.find((e) => e.phase === "post")).toMatchObject({ leadPointId: "a", bidCents: 1_500 });
    expect(outcome.trace.find((e) => e.phase === "post")?.bidRules).toBeUndefined();
  });

  test("a bid the rules leave under the floor still names them on its ping", async () => {
    const cut = [{ when: [], adjustCents: -950 }];
    const { outcome } = await run(tree([tier("ordered", [position("a")])], { minBidCents: 100 }), [point("a", { bidRules: cut })], { pings: { a: bid(1_000) } });
    expect(outcome.trace.map((e) => [e.phase, e.outcome, e.bidRules])).toEqual([["ping", "accepted", [{ index: 0, beforeCents: 1_000, afterCents: 50 }]], ["post", "skipped", undefined]]);
  });

  test.each([
    { name: "fixed", pricing: { type: "fixed", priceCents: 700 } as const, answer: undefined, before: 700 },
    { name: "dynamic", pricing: { type: "dynamic" } as const, answer: { kind: "accepted", ms: 5, priceCents: 900 } as const, before: 900 },
  ])("a $name direct post, never pinged, names them on its post", async ({ pricing, answer, before }) => {
    const { outcome } = await run(tree([tier("ordered", [position("d")])]), [evening("d", { kind: "direct_post", pricing })], answer ? { posts: { d: answer } } : {});
    expect(outcome.trace.map((e) => [e.phase, e.bidCents, e.bidRules])).toEqual([["post", before + 500, fired(before)]]);
  });
});

describe("one-to-one consent", () => {
  const consentLead = lead({ consent: { ...lead().consent, text: "I agree to be called by ACME, Inc. and its partners." } });
  const named = { a: point("a", { consentNames: ["Zenith", "Acme Inc"] }), b: point("b", { consentNames: ["Acmeville"] }), c: point("c") };
  const copies = [point("k1", { kind: "copy", consentNames: ["acme"] }), point("k2", { kind: "copy", consentNames: ["Zenith"] })];
  const points = [...Object.values(named), ...copies];
  const positions = ["a", "b", "c", "k1", "k2"].map((id) => position(id));

  test.each(tierModes)("a %s tier tries only the named buyers, and only named copies get the sold lead", async (mode) => {
    const t = tree([tier(mode, positions)], { consent: { requireBuyerNamed: true } });
    const { outcome, io } = await run(t, points, { pings: { a: bid(500), b: bid(900), c: bid(900) } }, consentLead);
    expect(io.pinged(), JSON.stringify(outcome)).toEqual(["a"]);
    expect(outcome.sales.map((s) => s.leadPointId)).toEqual(["a"]);
    expect(outcome.copies.map((c) => c.point.id)).toEqual(["k1"]);
    expect(outcome.trace.filter((e) => e.outcome === "skipped").map((e) => [e.leadPointId, e.phase, e.reason])).toEqual([
      ["b", "ping", "not named in the consent (one-to-one consent)"],
      ["c", "ping", "declares no consentNames, which one-to-one consent needs"],
      ["k2", "post", "copy not sent: not named in the consent (one-to-one consent)"],
    ]);
  });

  test("a direct post not named in the consent is not posted", async () => {
    const t = tree([tier("ordered", [position("d")])], { consent: { requireBuyerNamed: true } });
    const { outcome, io } = await run(t, [point("d", { kind: "direct_post", consentNames: ["Zenith"], pricing: { type: "fixed", priceCents: 500 } })], {}, consentLead);
    expect(io.posted()).toEqual([]);
    expect(outcome.trace.map((e) => e.reason)).toEqual(["not named in the consent (one-to-one consent)"]);
  });

  test("a tree that does not require it tries every buyer, named or not", async () => {
    const { io } = await run(tree([tier("auction", positions)]), points, { pings: { a: bid(500), b: bid(900), c: bid(900) } }, consentLead);
    expect(io.pinged().sort()).toEqual(["a", "b", "c"]);
  });
});

describe("a lead point's dedupeDays", () => {
  test.each(tierModes)("a %s tier never tries, and no copy gets, a buyer that bought the consumer inside its window", async (mode) => {
    const points = [point("a", { dedupeDays: 30 }), point("b", { dedupeDays: 1 }), point("k", { kind: "copy", dedupeDays: 30 })];
    const bought = T0 - 2 * 86_400_000;
    const consumer = { keys: [], purchases: ["buyer-a", "buyer-b", "buyer-k"].map((buyerId) => ({ buyerId, at: bought })) };
    const { outcome, io } = await run(tree([tier(mode, ["a", "b", "k"].map((id) => position(id)))]), points, { pings: { a: bid(900), b: bid(500) } }, lead({ consumer }));
    expect(io.pinged(), JSON.stringify(outcome)).toEqual(["b"]);
    const reason = `the buyer bought this consumer on ${new Date(bought).toISOString()}, inside its dedupeDays (30)`;
    expect(outcome.trace.filter((e) => e.outcome === "skipped").map((e) => [e.leadPointId, e.phase, e.reason])).toEqual([
      ["a", "ping", reason],
      ["k", "post", `copy not sent: ${reason}`],
    ]);
  });
});
