/**
 * Whatever a client sends, the answer is never a 5xx: random JSON documents,
 * and valid documents with one value swapped for a random one, against every
 * write route.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, newLeadPoint, newPublisher, newTree, unique, validLead } from "../support/exchange";

let apiKey = "";
let treeId = "";

beforeAll(async () => {
  const point = await newLeadPoint(unique("fuzz"), { bid: 100 });
  apiKey = (await newPublisher()).apiKey;
  treeId = await newTree([{ leadPointId: point.id }]);
});

const anyValue = fc.oneof(fc.jsonValue(), fc.string(), fc.constant(null), fc.integer(), fc.double(), fc.array(fc.anything()), fc.object());

/** A valid document with one top-level key set to a random value (or a random extra key). */
function mutated(base: Record<string, unknown>) {
  return fc.tuple(fc.constantFrom(...Object.keys(base), "extra"), anyValue).map(([key, value]) => ({ ...base, [key]: value }));
}

const routes: [string, string, Record<string, unknown>][] = [
  ["POST", "/v1/admin/publishers", { name: "p", payout: { type: "revshare", percent: 10 } }],
  ["POST", "/v1/admin/buyers", { name: "b" }],
  ["POST", "/v1/admin/lead-points", { buyerId: "buy_x", name: "lp", kind: "ping_post", ping: { url: "https://b.example" }, post: { url: "https://b.example" }, pricing: { type: "dynamic" } }],
  ["PUT", "/v1/admin/ping-trees/fuzz-tree", { name: "t", vertical: "v", tiers: [{ name: "m", mode: "auction", positions: [{ leadPointId: "lp_x" }] }] }],
];

describe("no 5xx for any body", () => {
  it.each(routes)("%s %s", async (method, path, base) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), mutated(base)), async (body) => {
        const response = await admin(method, path.replace("/v1/admin", ""), body);
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
  });

  it("PATCH of a lead point and a publisher that exist: the merged document is checked too", async () => {
    // Points of their own, outside the tree the lead fuzzing sends to, so a patch that works changes nothing it relies on.
    const point = await newLeadPoint(unique("fuzz-patch"), { bid: 100 });
    const publisher = await newPublisher();
    const patches: [string, Record<string, unknown>][] = [
      [`/lead-points/${point.id}`, { name: "lp", kind: "direct_post", ping: null, post: { url: "https://b.example", headers: { A: "1" } }, pricing: { type: "fixed", priceCents: 5 }, caps: null }],
      [`/publishers/${publisher.id}`, { name: "p", payout: { type: "fixed", amountCents: 5 }, postbackUrl: null, enabled: true }],
    ];
    for (const [path, base] of patches) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue(), mutated(base)), async (body) => {
          const response = await admin("PATCH", path, body);
          expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
        }),
        { numRuns: 40 },
      );
    }
  });

  it("POST /v1/trees/:treeId/leads", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), mutated(validLead())), async (body) => {
        const response = await call(`/v1/trees/${treeId}/leads`, {
          method: "POST",
          headers: { "x-api-key": apiKey, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });
});
