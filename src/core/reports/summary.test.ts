import { describe, expect, test } from "vitest";
import { summaryColumns, summaryRow, summaryRows, summaryTotals } from "./summary";

describe("summaryRow", () => {
  test("derives unsold, the rates and the percentiles from the counts", () => {
    const row = summaryRow(
      "pub_1",
      { leads: 10, rejected: 1, sold: 4, pending: 2 },
      { pings: 8, pingAccepts: 6, posts: 5, postAccepts: 4, timeouts: 0, ms: [10, 20, 30, 40] },
      { revenueCents: 4000, payoutCents: 2000, marginCents: 2000, returns: 1 },
    );
    expect(row).toEqual({
      key: "pub_1",
      leads: 10,
      rejected: 1,
      sold: 4,
      unsold: 3,
      pending: 2,
      revenueCents: 4000,
      payoutCents: 2000,
      marginCents: 2000,
      pings: 8,
      pingAccepts: 6,
      posts: 5,
      postAccepts: 4,
      returns: 1,
      acceptanceRate: 0.4,
      postToPingRatio: 0.625,
      p50Ms: 20,
      p95Ms: 40,
    });
    expect(Object.keys(row)).toEqual([...summaryColumns]);
  });

  test("a group with nothing counted divides by nothing as 0 and has no percentiles", () => {
    expect(summaryRow("2026-01-07")).toMatchObject({ leads: 0, unsold: 0, acceptanceRate: 0, postToPingRatio: 0, p50Ms: null, p95Ms: null });
  });

  test("keeps a ratio to four decimals", () => {
    expect(summaryRow("k", { leads: 3, rejected: 0, sold: 1, pending: 0 }).acceptanceRate).toBe(0.3333);
  });
});

describe("summaryRows", () => {
  test("gives every group any source names one row, ordered by key, what a source lacks counting zero", () => {
    const rows = summaryRows(
      [{ key: "b", leads: 2, rejected: 0, sold: 1, pending: 0 }],
      [{ key: "a", pings: 1, pingAccepts: 0, posts: 0, postAccepts: 0, timeouts: 0, ms: [5] }],
      [{ key: "c", revenueCents: -900, payoutCents: -450, marginCents: -450, returns: 1 }],
    );
    expect(rows.map((row) => [row.key, row.leads, row.pings, row.revenueCents])).toEqual([
      ["a", 0, 1, 0],
      ["b", 2, 0, 0],
      ["c", 0, 0, -900],
    ]);
  });
});

describe("summaryTotals", () => {
  test("adds the groups up and takes the percentiles over every attempt", () => {
    const totals = summaryTotals(
      [
        { key: "a", leads: 3, rejected: 1, sold: 1, pending: 0 },
        { key: "b", leads: 1, rejected: 0, sold: 1, pending: 0 },
      ],
      [
        { key: "a", pings: 2, pingAccepts: 1, posts: 1, postAccepts: 1, timeouts: 0, ms: [10, 30] },
        { key: "b", pings: 2, pingAccepts: 2, posts: 1, postAccepts: 1, timeouts: 0, ms: [20, 40, 50] },
      ],
      [
        { key: "a", revenueCents: 900, payoutCents: 450, marginCents: 450, returns: 0 },
        { key: "b", revenueCents: -900, payoutCents: -450, marginCents: -450, returns: 1 },
      ],
    );
    expect(totals).toMatchObject({ key: "total", leads: 4, rejected: 1, sold: 2, unsold: 1, pings: 4, posts: 2, revenueCents: 0, returns: 1, acceptanceRate: 0.5, p50Ms: 30, p95Ms: 50 });
  });
});
