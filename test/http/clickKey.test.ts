/**
 * CLICK_SECRET while it is being replaced: the Worker signs new click ids
 * with the first secret it lists and takes a click id any listed secret
 * signed, so clicks issued just before the change still prove themselves.
 */
import { describe, expect, it } from "vitest";
import { signClickId } from "../../src/core/click/clickId";
import { clickKeyOf, issuedClickOf } from "../../src/http/clickKey";

describe("CLICK_SECRET with more than one secret", () => {
  it("signs with the first secret, and takes a click id the old one signed until the old one is dropped", async () => {
    const before = { CLICK_SECRET: "old-click-secret" };
    const during = { CLICK_SECRET: "new-click-secret, old-click-secret" };
    const after = { CLICK_SECRET: "new-click-secret" };
    const issuedBefore = await signClickId(await clickKeyOf(before), "pub_rotation", "0123456789abcdef0123");
    const issuedDuring = await signClickId(await clickKeyOf(during), "pub_rotation", "0123456789abcdef0124");
    expect(await issuedClickOf(during, "pub_rotation")(issuedBefore)).toBe(true);
    expect(await issuedClickOf(after, "pub_rotation")(issuedDuring)).toBe(true);
    expect(await issuedClickOf(after, "pub_rotation")(issuedBefore)).toBe(false);
    expect(await issuedClickOf(during, "another_publisher")(issuedBefore)).toBe(false);
  });

  it("counts a setting of only commas and spaces as not configured", async () => {
    await expect(clickKeyOf({ CLICK_SECRET: " , " })).rejects.toMatchObject({ status: 503 });
  });
});
