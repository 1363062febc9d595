import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { lead } from "./testing/fixtures";
import { DEFAULT_GATE_SHARDS, fnv1a, gateAddressOfLead, gateIndex, gateName, gateShards, leadIdAt, pingAddress, pingIdAt } from "./gateAddress";
import { ownLeadKey, uniqueLeadKey } from "./uniqueLead";

describe("uniqueLeadKey", () => {
  test.each([
    { name: "the default pattern joins the publisher, click id and tree id", pattern: ["clickId", "treeId"], overrides: {}, want: "pub-1|click-1|tree-1" },
    { name: "a sub id and a lead field", pattern: ["subId", "email"], overrides: { subId: "s9" }, want: "pub-1|s9|ann@lee.example" },
    { name: "a non-text field value is written as text", pattern: ["homeowner", "treeId"], overrides: {}, want: "pub-1|true|tree-1" },
    { name: "another publisher's lead with the same click id has its own key", pattern: ["clickId", "treeId"], overrides: { publisherId: "pub-2" }, want: "pub-2|click-1|tree-1" },
    { name: "a missing click id gives no key", pattern: ["clickId", "treeId"], overrides: { clickId: undefined }, want: undefined },
    { name: "an empty part gives no key", pattern: ["clickId", "treeId"], overrides: { clickId: "" }, want: undefined },
    { name: "a field the lead lacks gives no key", pattern: ["vehicleYear"], overrides: {}, want: undefined },
  ])("$name", ({ pattern, overrides, want }) => {
    expect(uniqueLeadKey(pattern, lead(overrides))).toBe(want);
  });

  test("two leads without a click id never share a key", () => {
    expect(ownLeadKey("a1")).not.toBe(ownLeadKey("b2"));
  });
});

describe("lead ids carry their gate's address", () => {
  test("an id made at an address reads back as that address", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{20}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.integer({ min: 0, max: 999_999_999 }), (token, treeId, index) => {
        expect(gateAddressOfLead(leadIdAt(token, { treeId, index }))).toEqual({ treeId, index });
      }),
    );
  });

  test.each([
    { name: "an id from before ids carried it", id: "ld_0123456789abcdef0123" },
    { name: "a made-up tree id with a dot", id: "ld_0123.a.b.1" },
    { name: "no index", id: "ld_0123.tree" },
    { name: "not a lead id", id: "pub_0123.tree.1" },
  ])("$name has none", ({ id }) => {
    expect(gateAddressOfLead(id)).toBeUndefined();
  });
});

describe("ping ids carry their gate's address and foretell their lead's id", () => {
  test("a ping id made at an address reads back as that address, with the lead id of the same token there", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{20}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.integer({ min: 0, max: 999_999_999 }), (token, treeId, index) => {
        const found = pingAddress(pingIdAt(token, { treeId, index }));
        expect(found).toEqual({ address: { treeId, index }, leadId: leadIdAt(token, { treeId, index }), token });
        expect(gateAddressOfLead(found?.leadId ?? "")).toEqual({ treeId, index });
      }),
    );
  });

  test.each(["ld_0123.tree.1", "pg_0123.tree", "pg_xyz.tree.1", "pg_0123.a.b.1", ""])("%j is no ping id", (id) => {
    expect(pingAddress(id)).toBeUndefined();
  });
});

describe("gateName", () => {
  test("FNV-1a matches the published 32-bit test vectors, so names survive releases", () => {
    expect([fnv1a(""), fnv1a("a"), fnv1a("foobar")]).toEqual([0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });

  test("is stable and names a shard within N", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 256 }), (key, treeId, shards) => {
        const index = gateIndex(key, shards);
        expect(gateIndex(key, shards)).toBe(index);
        expect(Number.isInteger(index) && index >= 0 && index < shards).toBe(true);
        expect(gateName({ treeId, index })).toBe(`gate:${treeId}:${index}`);
      }),
    );
  });

  test.each([
    { name: "no shards means one", shards: 0 },
    { name: "a fractional count floors", shards: 1.9 },
  ])("$name", ({ shards }) => {
    expect(gateIndex("any key", shards)).toBe(0);
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
