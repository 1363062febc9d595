import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { activeCapacity, capacityLeft, noCapacityReason, readsCapacity, supersedes, type CapacityDeclaration } from "./capacity";
import { FakeIO, bid, point, position, run, tier, tree, type FakeScripts } from "./testing/fixtures";
import type { TreePoint } from "./tree";

const declared = (available: number, setAt: string, until?: string): CapacityDeclaration => ({ available, setAt, ...(until ? { until } : {}) });

describe("activeCapacity", () => {
  const at = Date.parse("2026-06-15T12:00:00Z");
  test.each([
    { name: "none declared", declaration: undefined, active: false },
    { name: "no end", declaration: declared(3, "2026-06-15T11:00:00.000Z"), active: true },
    { name: "ending later", declaration: declared(3, "2026-06-15T11:00:00.000Z", "2026-06-15T12:00:00.001Z"), active: true },
    { name: "ending now", declaration: declared(3, "2026-06-15T11:00:00.000Z", "2026-06-15T12:00:00.000Z"), active: false },
    { name: "ended", declaration: declared(3, "2026-06-15T11:00:00.000Z", "2026-06-15T11:59:00.000Z"), active: false },
  ])("holds a declaration with $name: $active", ({ declaration, active }) => {
    expect(activeCapacity(declaration, at)).toBe(active ? declaration : undefined);
  });
});

describe("supersedes", () => {
  test("a later declaration replaces an earlier one, never the reverse, and one never replaces itself", () => {
    const earlier = declared(5, "2026-06-15T11:00:00.000Z");
    const later = declared(1, "2026-06-15T11:00:00.001Z");
    expect([supersedes(later, earlier), supersedes(earlier, later), supersedes(later, later), supersedes(earlier, undefined)]).toEqual([true, false, false, true]);
  });
});

describe("capacityLeft", () => {
  test("is what was declared less what is taken, never below zero", () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(2000), (available, taken) => {
        const left = capacityLeft(declared(available, "2026-06-15T11:00:00.000Z"), taken);
        expect(left).toBe(taken >= available ? 0 : available - taken);
      }),
    );
  });

  test("names the declaration in the reason a point is skipped", () => {
    expect(noCapacityReason(declared(2, "2026-06-15T11:00:00.000Z"))).toBe("no free agents: the capacity of 2 declared at 2026-06-15T11:00:00.000Z is taken");
  });
});

describe("filters and bid rules that read capacity", () => {
  /** A run whose I/O knows the free agents of each point, as capacityReadings gives them. */
  class CapacityIO extends FakeIO {
    constructor(
      private readonly agents: Record<string, number>,
      scripts: FakeScripts,
    ) {
      super(scripts);
    }

    capacityOf(p: TreePoint): number | undefined {
      return this.agents[p.id];
    }
  }
  const busy = { name: "busy floor", when: [{ field: "capacity", op: "lte" as const, value: 1 }], adjustCents: -400 };
  const staffed = point("a", { bidRules: [busy], filters: [{ field: "capacity", op: "gte", value: 1 }] });

  test.each<{ name: string; agents: Record<string, number>; sold: number | undefined; skipped: string | undefined }>([
    { name: "plenty of agents: the bid stands", agents: { a: 5 }, sold: 1_000, skipped: undefined },
    { name: "one agent left: the busy rule lowers the bid", agents: { a: 1 }, sold: 600, skipped: undefined },
    { name: "no agent left: the filter skips the point", agents: { a: 0 }, sold: undefined, skipped: "filter capacity gte 1 not met" },
    { name: "no declaration: the rule does not fire and the filter fails on a missing field", agents: {}, sold: undefined, skipped: "filter capacity gte 1 not met" },
  ])("$name", async ({ agents, sold, skipped }) => {
    const { outcome } = await run(tree([tier("ordered", [position("a")])]), [staffed], new CapacityIO(agents, { pings: { a: bid(1_000) } }));
    expect(outcome.sales.map((sale) => sale.priceCents)).toEqual(sold === undefined ? [] : [sold]);
    expect(outcome.trace.find((entry) => entry.outcome === "skipped")?.reason).toBe(skipped);
  });

  test("a point whose conditions do not read capacity is not asked for it", () => {
    expect([readsCapacity(busy.when), readsCapacity([{ field: "state" }]), readsCapacity([])]).toEqual([true, false, false]);
  });
});
