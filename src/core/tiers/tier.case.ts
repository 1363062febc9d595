/**
 * The contract every tier mode keeps, whatever order it tries positions in
 * (run by tier.case.test.ts for each mode, an auction ranked by price or by
 * expected value over random records): an ineligible point is never
 * chosen, no point is posted twice, no buyer buys twice, max accepts is
 * honoured, the time budget holds and every call is in the trace.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { TraceOutcome } from "../attempt";
import { RUN_CEILING_MS, runtimeMsOf, type Position, type TierMode, type Tree } from "../config";
import { T0, lead, point, position, run, tier, tree, type FakeScripts, type PingScript, type PostScript } from "../testing/fixtures";
import type { TreePoint } from "../tree";
import type { PointRecord } from "../ranking";

const ineligibility = ["position disabled", "point disabled", "buyer disabled", "minScore", "filter", "schedule", "closed"] as const;
type Ineligibility = (typeof ineligibility)[number];

interface PositionSpec {
  buyer: number;
  direct: boolean;
  fixedCents: number | undefined;
  ineligible: Ineligibility | undefined;
  ping: PingScript;
  post: PostScript;
  timeoutSeconds: number;
  timeoutGraceMs: number;
  countTowardsQuota: boolean;
  abortTier: boolean;
  abortTree: boolean;
  weight: number;
}

interface TreeSpec {
  positions: PositionSpec[];
  split: number;
  maxAccepts: number;
  maxRuntimeSeconds: number | undefined;
  tierMaxSeconds: number | undefined;
  runWhich: "one" | "all";
  exitOnMaxAccepts: boolean;
  /** An auction's ranking; other modes ignore it. */
  rank: "price" | "expected_value";
  /** Each position's record for an expected-value rank (a missing one has none). */
  records: (PointRecord | undefined)[];
  seed: number;
}

/** Mostly quick answers, so that sales pile up; sometimes slow ones, so that deadlines bite. */
const ms = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 400 }), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 12_000 }), weight: 1 });
const pingScript: fc.Arbitrary<PingScript> = fc.oneof(
  fc.record({ kind: fc.constant("bid" as const), ms, bidCents: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }) }),
  fc.record({ kind: fc.constant("noBid" as const), ms }),
  fc.record({ kind: fc.constant("timeout" as const) }),
  fc.record({ kind: fc.constant("transportError" as const), ms }),
);
const postScript: fc.Arbitrary<PostScript> = fc.oneof(
  fc.record({ kind: fc.constant("accepted" as const), ms }),
  fc.record({ kind: fc.constant("rejected" as const), ms }),
);

/** Rarely true: an abort flag on every other position would end most runs at their first pass. */
const rarely = fc.oneof({ arbitrary: fc.constant(false), weight: 6 }, { arbitrary: fc.constant(true), weight: 1 });

const positionSpec: fc.Arbitrary<PositionSpec> = fc.record({
  buyer: fc.integer({ min: 0, max: 3 }),
  direct: fc.boolean(),
  fixedCents: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: undefined }),
  ineligible: fc.option(fc.constantFrom(...ineligibility), { nil: undefined, freq: 2 }),
  ping: pingScript,
  post: postScript,
  timeoutSeconds: fc.integer({ min: 1, max: 10 }),
  timeoutGraceMs: fc.integer({ min: 0, max: 500 }),
  countTowardsQuota: fc.boolean(),
  abortTier: rarely,
  abortTree: rarely,
  weight: fc.integer({ min: 1, max: 5 }),
});

