/**
 * Configuration that changes after creation: PATCH of publishers, buyers and
 * lead points, and new API keys. Each route: what it changes, what it keeps,
 * what it refuses, and that it takes the operator's token.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/buyers/sign";
import { hashKey } from "../../src/store/ids";
import {
  admin,
  buyerLog,
  buyerUrl,
  call,
  expectOperatorOnly,
  expectStatus,
  newBuyer,
  newLeadPoint,
  newPublisher,
  newTree,
  submitLead,
  unique,
} from "../support/exchange";

interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

const fieldsOf = (body: ErrorBody) => (body.error.fields ?? []).map((field) => field.path);

/** Whether a publisher key is accepted: a lead for a tree that does not exist is 404 with a good key, 401 without. */
async function publisherKeyStatus(apiKey: string): Promise<number> {
  const response = await call(`/v1/trees/${unique("no-tree")}/leads`, { method: "POST", headers: { "x-api-key": apiKey, "content-type": "application/json" }, body: "{}" });
  return response.status;
}

describe("operator auth on the routes that change configuration", () => {
  it.each<[string, string, unknown?]>([
    ["PATCH", "/publishers/pub_x", { name: "x" }],
    ["PATCH", "/buyers/buy_x", { name: "x" }],
    ["PATCH", "/lead-points/lp_x", { name: "x" }],
    ["POST", "/publishers/pub_x/rotate-key"],
    ["POST", "/buyers/buy_x/rotate-key"],
  ])("%s %s refuses a missing or wrong token with 401", (method, path, body) => expectOperatorOnly(method, path, body));
});

