import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { lead } from "./testing/fixtures";
import { DEFAULT_GATE_SHARDS, fnv1a, gateName, gateShards, uniqueLeadKey } from "./uniqueLead";

describe("uniqueLeadKey", () => {
  test.each([
    { name: "the default pattern joins click id and tree id", pattern: ["clickId", "treeId"], overrides: {}, want: "click-1|tree-1" },
    { name: "a sub id and a lead field", pattern: ["subId", "email"], overrides: { subId: "s9" }, want: "s9|ann@lee.example" },
    { name: "a non-text field value is written as text", pattern: ["homeowner", "treeId"], overrides: {}, want: "true|tree-1" },
    { name: "a missing click id keys by the lead's own id", pattern: ["clickId", "treeId"], overrides: { clickId: undefined }, want: "lead:lead-1" },
    { name: "an empty part keys by the lead's own id", pattern: ["clickId", "treeId"], overrides: { clickId: "" }, want: "lead:lead-1" },
    { name: "a field the lead lacks keys by the lead's own id", pattern: ["vehicleYear"], overrides: {}, want: "lead:lead-1" },
  ])("$name", ({ pattern, overrides, want }) => {
    expect(uniqueLeadKey(pattern, lead(overrides))).toBe(want);
  });

  test("two leads without a click id never share a key", () => {
    const first = uniqueLeadKey(["clickId"], lead({ id: "l1", clickId: undefined }));
    const second = uniqueLeadKey(["clickId"], lead({ id: "l2", clickId: undefined }));
    expect(first).not.toBe(second);
  });
});

describe("gateName", () => {
  test("FNV-1a matches the published 32-bit test vectors, so names survive releases", () => {
    expect([fnv1a(""), fnv1a("a"), fnv1a("foobar")]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });

  test("is stable and names a shard within N", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 256 }), (key, treeId, shards) => {
        const name = gateName(treeId, key, shards);
        expect(gateName(treeId, key, shards)).toBe(name);
        const shard = Number(name.slice(`gate:${treeId}:`.length));
        expect(name.startsWith(`gate:${treeId}:`)).toBe(true);
        expect(Number.isInteger(shard) && shard >= 0 && shard < shards, name).toBe(true);
      }),
    );
  });

  test.each([
    { name: "no shards means one", shards: 0 },
    { name: "a fractional count floors", shards: 1.9 },
  ])("$name", ({ shards }) => {
    expect(gateName("t", "any key", shards)).toBe("gate:t:0");
  });
});

describe("gateShards", () => {
  test.each([
    { setting: "16", shards: 16 },
    { setting: "1000000000", shards: 1_000_000_000 },
    { setting: undefined, shards: DEFAULT_GATE_SHARDS },
    { setting: "", shards: DEFAULT_GATE_SHARDS },
    { setting: "0", shards: DEFAULT_GATE_SHARDS },
    { setting: "many", shards: DEFAULT_GATE_SHARDS },
  ])("GATE_SHARDS=$setting is $shards objects", ({ setting, shards }) => {
    expect(gateShards(setting)).toBe(shards);
  });
});
