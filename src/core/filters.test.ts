import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { filterPasses, firstFailingFilter, type FilterCondition } from "./filters";
import type { LeadFields } from "./lead";

const lead: LeadFields = {
  state: "TX",
  zip: "75001",
  homeowner: true,
  monthlyElectricBill: 180,
  creditScore: "720",
  roofType: "Metal",
  note: "",
  score: 82,
  comment: `${"a".repeat(30)}!`,
};

describe("filterPasses", () => {
  test.each<{ name: string; filter: FilterCondition; want: boolean }>([
    { name: "eq ignores case", filter: { field: "state", op: "eq", value: "tx" }, want: true },
    { name: "eq compares a number as text", filter: { field: "monthlyElectricBill", op: "eq", value: "180" }, want: true },
    { name: "eq on a boolean field", filter: { field: "homeowner", op: "eq", value: true }, want: true },
    { name: "eq on a different value", filter: { field: "state", op: "eq", value: "CA" }, want: false },
    { name: "eq on a missing field fails", filter: { field: "county", op: "eq", value: "Dallas" }, want: false },
    { name: "ne on a different value", filter: { field: "state", op: "ne", value: "CA" }, want: true },
    { name: "ne ignores case", filter: { field: "state", op: "ne", value: "tx" }, want: false },
    { name: "ne on a missing field passes", filter: { field: "county", op: "ne", value: "Dallas" }, want: true },
    { name: "in ignores case", filter: { field: "roofType", op: "in", value: ["tile", "metal"] }, want: true },
    { name: "in with no match", filter: { field: "state", op: "in", value: ["CA", "NY"] }, want: false },
    { name: "in on a missing field fails", filter: { field: "county", op: "in", value: ["Dallas"] }, want: false },
    { name: "nin with no match", filter: { field: "state", op: "nin", value: ["CA", "NY"] }, want: true },
    { name: "nin with a match", filter: { field: "state", op: "nin", value: ["ca", "tx"] }, want: false },
    { name: "nin on a missing field passes", filter: { field: "county", op: "nin", value: ["Dallas"] }, want: true },
    { name: "gt on numbers", filter: { field: "monthlyElectricBill", op: "gt", value: 100 }, want: true },
    { name: "gt coerces a numeric string", filter: { field: "creditScore", op: "gt", value: "700" }, want: true },
    { name: "gt at the bound fails", filter: { field: "monthlyElectricBill", op: "gt", value: 180 }, want: false },
    { name: "gte at the bound", filter: { field: "monthlyElectricBill", op: "gte", value: 180 }, want: true },
    { name: "lt", filter: { field: "score", op: "lt", value: 90 }, want: true },
    { name: "lte at the bound", filter: { field: "score", op: "lte", value: 82 }, want: true },
    { name: "gt on a non-numeric value fails", filter: { field: "state", op: "gt", value: 1 }, want: false },
    { name: "lt on a boolean fails", filter: { field: "homeowner", op: "lt", value: 2 }, want: false },
    { name: "lt on a missing field fails", filter: { field: "county", op: "lt", value: 2 }, want: false },
    { name: "between is inclusive at the low end", filter: { field: "monthlyElectricBill", op: "between", value: [180, 200] }, want: true },
    { name: "between is inclusive at the high end", filter: { field: "creditScore", op: "between", value: ["600", 720] }, want: true },
    { name: "between outside the range", filter: { field: "score", op: "between", value: [90, 100] }, want: false },
    { name: "regex matches as written", filter: { field: "zip", op: "regex", value: "^75" }, want: true },
    { name: "regex is case-sensitive", filter: { field: "roofType", op: "regex", value: "^metal$" }, want: false },
    { name: "regex on a missing field fails", filter: { field: "county", op: "regex", value: ".*" }, want: false },
    { name: "regex that does not compile fails", filter: { field: "zip", op: "regex", value: "(" }, want: false },
    { name: "regex that would backtrack catastrophically answers", filter: { field: "comment", op: "regex", value: "^(a+)+$" }, want: false },
    { name: "exists on a present field", filter: { field: "state", op: "exists" }, want: true },
    { name: "exists on an empty string fails", filter: { field: "note", op: "exists" }, want: false },
    { name: "missing on an empty string", filter: { field: "note", op: "missing" }, want: true },
    { name: "missing on an absent field", filter: { field: "county", op: "missing" }, want: true },
    { name: "missing on a present field fails", filter: { field: "zip", op: "missing" }, want: false },
    { name: "a field named like an Object method is missing", filter: { field: "constructor", op: "exists" }, want: false },
    { name: "in without an array fails", filter: { field: "state", op: "in", value: "TX" }, want: false },
    { name: "eq with an object value fails", filter: { field: "state", op: "eq", value: { a: 1 } }, want: false },
  ])("$name", ({ filter, want }) => {
    expect(filterPasses(filter, lead), JSON.stringify(filter)).toBe(want);
  });

  test("a regex filter keeps its compiled pattern across calls", () => {
    const filter: FilterCondition = { field: "zip", op: "regex", value: "^7" };
    expect([filterPasses(filter, lead), filterPasses(filter, { zip: "10001" }), filterPasses(filter, lead)]).toEqual([true, false, true]);
  });
});

describe("firstFailingFilter", () => {
  const filters: FilterCondition[] = [
    { field: "state", op: "in", value: ["TX", "CA"] },
    { field: "homeowner", op: "eq", value: true },
    { field: "monthlyElectricBill", op: "gte", value: 200 },
    { field: "county", op: "exists" },
  ];

  test("names the first filter the lead misses", () => {
    expect(firstFailingFilter(filters, lead)).toBe(filters[2]);
  });

  test("is undefined when every filter passes", () => {
    expect(firstFailingFilter(filters.slice(0, 2), lead)).toBeUndefined();
    expect(firstFailingFilter([], lead)).toBeUndefined();
  });
});

describe("filter properties", () => {
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean());

  test("eq and ne are complements for present fields", () => {
    fc.assert(
      fc.property(scalar, scalar, (actual, expected) => {
        fc.pre(String(actual).trim() !== "");
        const fields = { f: actual };
        return filterPasses({ field: "f", op: "eq", value: expected }, fields) !== filterPasses({ field: "f", op: "ne", value: expected }, fields);
      }),
    );
  });

  test("in and nin are complements, present or not", () => {
    fc.assert(
      fc.property(fc.option(scalar, { nil: undefined }), fc.array(scalar), (actual, list) => {
        const fields: LeadFields = actual === undefined ? {} : { f: actual };
        return filterPasses({ field: "f", op: "in", value: list }, fields) !== filterPasses({ field: "f", op: "nin", value: list }, fields);
      }),
    );
  });

  test("between equals gte low and lte high", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.integer(), fc.integer(), (value, low, high) => {
        const fields = { f: value };
        const between = filterPasses({ field: "f", op: "between", value: [low, high] }, fields);
        return between === (filterPasses({ field: "f", op: "gte", value: low }, fields) && filterPasses({ field: "f", op: "lte", value: high }, fields));
      }),
    );
  });

  test("exists and missing are complements", () => {
    fc.assert(
      fc.property(fc.option(scalar, { nil: undefined }), (actual) => {
        const fields: LeadFields = actual === undefined ? {} : { f: actual };
        return filterPasses({ field: "f", op: "exists" }, fields) !== filterPasses({ field: "f", op: "missing" }, fields);
      }),
    );
  });
});
