import { describe, expect, test } from "vitest";
import { EndpointSchema } from "../../core/config";
import { wireFor, type PingAnswer, type PostAnswer } from ".";

function wireWith(response: Record<string, unknown>) {
  return wireFor(EndpointSchema.parse({ url: "https://buyer.example/p", response }));
}

const matched = { accept: { path: "$.result.status", equals: "Matched" }, price: "$.result.price", reason: "$.result.message", pingToken: "$.result.token" };

type Case = { name: string; response: Record<string, unknown>; body: string; contentType?: string | null; expected: PingAnswer };

describe("response mapping on ping answers", () => {
  test.each<Case>([
    { name: "equals accepts the exact value", response: matched, body: '{"result":{"status":"Matched","price":"12.50","token":"T9"}}', expected: { kind: "bid", bidCents: 1250, pingToken: "T9" } },
    { name: "equals ignores case", response: matched, body: '{"result":{"status":"MATCHED","price":3}}', expected: { kind: "bid", bidCents: 300 } },
    { name: "equals compares the whole value: Unmatched is not Matched", response: matched, body: '{"result":{"status":"Unmatched","message":"no coverage"}}', expected: { kind: "noBid", reason: "no coverage" } },
    { name: "a null accept value declines", response: matched, body: '{"result":{"status":null}}', expected: { kind: "noBid" } },
    { name: "a missing accept value is invalid", response: matched, body: '{"result":{}}', expected: { kind: "invalid", reason: "answer has no value at accept path $.result.status" } },
    { name: "an unreadable body is invalid", response: matched, body: "Matched!", expected: { kind: "invalid", reason: "answer is not valid JSON" } },
    { name: "truthy true", response: { accept: { path: "ok" } }, body: '{"ok":true}', expected: { kind: "bid", bidCents: undefined } },
    { name: "truthy yes", response: { accept: { path: "ok" } }, body: '{"ok":"Yes"}', expected: { kind: "bid", bidCents: undefined } },
    { name: "truthy 1", response: { accept: { path: "ok" } }, body: '{"ok":1}', expected: { kind: "bid", bidCents: undefined } },
    { name: "truthy success", response: { accept: { path: "ok" } }, body: '{"ok":"success"}', expected: { kind: "bid", bidCents: undefined } },
    { name: "truthy accepted", response: { accept: { path: "ok" } }, body: '{"ok":"accepted"}', expected: { kind: "bid", bidCents: undefined } },
    { name: "false declines", response: { accept: { path: "ok" } }, body: '{"ok":false}', expected: { kind: "noBid" } },
    { name: "0 declines", response: { accept: { path: "ok" } }, body: '{"ok":0}', expected: { kind: "noBid" } },
    { name: "Matched is not truthy without equals", response: { accept: { path: "ok" } }, body: '{"ok":"Matched"}', expected: { kind: "noBid" } },
    { name: "dollars by default, rounded to cents", response: { accept: { path: "ok" }, price: "p" }, body: '{"ok":true,"p":12.345}', expected: { kind: "bid", bidCents: 1235 } },
    { name: "dollars as text", response: { accept: { path: "ok" }, price: "p" }, body: '{"ok":true,"p":" 7.5 "}', expected: { kind: "bid", bidCents: 750 } },
    { name: "cents when the unit says so", response: { accept: { path: "ok" }, price: "p", priceUnit: "cents" }, body: '{"ok":true,"p":1250}', expected: { kind: "bid", bidCents: 1250 } },
    { name: "fractional cents are invalid", response: { accept: { path: "ok" }, price: "p", priceUnit: "cents" }, body: '{"ok":true,"p":12.5}', expected: { kind: "invalid", reason: "mapped price is not a whole number of cents" } },
    { name: "a non-numeric price is invalid", response: { accept: { path: "ok" }, price: "p" }, body: '{"ok":true,"p":"$12"}', expected: { kind: "invalid", reason: "mapped price is not a non-negative number" } },
    { name: "a negative price is invalid", response: { accept: { path: "ok" }, price: "p" }, body: '{"ok":true,"p":-1}', expected: { kind: "invalid", reason: "mapped price is not a non-negative number" } },
    { name: "a missing price is no price", response: { accept: { path: "ok" }, price: "p" }, body: '{"ok":true}', expected: { kind: "bid", bidCents: undefined } },
    { name: "an index in the path", response: { accept: { path: "$.offers[0].ok" }, price: "$.offers[0]['bid amount']" }, body: '{"offers":[{"ok":"true","bid amount":"4.00"}]}', expected: { kind: "bid", bidCents: 400 } },
    {
      name: "xml answer read by element path from the root",
      response: { accept: { path: "response.status", equals: "Matched" }, price: "response.price", pingToken: "response.status.@id" },
      body: '<?xml version="1.0"?><response><status id="007">Matched</status><price>3.75</price></response>',
      contentType: "text/xml",
      expected: { kind: "bid", bidCents: 375, pingToken: "007" },
    },
    {
      name: "xml Unmatched declines with the mapped reason",
      response: { accept: { path: "response.status", equals: "Matched" }, reason: "response.error" },
      body: "<response><status>Unmatched</status><error>zip not served</error></response>",
      contentType: "application/xml",
      expected: { kind: "noBid", reason: "zip not served" },
    },
    { name: "regex on the raw body accepts", response: { accept: { regex: "^OK\\b" } }, body: "OK 12.00", contentType: "text/plain", expected: { kind: "bid", bidCents: undefined } },
    { name: "regex on the raw body declines", response: { accept: { regex: "^OK\\b" } }, body: "ERR no", contentType: "text/plain", expected: { kind: "noBid" } },
    { name: "regex with equals compares its capture", response: { accept: { regex: "status=(\\w+)", equals: "matched" } }, body: "status=Unmatched", contentType: "text/plain", expected: { kind: "noBid" } },
    { name: "regex with equals accepts its capture", response: { accept: { regex: "status=(\\w+)", equals: "matched" } }, body: "x status=Matched", contentType: "text/plain", expected: { kind: "bid", bidCents: undefined } },
    { name: "regex accept reads the price from a parsable body", response: { accept: { regex: '"ok"' }, price: "price" }, body: '{"ok":1,"price":2}', expected: { kind: "bid", bidCents: 200 } },
  ])("$name", ({ response, body, contentType, expected }) => {
    const answer = wireWith(response).parsePing(body, contentType ?? "application/json");
    expect(answer, JSON.stringify(answer)).toStrictEqual(expected);
  });

  test("a stored mapping that no longer compiles makes every answer invalid, naming why", () => {
    // Saving refuses such a mapping; one stored before the rule still runs, and the trace says what to fix.
    const wire = wireFor({ url: "https://buyer.example/p", format: "json", response: { accept: { regex: "(a)\\1" }, priceUnit: "dollars" } });
    expect(wire.parsePing("aa", "text/plain")).toStrictEqual({
      kind: "invalid",
      reason: "response mapping: response.accept.regex: backreferences like \\1 are not supported: patterns run in linear time (RE2), which cannot match them",
    });
  });

  test("an accept regex that would backtrack catastrophically answers", () => {
    const body = `${"a".repeat(5_000)}!`;
    expect(wireWith({ accept: { regex: "^(a+)+$" } }).parsePing(body, "text/plain")).toStrictEqual({ kind: "noBid" });
  });
});

