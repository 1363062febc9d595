import { describe, expect, it } from "vitest";
import { hashKey, presentedKeyHash } from "./ids";

describe("presentedKeyHash", () => {
  it("is the stored hash of the key, computed once per key", async () => {
    const key = "lt_pub_0123456789abcdef";
    const first = presentedKeyHash(key);
    expect(presentedKeyHash(key)).toBe(first);
    expect(await first).toBe(await hashKey(key));
  });

  it("keeps a key that is presented again through a flood of made-up keys", async () => {
    const kept = presentedKeyHash("lt_pub_busy");
    for (let i = 0; i < 5_000; i++) {
      void presentedKeyHash(`lt_pub_made_up_${i}`);
      if (i % 500 === 0) expect(presentedKeyHash("lt_pub_busy")).toBe(kept);
    }
  });

  it("forgets what it remembered once it holds its bound, and still hashes right", async () => {
    const keys = Array.from({ length: 1_100 }, (_, i) => `lt_pub_flood_${i}`);
    const held = presentedKeyHash(keys[0] as string);
    for (const key of keys) void presentedKeyHash(key);
    expect(presentedKeyHash(keys[0] as string)).not.toBe(held);
    expect(await presentedKeyHash("lt_pub_after")).toBe(await hashKey("lt_pub_after"));
  });
});
