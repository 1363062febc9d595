import { describe, expect, it } from "vitest";
import { admin, ADMIN_TOKEN, buyerUrl, call, expectOperatorOnly, expectStatus, newBuyer, newLeadPoint, newPublisher, unique } from "../support/exchange";

const adminRoutes: [string, string, unknown?][] = [
  ["GET", "/publishers"],
  ["POST", "/publishers", { name: "p", payout: { type: "fixed", amountCents: 1 } }],
  ["GET", "/buyers"],
  ["POST", "/buyers", { name: "b" }],
  ["GET", "/lead-points"],
  ["GET", "/ping-trees"],
  ["PUT", "/ping-trees/t1", { name: "t", vertical: "v", tiers: [] }],
  ["DELETE", "/publishers/pub_x"],
  ["GET", "/leads/ld_x"],
];

describe("operator auth", () => {
  it.each(adminRoutes)("%s %s refuses a missing or wrong token with 401", (method, path, body) => expectOperatorOnly(method, path, body));
});

describe("publishers and buyers", () => {
  it("creates a publisher, shows its key once, reads, lists and disables it", async () => {
    const created = expectStatus(await admin<Record<string, unknown>>("POST", "/publishers", { name: "Acme Media", payout: { type: "revshare", percent: 60 }, postbackUrl: "https://acme.example/postback" }), 201);
    expect(created).toMatchObject({ name: "Acme Media", payout: { type: "revshare", percent: 60 }, enabled: true });
    expect(String(created.apiKey)).toMatch(/^lt_pub_[0-9a-f]{48}$/);

    const read = expectStatus(await admin<Record<string, unknown>>("GET", `/publishers/${created.id}`), 200);
    expect(read.apiKey).toBeUndefined();
    expect(JSON.stringify(read)).not.toContain(String(created.apiKey));
    const list = expectStatus(await admin<{ items: { id: string }[] }>("GET", "/publishers"), 200);
    expect(list.items.map((p) => p.id)).toContain(created.id);

    expect(expectStatus(await admin("DELETE", `/publishers/${created.id}`), 200)).toMatchObject({ id: created.id, enabled: false });
    expect(expectStatus(await admin("GET", `/publishers/${created.id}`), 200)).toMatchObject({ enabled: false });
  });

  it("creates a buyer with the default return window", async () => {
    const created = expectStatus(await admin("POST", "/buyers", { name: "Carrier One" }), 201);
    expect(created).toMatchObject({ name: "Carrier One", returnWindowHours: 72, enabled: true });
    expect(String(created.apiKey)).toMatch(/^lt_buy_/);
  });

  it.each([
    ["an unknown field", "/publishers", { name: "x", payout: { type: "fixed", amountCents: 5 }, colour: "red" }, "(body)"],
    ["a float amount of money", "/publishers", { name: "x", payout: { type: "fixed", amountCents: 2.5 } }, "payout.amountCents"],
    ["a percent over 100", "/publishers", { name: "x", payout: { type: "revshare", percent: 120 } }, "payout.percent"],
    ["a missing name", "/buyers", {}, "name"],
  ])("refuses %s with 400 naming the field", async (_case, path, body, field) => {
    const error = expectStatus(await admin<{ error: { code: string; fields: { path: string }[] } }>("POST", path, body), 400);
    expect(error.error.code).toBe("validation_failed");
    expect(error.error.fields.map((f) => f.path)).toContain(field);
  });

  it("refuses malformed JSON with 400 and another content type with 415", async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const malformed = await call("/v1/admin/buyers", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{name:" });
    expect(expectStatus(malformed, 400)).toMatchObject({ error: { code: "invalid_json" } });
    const text = await call("/v1/admin/buyers", { method: "POST", headers: { ...headers, "content-type": "text/plain" }, body: "name=x" });
    expect(expectStatus(text, 415)).toMatchObject({ error: { code: "unsupported_media_type" } });
  });

  it("answers 404 in the error shape for unknown records and routes", async () => {
    expect(expectStatus(await admin("GET", "/buyers/buy_nope"), 404)).toMatchObject({ error: { code: "not_found" } });
    expect(expectStatus(await admin("DELETE", "/lead-points/lp_nope"), 404)).toMatchObject({ error: { code: "not_found" } });
    expect(expectStatus(await call("/nowhere"), 404)).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("lead points", () => {
  it("never reads back an endpoint's secret or header values: create, get, list and disable show ***", async () => {
    const buyer = await newBuyer();
    const credentials = ["s3cret-signing-key", "Bearer buyer-api-key-123", "acct-998877"];
    const created = expectStatus(
      await admin<{ id: string }>("POST", "/lead-points", {
        buyerId: buyer.id,
        name: "signed",
        kind: "ping_post",
        ping: { url: buyerUrl("signed"), secret: "s3cret-signing-key", headers: { Authorization: "Bearer buyer-api-key-123" } },
        post: { url: buyerUrl("signed"), secret: "s3cret-signing-key", headers: { Authorization: "Bearer buyer-api-key-123", "X-Account": "acct-998877" } },
        pricing: { type: "fixed", priceCents: 1000 },
      }),
      201,
    );
    const hidden = {
      ping: { secret: "***", headers: { Authorization: "***" } },
      post: { secret: "***", headers: { Authorization: "***", "X-Account": "***" } },
    };
    const list = expectStatus(await admin<{ items: { id: string }[] }>("GET", "/lead-points"), 200);
    const reads: [string, unknown][] = [
      ["create", created],
      ["get", expectStatus(await admin("GET", `/lead-points/${created.id}`), 200)],
      ["list", list.items.find((item) => item.id === created.id)],
      ["disable", expectStatus(await admin("DELETE", `/lead-points/${created.id}`), 200)],
    ];
    for (const [read, body] of reads) {
      expect(body, read).toMatchObject(hidden);
      for (const credential of credentials) expect(JSON.stringify(body), read).not.toContain(credential);
    }
  });

  it.each([
    ["a ping_post without a ping endpoint", { kind: "ping_post", post: { url: "https://b.example/post" }, pricing: { type: "dynamic" } }, "ping"],
    ["an unknown kind", { kind: "ping_only", post: { url: "https://b.example/post" }, pricing: { type: "dynamic" } }, "kind"],
    ["a bad endpoint URL", { kind: "direct_post", post: { url: "ftp://b.example" }, pricing: { type: "fixed", priceCents: 5 } }, "post.url"],
    ["a bad cap time zone", { kind: "direct_post", post: { url: "https://b.example" }, pricing: { type: "fixed", priceCents: 5 }, caps: { timezone: "Mars/Olympus", daily: 5 } }, "caps.timezone"],
    ["a filter regex that does not compile", { kind: "direct_post", post: { url: "https://b.example" }, pricing: { type: "fixed", priceCents: 5 }, filters: [{ field: "zip", op: "regex", value: "([" }] }, "filters.0.value"],
  ])("refuses %s", async (_case, body, field) => {
    const buyer = await newBuyer();
    const error = expectStatus(await admin<{ error: { fields: { path: string }[] } }>("POST", "/lead-points", { buyerId: buyer.id, name: "x", ...body }), 400);
    expect(error.error.fields.map((f) => f.path)).toContain(field);
  });

  it.each([
    ["a direct_post priced by its post answer", { kind: "direct_post", pricing: { type: "dynamic" } }],
    ["a copy point", { kind: "copy", pricing: { type: "fixed", priceCents: 0 } }],
  ])("accepts %s", async (_case, body) => {
    const buyer = await newBuyer();
    const created = expectStatus(await admin("POST", "/lead-points", { buyerId: buyer.id, name: "x", post: { url: "https://b.example/post" }, ...body }), 201);
    expect(created).toMatchObject(body);
  });

  it("refuses a lead point for a buyer that does not exist", async () => {
    const error = expectStatus(
      await admin("POST", "/lead-points", { buyerId: "buy_missing", name: "x", kind: "direct_post", post: { url: "https://b.example" }, pricing: { type: "fixed", priceCents: 5 } }),
      400,
    );
    expect(error).toMatchObject({ error: { fields: [{ path: "buyerId" }] } });
  });
});

describe("ping trees", () => {
  it("creates a tree with defaults, then versions it on replace", async () => {
    const point = await newLeadPoint(unique("tp"), { bid: 100 });
    const treeId = unique("tree");
    const document = { name: "Auto", vertical: "auto_insurance", tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: point.id }] }] };
    const created = expectStatus(await admin<Record<string, unknown>>("PUT", `/ping-trees/${treeId}`, document), 201);
    expect(created).toMatchObject({
      id: treeId,
      version: 1,
      enabled: true,
      maxAcceptsPerLead: 1,
      scoreFloor: 50,
      uniqueLead: { durationSeconds: 3600, pattern: ["clickId", "treeId"] },
      cycles: { max: 1, delaySeconds: 60 },
      tiers: [{ name: "main", mode: "auction", runWhich: "one", positions: [{ leadPointId: point.id, weight: 1, timeoutSeconds: 10, timeoutGraceMs: 0, countTowardsQuota: true }] }],
    });
    const replaced = expectStatus(await admin("PUT", `/ping-trees/${treeId}`, { ...document, name: "Auto v2" }), 200);
    expect(replaced).toMatchObject({ version: 2, name: "Auto v2" });
    expect(expectStatus(await admin("DELETE", `/ping-trees/${treeId}`), 200)).toMatchObject({ enabled: false, version: 2 });
  });

  it.each([
    ["a lead point listed twice", (id: string) => [{ name: "a", mode: "auction", positions: [{ leadPointId: id }] }, { name: "b", mode: "ordered", positions: [{ leadPointId: id }] }], "tiers.1.positions.0.leadPointId"],
    ["a lead point that does not exist", () => [{ name: "a", mode: "auction", positions: [{ leadPointId: "lp_missing" }] }], "tiers.0.positions.0.leadPointId"],
    ["an unknown tier mode", (id: string) => [{ name: "a", mode: "lottery", positions: [{ leadPointId: id }] }], "tiers.0.mode"],
    ["an unknown position field", (id: string) => [{ name: "a", mode: "auction", positions: [{ leadPointId: id, priority: 1 }] }], "tiers.0.positions.0"],
  ])("refuses %s", async (_case, tiers, field) => {
    const point = await newLeadPoint(unique("tp"), { bid: 100 });
    const error = expectStatus(await admin<{ error: { fields: { path: string }[] } }>("PUT", `/ping-trees/${unique("t")}`, { name: "x", vertical: "v", tiers: tiers(point.id) }), 400);
    expect(error.error.fields.map((f) => f.path)).toContain(field);
  });

  it("refuses a tree id that is not a simple token", async () => {
    expectStatus(await admin("PUT", "/ping-trees/has%20space", { name: "x", vertical: "v", tiers: [] }), 400);
  });
});

describe("documentation", () => {
  it("serves the generated OpenAPI document and a readable page", async () => {
    const doc = expectStatus(await call<{ openapi: string; paths: Record<string, unknown> }>("/openapi.json"), 200);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/admin/publishers", "/v1/admin/ping-trees/{treeId}", "/v1/trees/{treeId}/leads", "/v1/admin/leads/{leadId}"]));
    const page = await call<string>("/docs");
    expect(page.status).toBe(200);
    expect(page.body).toContain("/v1/trees/{treeId}/leads");
  });
});

describe("publisher key", () => {
  it("is unusable once the publisher is disabled", async () => {
    const publisher = await newPublisher();
    expectStatus(await admin("DELETE", `/publishers/${publisher.id}`), 200);
    const response = await call("/v1/trees/any/leads", { method: "POST", headers: { "x-api-key": publisher.apiKey, "content-type": "application/json" }, body: "{}" });
    expectStatus(response, 401);
  });
});
