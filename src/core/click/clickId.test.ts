import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { clickKey, clickSecrets, isIssuedClickId, isIssuedUnderAny, signClickId } from "./clickId";

const key = await clickKey("test-secret-one");
const otherKey = await clickKey("test-secret-two");
const token = fc.stringMatching(/^[0-9a-f]{20}$/);
const publisherId = fc.string({ minLength: 1, maxLength: 40 });

describe("click ids", () => {
  test("read clk_<token>.<mac> in lower-case hex, short enough for a lead's clickId", async () => {
    const clickId = await signClickId(key, "pub_1", "0123456789abcdef0123");
    expect(clickId).toMatch(/^clk_0123456789abcdef0123\.[0-9a-f]{64}$/);
    expect(clickId.length).toBeLessThanOrEqual(255);
  });

  test("refuse to sign a token that is not 20 hex digits", async () => {
    await expect(signClickId(key, "pub_1", "not-a-token")).rejects.toThrow(/20 lower-case hex digits/);
  });

  test("prove themselves for the publisher they were issued to", async () => {
    await fc.assert(
      fc.asyncProperty(publisherId, token, async (publisher, t) => {
        expect(await isIssuedClickId(key, publisher, await signClickId(key, publisher, t))).toBe(true);
      }),
    );
  });

  test("prove nothing for another publisher", async () => {
    await fc.assert(
      fc.asyncProperty(publisherId, publisherId, token, async (issuedTo, submittedBy, t) => {
        fc.pre(issuedTo !== submittedBy);
        expect(await isIssuedClickId(key, submittedBy, await signClickId(key, issuedTo, t))).toBe(false);
      }),
    );
  });

  test("prove nothing under another secret", async () => {
    await fc.assert(
      fc.asyncProperty(publisherId, token, async (publisher, t) => {
        expect(await isIssuedClickId(otherKey, publisher, await signClickId(key, publisher, t))).toBe(false);
      }),
    );
  });

  test("prove nothing once any character is changed", async () => {
    const clickId = await signClickId(key, "pub_1", "0123456789abcdef0123");
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: clickId.length - 1 }), fc.constantFrom(..."0123456789abcdefx._"), async (at, replacement) => {
        fc.pre(clickId[at] !== replacement);
        const altered = `${clickId.slice(0, at)}${replacement}${clickId.slice(at + 1)}`;
        expect(await isIssuedClickId(key, "pub_1", altered)).toBe(false);
      }),
    );
  });

  test.each([
    ["a made-up id", "clk-1001"],
    ["an empty one", ""],
    ["upper-case hex", "clk_0123456789ABCDEF0123." + "A".repeat(64)],
    ["a mac cut short", "clk_0123456789abcdef0123." + "a".repeat(32)],
  ])("prove nothing when they are %s", async (_name, clickId) => {
    expect(await isIssuedClickId(key, "pub_1", clickId)).toBe(false);
  });
});

describe("a secret being replaced (CLICK_SECRET=new,old)", () => {
  test("reads the secrets newest first, trimmed, without empty entries", () => {
    expect(clickSecrets("new-secret, old-secret")).toEqual(["new-secret", "old-secret"]);
    expect(clickSecrets("only-one")).toEqual(["only-one"]);
    expect(clickSecrets(" , ")).toEqual([]);
    expect(clickSecrets(undefined)).toEqual([]);
  });

  test("a click id signed under the old secret is issued while the old one is listed, and not once it is dropped", async () => {
    const [newer, older] = await Promise.all(clickSecrets("test-secret-two,test-secret-one").map(clickKey));
    if (!newer || !older) throw new Error("two keys expected");
    await fc.assert(
      fc.asyncProperty(publisherId, token, async (publisher, t) => {
        const beforeTheChange = await signClickId(older, publisher, t);
        expect(await isIssuedUnderAny([newer, older], publisher, beforeTheChange)).toBe(true);
        expect(await isIssuedUnderAny([newer], publisher, beforeTheChange)).toBe(false);
        expect(await isIssuedUnderAny([newer, older], publisher, await signClickId(newer, publisher, t))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
