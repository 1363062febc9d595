import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { activeCapacity, capacityLeft, noCapacityReason, supersedes, type CapacityDeclaration } from "./capacity";

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
