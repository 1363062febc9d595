import { describe, expect, test } from "vitest";
import { percentile } from "./percentile";

describe("percentile (nearest rank)", () => {
  test.each([
    { name: "no values has no percentile", values: [], p: 50, want: null },
    { name: "one value is every percentile", values: [7], p: 95, want: 7 },
    { name: "the median of an odd count is the middle", values: [30, 10, 20], p: 50, want: 20 },
    { name: "the median of an even count is the lower middle", values: [40, 10, 30, 20], p: 50, want: 20 },
    { name: "p95 of twenty values is the nineteenth", values: Array.from({ length: 20 }, (_, i) => (20 - i) * 10), p: 95, want: 190 },
    { name: "p95 of ten values is the largest", values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 100], p: 95, want: 100 },
    { name: "p0 is the smallest", values: [5, 3, 9], p: 0, want: 3 },
  ])("$name", ({ values, p, want }) => {
    expect(percentile(values, p)).toBe(want);
  });
});