const treeSpec: fc.Arbitrary<TreeSpec> = fc.record({
  positions: fc.array(positionSpec, { minLength: 1, maxLength: 8 }),
  split: fc.integer({ min: 0, max: 8 }),
  maxAccepts: fc.integer({ min: 1, max: 3 }),
  maxRuntimeSeconds: fc.option(fc.integer({ min: 1, max: 25 }), { nil: undefined }),
  tierMaxSeconds: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  runWhich: fc.constantFrom("one" as const, "all" as const),
  exitOnMaxAccepts: fc.boolean(),
  rank: fc.constantFrom("price" as const, "expected_value" as const),
  records: fc.array(
    fc.option(
      fc.tuple(fc.nat(50), fc.nat(50), fc.nat(50)).map(([a, b, c]) => ({ posts: Math.max(a, b), postAccepts: Math.min(a, b), sales: Math.min(a, b), returns: Math.min(c, a, b) })),
      { nil: undefined },
    ),
    { maxLength: 8 },
  ),
  seed: fc.integer(),
});

interface Built {
  tree: Tree;
  points: TreePoint[];
  scripts: FakeScripts;
  eligible: Set<string>;
  /** Lead point id → index of its tier. */
  tierOf: Map<string, number>;
  /** Lead point id → its position, parsed. */
  positionOf: Map<string, Position>;
  records: Map<string, PointRecord>;
}

function build(mode: TierMode, spec: TreeSpec): Built {
  const scripts: Required<Pick<FakeScripts, "pings" | "posts" | "closed">> & FakeScripts = { pings: {}, posts: {}, closed: {}, seed: spec.seed };
  const eligible = new Set<string>();
  const points: TreePoint[] = [];
  const positions = spec.positions.map((p, i) => {
    const id = `lp${i}`;
    const fixed = p.direct ? (p.fixedCents ?? 1_000) : p.fixedCents;
    points.push(
      point(
        id,
        {
          buyerId: `buyer-${p.buyer}`,
          kind: p.direct ? "direct_post" : "ping_post",
          pricing: fixed === undefined ? { type: "dynamic" } : { type: "fixed", priceCents: fixed },
          enabled: p.ineligible !== "point disabled",
          ...(p.ineligible === "minScore" ? { minScore: 90 } : {}),
          filters: [{ field: "state", op: "eq", value: p.ineligible === "filter" ? "TX" : "ca" }],
          schedule: { timezone: "UTC", days: [0, 1, 2, 3, 4, 5, 6], fromHour: p.ineligible === "schedule" ? 3 : 0, toHour: p.ineligible === "schedule" ? 4 : 24 },
        },
        p.ineligible !== "buyer disabled",
      ),
    );
    scripts.pings[id] = p.ping;
    scripts.posts[id] = p.post;
    if (p.ineligible === "closed") scripts.closed[id] = "daily cap reached";
    if (p.ineligible === undefined) eligible.add(id);
    return position(id, {
      enabled: p.ineligible !== "position disabled",
      timeoutSeconds: p.timeoutSeconds,
      timeoutGraceMs: p.timeoutGraceMs,
      countTowardsQuota: p.countTowardsQuota,
      abortTierIfNotAccepted: p.abortTier,
      abortTreeIfNotAccepted: p.abortTree,
      weight: p.weight,
    });
  });
  const split = Math.min(spec.split, positions.length);
  const groups = [positions.slice(0, split), positions.slice(split)].filter((group) => group.length > 0);
  const tierOf = new Map<string, number>();
  groups.forEach((group, t) => group.forEach((p) => tierOf.set(p.leadPointId, t)));
  const tiers = groups.map((group, t) =>
    tier(mode, group, {
      name: `tier ${t}`,
      runWhich: spec.runWhich,
      rank: spec.rank,
      exitOnMaxAccepts: spec.exitOnMaxAccepts,
      ...(spec.tierMaxSeconds ? { maxSeconds: spec.tierMaxSeconds } : {}),
    }),
  );
  const doc = { maxAcceptsPerLead: spec.maxAccepts, ...(spec.maxRuntimeSeconds ? { maxRuntimeSeconds: spec.maxRuntimeSeconds } : {}) };
  const built = tree(tiers, doc);
  const positionOf = new Map(built.tiers.flatMap((tr) => tr.positions).map((p) => [p.leadPointId, p]));
  const records = new Map(spec.records.flatMap((record, i) => (record ? [[`lp${i}`, record] as const] : [])));
  return { tree: built, points, scripts, eligible, tierOf, positionOf, records };
}

