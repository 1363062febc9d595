import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FakeIO, bid, point, position, run, tier, tree } from "../testing/fixtures";
import { rotationStart } from "./rotation";

const ABC = ["a", "b", "c"];

describe("rotationStart", () => {
  test.each([
    { name: "the first run starts at the top", last: undefined, eligible: ABC, want: "a" },
    { name: "the next run starts after the last starter", last: "a", eligible: ABC, want: "b" },
    { name: "it wraps past the end", last: "c", eligible: ABC, want: "a" },
    { name: "an ineligible position is passed over", last: "a", eligible: ["a", "c"], want: "c" },
    { name: "the last starter itself comes round again when it is the only one eligible", last: "b", eligible: ["b"], want: "b" },
    { name: "a starter no longer listed starts from the top", last: "gone", eligible: ["b", "c"], want: "b" },
    { name: "nothing eligible starts nothing", last: "a", eligible: [], want: undefined },
  ])("$name", ({ last, eligible, want }) => {
    expect(rotationStart(ABC, new Set(eligible), last)).toBe(want);
  });

  test("with every position eligible, each starts once in every round of runs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), (size, rounds) => {
        const listed = Array.from({ length: size }, (_, i) => `p${i}`);
        let last: string | undefined;
        const starters: string[] = [];
        for (let i = 0; i < size * rounds; i++) {
          last = rotationStart(listed, new Set(listed), last);
          starters.push(last ?? "none");
        }
        for (let r = 0; r < rounds; r++) expect(starters.slice(r * size, (r + 1) * size).sort()).toEqual([...listed].sort());
      }),
    );
  });

  test("the start is always eligible, and is the first eligible one after the last starter", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.nat(), (ids, mask, lastIndex) => {
        const listed = ids.map((id) => `p${id}`);
        const eligible = new Set(listed.filter((_, i) => mask[i]));
        const last = listed[lastIndex % listed.length];
        const start = rotationStart(listed, eligible, last);
        const from = listed.indexOf(last ?? "") + 1;
        const round = listed.map((_, step) => listed[(from + step) % listed.length] ?? "");
        expect(start).toBe(round.find((id) => eligible.has(id)));
      }),
    );
  });
});

describe("round robin over runs", () => {
  test("a position closed for one run is passed over without skewing the rotation (A, B, C — not A, C, C)", async () => {
    const t = tree([tier("round_robin", ["a", "b", "c"].map((id) => position(id)))]);
    const points = [point("a"), point("b"), point("c")];
    const io = new FakeIO({ pings: { a: bid(100), b: bid(100), c: bid(100) } });
    const sold: string[] = [];
    const closedByRun: Record<string, string>[] = [{}, { a: "daily cap reached" }, {}];
    for (const closed of closedByRun) {
      io.scripts.closed = closed;
      const before = io.posts.length;
      await run(t, points, io);
      sold.push(...io.posts.slice(before).map((p) => p.target.point.id));
    }
    expect(sold).toEqual(["a", "b", "c"]);
  });
});
