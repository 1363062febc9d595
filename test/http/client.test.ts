/**
 * An integrator's client, generated from the document (test/client/schema.d.ts
 * by `npm run client:types`) and driven with openapi-fetch against the real
 * Worker: if the document and the Worker disagree, this is where it shows.
 */
import { exports } from "cloudflare:workers";
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import { intakeExamples, invalidLeadExample } from "../../src/http/publisher/schemas";
import type { paths } from "../client/schema";
import { ADMIN_TOKEN, buyerUrl, unique, validLead } from "../support/exchange";

const baseUrl = "http://leadtree.test";
const worker = (request: Request) => exports.default.fetch(request);

const operator = createClient<paths>({ baseUrl, fetch: worker, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
// A JSON tree's publisher: intake also documents XML and HTML answers, which other trees give.
const publisherClient = (apiKey: string) => createClient<paths, "application/json">({ baseUrl, fetch: worker, headers: { "x-api-key": apiKey } });

/** The body of a success, or a failure that shows the whole answer. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  expect(result.response.status, JSON.stringify(result.error ?? result.data)).toBe(status);
  if (result.data === undefined) throw new Error(`no body in the ${status} answer`);
  return result.data;
}

describe("a client generated from /openapi.json", () => {
  it("sets up an exchange, sells a lead and reads its trace", async () => {
    const publisher = ok(await operator.POST("/v1/admin/publishers", { body: { name: unique("pub"), payout: { type: "revshare", percent: 60 } } }), 201);
    const buyer = ok(await operator.POST("/v1/admin/buyers", { body: { name: unique("buyer") } }), 201);
    const url = buyerUrl(unique("client"), { bid: 1250 });
    const point = ok(
      await operator.POST("/v1/admin/lead-points", {
        body: { buyerId: buyer.id, name: "Carrier One auto", kind: "ping_post", ping: { url }, post: { url }, pricing: { type: "dynamic" } },
      }),
      201,
    );
    const treeId = unique("tree");
    const tree = ok(
      await operator.PUT("/v1/admin/ping-trees/{treeId}", {
        params: { path: { treeId } },
        body: { name: "Auto NY", vertical: "auto_insurance", tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: point.id, timeoutSeconds: 2 }] }] },
      }),
      201,
    );
    expect(tree).toMatchObject({ id: treeId, version: 1 });

    const answer = ok(await publisherClient(publisher.apiKey).POST("/v1/trees/{treeId}/leads", { params: { path: { treeId } }, body: validLead() }), 200);
    expect(answer).toMatchObject({ status: "accepted", payoutCents: 750 });

    const path = { leadId: answer.leadId };
    // Both reads come straight after the answer: a lead is readable from then on.
    const status = ok(await publisherClient(publisher.apiKey).GET("/v1/leads/{leadId}", { params: { path } }), 200);
    expect(status).toMatchObject({ leadId: answer.leadId, status: "accepted" });
    const lead = ok(await operator.GET("/v1/admin/leads/{leadId}", { params: { path } }), 200);
    expect(lead).toMatchObject({ id: answer.leadId, treeId, status: "accepted" });
    expect(lead.trace.map((t) => [t.leadPointId, t.phase, t.outcome])).toEqual([
      [point.id, "ping", "accepted"],
      [point.id, "post", "accepted"],
    ]);
    expect(lead.sales).toEqual([expect.objectContaining({ buyerId: buyer.id, priceCents: 1250, payoutCents: 750, marginCents: 500 })]);
  });

  it("gets the documented 400 example for the documented invalid lead", async () => {
    const publisher = ok(await operator.POST("/v1/admin/publishers", { body: { name: unique("pub"), payout: { type: "fixed", amountCents: 100 } } }), 201);
    const treeId = unique("tree");
    ok(await operator.PUT("/v1/admin/ping-trees/{treeId}", { params: { path: { treeId } }, body: { name: "t", vertical: "auto_insurance", tiers: [{ name: "main", mode: "auction", positions: [] }] } }), 201);
    const result = await publisherClient(publisher.apiKey).POST("/v1/trees/{treeId}/leads", { params: { path: { treeId } }, body: invalidLeadExample });
    expect(result.response.status).toBe(400);
    expect(result.error).toEqual(intakeExamples.rejected.value);
  });

  it("reads errors in the one Error shape", async () => {
    const missing = await operator.GET("/v1/admin/buyers/{id}", { params: { path: { id: "buy_missing" } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe("not_found");
    const anonymous = createClient<paths>({ baseUrl, fetch: worker });
    const refused = await anonymous.GET("/v1/admin/publishers");
    expect(refused.response.status).toBe(401);
    expect(refused.error?.error.code).toBe("unauthorized");
  });
});