describe("PATCH /v1/admin/publishers/:id", () => {
  it("changes the fields it names, keeps the rest and the API key, and null removes the postback URL", async () => {
    const created = expectStatus(
      await admin<{ id: string; apiKey: string }>("POST", "/publishers", { name: "Acme", payout: { type: "revshare", percent: 60 }, postbackUrl: "https://acme.example/pb" }),
      201,
    );
    const renamed = expectStatus(await admin("PATCH", `/publishers/${created.id}`, { name: "Acme Media", payout: { type: "fixed", amountCents: 300 } }), 200);
    expect(renamed).toMatchObject({ id: created.id, name: "Acme Media", payout: { type: "fixed", amountCents: 300 }, postbackUrl: "https://acme.example/pb", enabled: true });
    expect(renamed).not.toHaveProperty("apiKey");
    expect(await publisherKeyStatus(created.apiKey), "the key survives a patch").toBe(404);

    const withoutPostback = expectStatus(await admin("PATCH", `/publishers/${created.id}`, { postbackUrl: null }), 200);
    expect(withoutPostback).not.toHaveProperty("postbackUrl");
    expect(expectStatus(await admin("GET", `/publishers/${created.id}`), 200)).toEqual(withoutPostback);
  });

  it("disables and enables again with enabled, which DELETE alone cannot undo", async () => {
    const publisher = await newPublisher();
    expectStatus(await admin("PATCH", `/publishers/${publisher.id}`, { enabled: false }), 200);
    expect(await publisherKeyStatus(publisher.apiKey)).toBe(401);
    expect(expectStatus(await admin("PATCH", `/publishers/${publisher.id}`, { enabled: true }), 200)).toMatchObject({ enabled: true });
    expect(await publisherKeyStatus(publisher.apiKey)).toBe(404);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown field", { colour: "red" }, "(body)"],
    ["a payout that is not valid", { payout: { type: "revshare", percent: 120 } }, "payout.percent"],
    ["null for a field a publisher cannot go without", { name: null }, "name"],
    ["a float amount of money", { payout: { type: "fixed", amountCents: 2.5 } }, "payout.amountCents"],
  ])("refuses %s with 400 naming the field, and changes nothing", async (_case, patch, field) => {
    const publisher = await newPublisher();
    const before = expectStatus(await admin("GET", `/publishers/${publisher.id}`), 200);
    const error = expectStatus(await admin<ErrorBody>("PATCH", `/publishers/${publisher.id}`, patch), 400);
    expect(error.error.code).toBe("validation_failed");
    expect(fieldsOf(error)).toContain(field);
    expect(expectStatus(await admin("GET", `/publishers/${publisher.id}`), 200)).toEqual(before);
  });

  it("answers 404 for a publisher that does not exist", async () => {
    expect(expectStatus(await admin("PATCH", "/publishers/pub_nope", { name: "x" }), 404)).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("PATCH /v1/admin/buyers/:id", () => {
  it("changes the return window and keeps the name", async () => {
    const buyer = await newBuyer();
    const before = expectStatus(await admin<{ name: string }>("GET", `/buyers/${buyer.id}`), 200);
    expect(expectStatus(await admin("PATCH", `/buyers/${buyer.id}`, { returnWindowHours: 24 }), 200)).toMatchObject({ id: buyer.id, name: before.name, returnWindowHours: 24 });
  });

  it("takes a disabled buyer's lead points out of every tree from the next lead, and back when enabled", async () => {
    const name = unique("buyer-switch");
    const point = await newLeadPoint(name, { bid: 900 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    expectStatus(await admin("PATCH", `/buyers/${point.buyerId}`, { enabled: false }), 200);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200).status).toBe("declined");
    expectStatus(await admin("PATCH", `/buyers/${point.buyerId}`, { enabled: true }), 200);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200).status).toBe("accepted");
    expect((await buyerLog(name)).map((request) => request.type), "the disabled buyer was never pinged").toEqual(["ping", "post"]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown field", { apiKey: "lt_buy_x" }, "(body)"],
    ["a return window past a year", { returnWindowHours: 100_000 }, "returnWindowHours"],
    ["a name that is not text", { name: 5 }, "name"],
  ])("refuses %s with 400", async (_case, patch, field) => {
    const buyer = await newBuyer();
    expect(fieldsOf(expectStatus(await admin<ErrorBody>("PATCH", `/buyers/${buyer.id}`, patch), 400))).toContain(field);
  });

  it("answers 404 for a buyer that does not exist", async () => {
    expectStatus(await admin("PATCH", "/buyers/buy_nope", { name: "x" }), 404);
  });
});

describe("PATCH /v1/admin/lead-points/:id", () => {
  const credentials = { secret: "s3cret-signing-key", headers: { Authorization: "Bearer buyer-key-1", "X-Account": "acct-1" } };

  async function signedPoint(name: string) {
    const buyer = await newBuyer();
    return expectStatus(
      await admin<{ id: string; buyerId: string }>("POST", "/lead-points", {
        buyerId: buyer.id,
        name,
        kind: "direct_post",
        post: { url: buyerUrl(name), ...credentials },
        pricing: { type: "fixed", priceCents: 1000 },
      }),
      201,
    );
  }

  it("keeps the id and the credentials: a patch of the URL and price, and one that sends back what a read shows, still sign with the stored secret", async () => {
    const [first, second] = [unique("cred-a"), unique("cred-b")];
    const point = await signedPoint(first);
    const publisher = await newPublisher({ type: "fixed", amountCents: 100 });
    const treeId = await newTree([{ leadPointId: point.id }]);

    const patched = expectStatus(await admin<Record<string, unknown>>("PATCH", `/lead-points/${point.id}`, { post: { url: buyerUrl(second) }, pricing: { type: "fixed", priceCents: 1500 } }), 200);
    expect(patched).toMatchObject({ id: point.id, post: { url: buyerUrl(second), secret: "***", headers: { Authorization: "***", "X-Account": "***" } }, pricing: { priceCents: 1500 } });
    const readBack = expectStatus(await admin<Record<string, unknown>>("GET", `/lead-points/${point.id}`), 200);
    const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = readBack;
    expectStatus(await admin("PATCH", `/lead-points/${point.id}`, document), 200);

    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200).status).toBe("accepted");
    const [post] = await buyerLog(second);
    expect(post?.body).toMatchObject({ type: "post", priceCents: 1500 });
    expect(post?.headers).toMatchObject({ authorization: "Bearer buyer-key-1", "x-account": "acct-1" });
    expect(await verifySignature(credentials.secret, post?.headers["x-leadtree-signature"] ?? "", post?.raw ?? "", Math.floor(Date.now() / 1000))).toBe(true);
    expect(await buyerLog(first), "nothing went to the old URL").toEqual([]);
  });

  it("takes new credentials: a new secret signs, a header sent replaces the set, and null removes the secret", async () => {
    const name = unique("cred-new");
    const point = await signedPoint(name);
    const publisher = await newPublisher({ type: "fixed", amountCents: 100 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    expectStatus(await admin("PATCH", `/lead-points/${point.id}`, { post: { secret: "a-new-signing-key", headers: { Authorization: "***", "X-Region": "east" } } }), 200);
    expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expectStatus(await admin("PATCH", `/lead-points/${point.id}`, { post: { secret: null } }), 200);
    expectStatus(await submitLead(treeId, publisher.apiKey), 200);

    const [signed, unsigned] = await buyerLog(name);
    expect(await verifySignature("a-new-signing-key", signed?.headers["x-leadtree-signature"] ?? "", signed?.raw ?? "", Math.floor(Date.now() / 1000))).toBe(true);
    expect(signed?.headers).toMatchObject({ authorization: "Bearer buyer-key-1", "x-region": "east" });
    expect(signed?.headers).not.toHaveProperty("x-account");
    expect(unsigned?.headers).not.toHaveProperty("x-leadtree-signature");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown field", { priority: 1 }, "(body)"],
    ["an unknown endpoint field", { post: { colour: "red" } }, "post"],
    ["a ping_post without a ping endpoint once merged", { kind: "ping_post" }, "ping"],
    ["a fixed price without its amount", { pricing: { type: "fixed" } }, "pricing.priceCents"],
    ["a header name that cannot be sent", { post: { headers: { "Bad Header": "x" } } }, "post.headers.Bad Header"],
    ["*** for a header that is not stored", { post: { headers: { "X-Other": "***" } } }, "post.headers.X-Other"],
    ["another buyer", { buyerId: "buy_someone_else" }, "buyerId"],
    ["a bad cap time zone", { caps: { timezone: "Mars/Olympus", daily: 3 } }, "caps.timezone"],
  ])("refuses %s with 400 naming the field, and changes nothing", async (_case, patch, field) => {
    const point = await signedPoint(unique("bad-patch"));
    const before = expectStatus(await admin("GET", `/lead-points/${point.id}`), 200);
    const error = expectStatus(await admin<ErrorBody>("PATCH", `/lead-points/${point.id}`, patch), 400);
    expect(error.error.code).toBe("validation_failed");
    expect(fieldsOf(error)).toContain(field);
    expect(expectStatus(await admin("GET", `/lead-points/${point.id}`), 200)).toEqual(before);
  });

  it("lands every one of concurrent patches of different fields: none is lost to another made from the same read", async () => {
    const point = await newLeadPoint(unique("concurrent"), { bid: 100 });
    const patches: Record<string, unknown>[] = [
      { name: unique("renamed") },
      { minScore: 40 },
      { dedupeDays: 12 },
      { consentNames: ["Acme Insurance"] },
      { caps: { timezone: "America/Chicago", daily: 9 } },
      { bidRules: [{ name: "plus", when: [], adjustCents: 25 }] },
    ];
    const answers = await Promise.all(patches.map((patch) => admin("PATCH", `/lead-points/${point.id}`, patch)));
    for (const answer of answers) expectStatus(answer, 200);
    const stored = expectStatus(await admin<Record<string, unknown>>("GET", `/lead-points/${point.id}`), 200);
    for (const patch of patches) expect(stored).toMatchObject(patch);
  });

  it("lands concurrent patches of a publisher's fields too", async () => {
    const publisher = await newPublisher();
    const patches: Record<string, unknown>[] = [{ name: unique("pub") }, { postbackUrl: "https://acme.example/postback" }, { payout: { type: "fixed", amountCents: 300 } }];
    for (const answer of await Promise.all(patches.map((patch) => admin("PATCH", `/publishers/${publisher.id}`, patch)))) expectStatus(answer, 200);
    const stored = expectStatus(await admin<Record<string, unknown>>("GET", `/publishers/${publisher.id}`), 200);
    for (const patch of patches) expect(stored).toMatchObject(patch);
  });

  it("answers 404 for a lead point that does not exist, 415 for a body that is not JSON", async () => {
    expectStatus(await admin("PATCH", "/lead-points/lp_nope", { name: "x" }), 404);
    const point = await signedPoint(unique("not-json"));
    const response = await call(`/v1/admin/lead-points/${point.id}`, { method: "PATCH", headers: { authorization: "Bearer test-admin-token", "content-type": "text/plain" }, body: "name=x" });
    expectStatus(response, 415);
  });
});

describe("POST /v1/admin/{publishers,buyers}/:id/rotate-key", () => {
  it("gives a publisher a new key, shown once; the old key is refused from the next request", async () => {
    const publisher = await newPublisher();
    expect(await publisherKeyStatus(publisher.apiKey)).toBe(404);
    const { apiKey } = expectStatus(await admin<{ apiKey: string }>("POST", `/publishers/${publisher.id}/rotate-key`), 200);
    expect(apiKey).toMatch(/^lt_pub_[0-9a-f]{48}$/);
    expect(await publisherKeyStatus(publisher.apiKey), "the old key").toBe(401);
    expect(await publisherKeyStatus(apiKey), "the new key").toBe(404);
    expect(JSON.stringify(expectStatus(await admin("GET", `/publishers/${publisher.id}`), 200))).not.toContain(apiKey);
  });

  it("gives a buyer a new key; only its hash is stored", async () => {
    const buyer = await newBuyer();
    const { apiKey } = expectStatus(await admin<{ apiKey: string }>("POST", `/buyers/${buyer.id}/rotate-key`), 200);
    expect(apiKey).toMatch(/^lt_buy_/);
    const row = await env.DB.prepare("SELECT api_key_hash AS hash FROM buyers WHERE id = ?").bind(buyer.id).first<{ hash: string }>();
    expect(row?.hash).toBe(await hashKey(apiKey));
    expect(row?.hash).not.toBe(await hashKey(buyer.apiKey));
  });

  it("takes no body, while a create sent none answers 400 naming what is missing and a PATCH sent none changes nothing", async () => {
    const headers = { authorization: "Bearer test-admin-token" };
    const created = await call<ErrorBody>("/v1/admin/publishers", { method: "POST", headers });
    expect(fieldsOf(expectStatus(created, 400))).toEqual(expect.arrayContaining(["name", "payout"]));
    const buyer = await newBuyer();
    const before = expectStatus(await admin<Record<string, unknown>>("GET", `/buyers/${buyer.id}`), 200);
    const patched = expectStatus(await call<Record<string, unknown>>(`/v1/admin/buyers/${buyer.id}`, { method: "PATCH", headers }), 200);
    expect({ ...patched, updatedAt: before.updatedAt }).toEqual(before);
  });

  it("answers 404 for an id that does not exist, with or without a JSON body", async () => {
    expectStatus(await admin("POST", "/publishers/pub_nope/rotate-key"), 404);
    expectStatus(await admin("POST", "/buyers/buy_nope/rotate-key", {}), 404);
  });
});
