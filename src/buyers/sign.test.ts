import { describe, expect, test } from "vitest";
import { signatureHeader, verifySignature } from "./sign";

// Computed independently with node:
//   node -e 'require("crypto").createHmac("sha256","whsec_test_secret")
//            .update("1700000000." + body).digest("hex")'
const secret = "whsec_test_secret";
const body = '{"type":"ping","leadId":"lead_1"}';
const t = 1_700_000_000;
const vector = "t=1700000000,v1=482775b2adefe08c40580b4a2c23ae12b1a5e44e907e4979dd406636f14879f2";

describe("signatureHeader", () => {
  test("matches an independently computed HMAC-SHA256", async () => {
    expect(await signatureHeader(secret, body, t)).toBe(vector);
  });

  test("a second call with the same secret (cached key) gives the same header", async () => {
    await signatureHeader(secret, "warm", t);
    expect(await signatureHeader(secret, body, t)).toBe(vector);
  });

  test("fractional seconds are floored into t", async () => {
    expect(await signatureHeader(secret, body, t + 0.9)).toBe(vector);
  });
});

describe("verifySignature", () => {
  const v1 = vector.split("v1=")[1] ?? "";
  test.each([
    { name: "the known vector verifies", header: vector, body, now: t, secret, ok: true },
    { name: "within the tolerance", header: vector, body, now: t + 300, secret, ok: true },
    { name: "past the tolerance", header: vector, body, now: t + 301, secret, ok: false },
    { name: "from the future past the tolerance", header: vector, body, now: t - 301, secret, ok: false },
    { name: "another body", header: vector, body: body + " ", now: t, secret, ok: false },
    { name: "another secret", header: vector, body, now: t, secret: "whsec_other_secret", ok: false },
    { name: "another timestamp", header: `t=${t + 1},v1=${v1}`, body, now: t, secret, ok: false },
    { name: "a rotated header with one good v1", header: `t=${t},v1=${"00".repeat(32)},v1=${v1}`, body, now: t, secret, ok: true },
    { name: "uppercase hex", header: `t=${t},v1=${v1.toUpperCase()}`, body, now: t, secret, ok: true },
    { name: "no v1", header: `t=${t}`, body, now: t, secret, ok: false },
    { name: "no t", header: `v1=${v1}`, body, now: t, secret, ok: false },
    { name: "not hex", header: `t=${t},v1=zz`, body, now: t, secret, ok: false },
    { name: "garbage", header: "nonsense", body, now: t, secret, ok: false },
  ])("$name", async ({ header, body, now, secret, ok }) => {
    expect(await verifySignature(secret, header, body, now)).toBe(ok);
  });
});