describe("response mapping on post answers", () => {
  const response = { accept: { path: "$.status", equals: "sold" }, redirectUrl: "$.url", buyerLeadId: "$.id", reason: "$.why" };
  test.each<{ name: string; body: string; expected: PostAnswer }>([
    { name: "accepted with redirect and buyer id", body: '{"status":"SOLD","url":"https://b.example/t","id":42}', expected: { kind: "accepted", redirectUrl: "https://b.example/t", buyerLeadId: "42" } },
    { name: "rejected with a reason", body: '{"status":"unsold","why":"duplicate"}', expected: { kind: "rejected", reason: "duplicate" } },
    { name: "missing accept is invalid", body: "{}", expected: { kind: "invalid", reason: "answer has no value at accept path $.status" } },
  ])("$name", ({ body, expected }) => {
    expect(wireWith(response).parsePost(body, "application/json")).toStrictEqual(expected);
  });

  test.each([
    { name: "a mapped price is in dollars", priceUnit: undefined, body: '{"status":"sold","price":"12.50"}', expected: { kind: "accepted", priceCents: 1250 } },
    { name: "priceUnit cents reads cents", priceUnit: "cents" as const, body: '{"status":"sold","price":1250}', expected: { kind: "accepted", priceCents: 1250 } },
  ])("$name", ({ priceUnit, body, expected }) => {
    const priced = { accept: { path: "$.status", equals: "sold" }, price: "$.price", ...(priceUnit ? { priceUnit } : {}) };
    expect(wireWith(priced).parsePost(body, "application/json")).toStrictEqual(expected);
  });
});
