import { describe, expect, test } from "vitest";
import { pointRecords, scorecardRow, scorecardRows } from "./scorecard";

const attempts = (key: string, pings: number, pingAccepts: number, posts: number, postAccepts: number, timeouts: number, ms: number[]) => ({ key, pings, pingAccepts, posts, postAccepts, timeouts, ms });

describe("scorecardRow", () => {
  test("derives every rate from the counts, timeouts over all calls made", () => {
    expect(scorecardRow("lp_1", attempts("lp_1", 8, 6, 4, 3, 2, [10, 20, 30, 40]), { sales: 3, returns: 1, conversions: 2 })).toEqual({
      leadPointId: "lp_1",
      pings: 8,
      pingAccepts: 6,
      pingAcceptRate: 0.75,
      posts: 4,
      postAccepts: 3,
      postAcceptRate: 0.75,
      timeouts: 2,
      timeoutRate: 0.1667,
      p50Ms: 20,
      p95Ms: 40,
      sales: 3,
      returns: 1,
      returnRate: 0.3333,
      conversions: 2,
      conversionRate: 0.6667,
    });
  });

  test("a point that made no call has null percentiles and zero rates", () => {
    expect(scorecardRow("lp_2")).toMatchObject({ pings: 0, pingAcceptRate: 0, timeoutRate: 0, p50Ms: null, p95Ms: null, returnRate: 0 });
  });
});

describe("scorecardRows and pointRecords", () => {
  const counted = [attempts("b", 2, 1, 1, 1, 0, [5]), attempts("a", 1, 0, 0, 0, 1, [9])];
  const sold = [{ key: "b", sales: 1, returns: 1, conversions: 0 }, { key: "c", sales: 2, returns: 0, conversions: 1 }];

  test("one row per point either source names, ordered by id, filtered by `include`", () => {
    expect(scorecardRows(counted, sold).map((row) => [row.leadPointId, row.pings, row.sales])).toEqual([
      ["a", 1, 0],
      ["b", 2, 1],
      ["c", 0, 2],
    ]);
    expect(scorecardRows(counted, sold, (id) => id === "b").map((row) => row.leadPointId)).toEqual(["b"]);
  });

  test("the ranking's records are the scorecard's posts, accepts, sales and returns", () => {
    expect(Object.fromEntries(pointRecords(counted, sold))).toEqual({
      a: { posts: 0, postAccepts: 0, sales: 0, returns: 0 },
      b: { posts: 1, postAccepts: 1, sales: 1, returns: 1 },
      c: { posts: 0, postAccepts: 0, sales: 2, returns: 0 },
    });
  });
});