const pingOutcome: Record<string, TraceOutcome> = { bid: "accepted", noBid: "declined", timeout: "timeout", transportError: "error" };
const postOutcome: Record<string, TraceOutcome> = { accepted: "accepted", rejected: "declined", timeout: "timeout", transportError: "error" };

function duplicates(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

/** Runs a generated tree of `mode` tiers and hands the result to `check`. */
function property(mode: TierMode, check: (built: Built, ran: Awaited<ReturnType<typeof run>>) => void): Promise<void> {
  return fc.assert(
    fc.asyncProperty(treeSpec, async (spec) => {
      const built = build(mode, spec);
      check(built, await run(built.tree, built.points, built.scripts, lead({ score: 80 }), { records: built.records }));
    }),
    { numRuns: 200 },
  );
}

export function runTierContract(mode: TierMode): void {
  describe(`tier contract: ${mode}`, () => {
    test("an ineligible point is never pinged or posted, and is traced only as skipped", () =>
      property(mode, ({ eligible }, { io, outcome }) => {
        const touched = [...io.pinged(), ...io.posted()].filter((id) => !eligible.has(id));
        expect(touched, JSON.stringify(outcome.trace)).toEqual([]);
        const traced = outcome.trace.filter((e) => !eligible.has(e.leadPointId) && e.outcome !== "skipped");
        expect(traced).toEqual([]);
      }));

    test("no lead point is pinged or posted twice, and no buyer buys twice", () =>
      property(mode, (_built, { io, outcome }) => {
        expect(duplicates(io.pinged())).toEqual([]);
        expect(duplicates(io.posted())).toEqual([]);
        expect(duplicates(outcome.sales.map((s) => s.buyerId)), JSON.stringify(outcome.sales)).toEqual([]);
      }));

    test("sales counting towards quota never exceed maxAcceptsPerLead", () =>
      property(mode, ({ tree: t }, { outcome }) => {
        const counted = outcome.sales.filter((s) => s.countsTowardsQuota);
        expect(counted.length, JSON.stringify(outcome.sales)).toBeLessThanOrEqual(t.maxAcceptsPerLead);
      }));

    test("positions start only within the tree's runtime, and no call outlives the run's ceiling", () =>
      property(mode, ({ tree: t, tierOf }, { io }) => {
        const budgetEnd = T0 + runtimeMsOf(t);
        const calls = [...io.pings, ...io.posts].sort((a, b) => a.at - b.at);
        // An auction's positions all start with their tier; elsewhere each starts with its first call.
        const startOf = (call: (typeof calls)[number]) => (mode === "auction" ? `tier ${tierOf.get(call.target.point.id)}` : call.target.point.id);
        const starts = new Map<string, number>();
        for (const call of calls) if (!starts.has(startOf(call))) starts.set(startOf(call), call.at);
        for (const [who, at] of starts) expect(at, who).toBeLessThan(budgetEnd);
        for (const call of calls) expect(call.target.deadlineAt, JSON.stringify(call)).toBeLessThanOrEqual(T0 + RUN_CEILING_MS);
        expect(io.now()).toBeLessThanOrEqual(T0 + RUN_CEILING_MS);
      }));

    test("a ping gets its whole timeout plus grace, cut only by its tier's maxSeconds, and is told the timeout alone", () =>
      property(mode, ({ tree: t, tierOf }, { io }) => {
        const tierStart = new Map<number | undefined, number>();
        for (const call of [...io.pings, ...io.posts].sort((a, b) => a.at - b.at)) {
          const index = tierOf.get(call.target.point.id);
          if (!tierStart.has(index)) tierStart.set(index, call.at);
        }
        for (const call of io.pings) {
          const { position } = call.target;
          const index = tierOf.get(call.target.point.id) ?? 0;
          const maxSeconds = t.tiers[index]?.maxSeconds;
          const cut = Math.min(maxSeconds === undefined ? Infinity : (tierStart.get(index) ?? 0) + maxSeconds * 1000, T0 + RUN_CEILING_MS);
          const timeoutEnd = call.at + position.timeoutSeconds * 1000;
          expect(call.target.deadlineAt, JSON.stringify(call)).toBe(Math.min(timeoutEnd + position.timeoutGraceMs, cut));
          expect(call.target.allowedResponseMs, JSON.stringify(call)).toBe(Math.min(timeoutEnd, cut) - call.at);
        }
      }));

    test("once the accepts are met, only positions that do not count towards them are tried, and only when the tier does not exit", () =>
      property(mode, ({ tree: t, positionOf }, { io }) => {
        let counted = 0;
        for (const call of io.calls) {
          const position = positionOf.get(call.id);
          if (counted >= t.maxAcceptsPerLead) {
            expect(t.tiers.some((tr) => !tr.exitOnMaxAccepts), JSON.stringify(io.calls)).toBe(true);
            expect(position?.countTowardsQuota, JSON.stringify(io.calls)).toBe(false);
          }
          if (call.phase === "post" && call.accepted && position?.countTowardsQuota) counted += 1;
        }
      }));

    test("no sale is under the tree's reserve", () =>
      property(mode, ({ tree: t }, { outcome }) => {
        for (const sale of outcome.sales) expect(sale.priceCents, JSON.stringify(sale)).toBeGreaterThanOrEqual(t.minBidCents);
      }));

    test("no ping starts or ends after its tier's maxSeconds", () =>
      property(mode, ({ tree: t, tierOf }, { io }) => {
        const calls = [...io.pings, ...io.posts].sort((a, b) => a.at - b.at);
        t.tiers.forEach((tr, index) => {
          if (tr.maxSeconds === undefined) return;
          const mine = calls.filter((c) => tierOf.get(c.target.point.id) === index);
          const first = mine[0];
          if (!first) return;
          const tierEnd = first.at + tr.maxSeconds * 1000;
          for (const call of io.pings.filter((c) => tierOf.get(c.target.point.id) === index)) {
            expect(call.at, JSON.stringify(call)).toBeLessThan(tierEnd);
            expect(call.target.deadlineAt, JSON.stringify(call)).toBeLessThanOrEqual(tierEnd);
          }
        });
      }));

    test("every ping and post is in the trace with its outcome, and sales are the accepted posts", () =>
      property(mode, (_built, { io, outcome }) => {
        const pingTrace = outcome.trace.filter((e) => e.phase === "ping" && e.outcome !== "skipped");
        const postTrace = outcome.trace.filter((e) => e.phase === "post" && e.outcome !== "skipped");
        expect(pingTrace.map((e) => [e.leadPointId, e.outcome])).toEqual(io.pings.map((c) => [c.target.point.id, pingOutcome[c.attempt.kind]]));
        expect(postTrace.map((e) => [e.leadPointId, e.outcome, e.bidCents])).toEqual(
          io.posts.map((c) => [c.target.point.id, postOutcome[c.attempt.kind], c.target.priceCents]),
        );
        const acceptedPosts = io.posts.filter((c) => c.attempt.kind === "accepted").map((c) => c.target.point.id);
        expect(outcome.sales.map((s) => s.leadPointId)).toEqual(acceptedPosts);
        expect(io.afterPosts.map((c) => c.target.point.id)).toEqual(io.posted());
      }));

    test("a point pinged with no usable bid is never posted", () =>
      property(mode, (_built, { io }) => {
        const bids = new Set(io.pings.filter((c) => c.attempt.kind === "bid").map((c) => c.target.point.id));
        const pingedIds = new Set(io.pinged());
        for (const id of io.posted()) if (pingedIds.has(id)) expect(bids.has(id), id).toBe(true);
      }));
  });
}
