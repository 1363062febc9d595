import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/buyers/sign";
import { admin, buyerLog, buyerUrl, call, expectStatus, leadDetail, newBuyer, newLeadPoint, newPublisher, newTree, submitLead, treeGate, unique, validLead } from "../support/exchange";

async function openTree(extra: Record<string, unknown> = {}, behaviour: Record<string, string | number> = { bid: 1000 }, pointExtra: Record<string, unknown> = {}) {
  const name = unique("in");
  const point = await newLeadPoint(name, behaviour, pointExtra);
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }], extra);
  return { name, point, publisher, treeId };
}

function form(values: Record<string, string>): string {
  return new URLSearchParams(values).toString();
}

describe("publisher intake", () => {
  it("takes a form post with api_key and consent_* fields, and fills city and state from the ZIP", async () => {
    const { publisher, treeId } = await openTree();
    const response = await call<Record<string, unknown>>(`/v1/trees/${treeId}/leads`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form({
        api_key: publisher.apiKey,
        firstName: "Maria",
        lastName: "Lopez",
        email: "maria.lopez@yahoo.com",
        phone: "3125550199".replace("5550199", "7441234"),
        zip: "60601",
        c: unique("click"),
        consent_text: "I agree to be contacted.",
        consent_ip: "198.51.100.23",
        consent_timestamp: new Date().toISOString(),
      }),
    });
    const answer = expectStatus(response, 200);
    expect(answer.status).toBe("accepted");
    const lead = await leadDetail(String(answer.leadId));
    expect(lead).toMatchObject({ fields: { city: "Chicago", state: "IL", zip: "60601" } });
  });

  it.each([
    ["no fields at all", {}, ["firstName", "lastName", "email", "phone", "zip", "consent"]],
    ["an email that cannot be an address", { email: "maria@@nowhere" }, ["email"]],
    ["a phone that is not a possible US number", { phone: "12345" }, ["phone"]],
    ["a ZIP that does not exist", { zip: "00000" }, ["zip"]],
    ["a consent record without an IP", { consent: { text: "ok", timestamp: new Date().toISOString() } }, ["consent.ip"]],
  ])("refuses %s with 400 naming each field", async (_case, overrides, fields) => {
    const { publisher, treeId, name } = await openTree();
    const lead = _case === "no fields at all" ? {} : validLead(overrides);
    const body = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 400) as { status: string; error: { code: string; fields: { path: string }[] } };
    expect(body.status).toBe("error");
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.fields.map((f) => f.path)).toEqual(expect.arrayContaining(fields));
    expect(await buyerLog(name)).toEqual([]);
  });

  it.each([
    ["malformed JSON", { "content-type": "application/json" }, "{firstName:", 400, "invalid_json"],
    ["a JSON array", { "content-type": "application/json" }, "[1,2]", 400, "bad_request"],
    ["a text body", { "content-type": "text/plain" }, "hello", 415, "unsupported_media_type"],
    ["no content type", {}, "hello", 415, "unsupported_media_type"],
  ])("refuses %s", async (_case, headers, body, status, code) => {
    const { publisher, treeId } = await openTree();
    const response = await call(`/v1/trees/${treeId}/leads`, { method: "POST", headers: { "x-api-key": publisher.apiKey, ...headers }, body });
    expect(expectStatus(response, status)).toMatchObject({ error: { code } });
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const { publisher, treeId } = await openTree();
    const response = await submitLead(treeId, publisher.apiKey, validLead({ notes: "x".repeat(70 * 1024) }));
    expect(expectStatus(response, 413)).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("refuses a missing or wrong key with 401, an unknown tree with 404, a disabled tree with 422", async () => {
    const { publisher, treeId } = await openTree();
    const noKey = await call(`/v1/trees/${treeId}/leads`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(validLead()) });
    expect(expectStatus(noKey, 401)).toMatchObject({ error: { code: "unauthorized" } });
    expectStatus(await submitLead(treeId, "lt_pub_wrong", validLead()), 401);
    expect(expectStatus(await submitLead("no-such-tree", publisher.apiKey), 404)).toMatchObject({ error: { code: "not_found" } });
    expectStatus(await admin("DELETE", `/ping-trees/${treeId}`), 200);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 422)).toMatchObject({ error: { code: "unprocessable" } });
  });

  it("declines a lead the tree's filter rejects, without pinging anyone", async () => {
    const { publisher, treeId, name } = await openTree({ filters: [{ field: "state", op: "eq", value: "ca" }] });
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(answer.status).toBe("declined");
    expect(await buyerLog(name)).toEqual([]);
    const lead = await leadDetail(String(answer.leadId));
    expect(lead).toMatchObject({ status: "rejected", reason: expect.stringContaining("state") });
  });

  it("refuses, as a validation error carrying its message, a lead failing a tree filter with action error", async () => {
    const { publisher, treeId } = await openTree({ filters: [{ field: "state", op: "eq", value: "CA", action: "error", message: "We only take California leads" }] });
    const body = expectStatus(await submitLead(treeId, publisher.apiKey), 400);
    expect(body).toMatchObject({ status: "error", error: { code: "validation_failed", message: "We only take California leads", fields: [{ path: "state" }] } });
  });

  it("declines a lead under the tree's score floor", async () => {
    const { publisher, treeId, name } = await openTree({ scoreFloor: 100 });
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ email: `${unique("z")}@mailinator.com` })), 200);
    expect(answer.status).toBe("declined");
    expect(await buyerLog(name)).toEqual([]);
  });

  it("signs every request to an endpoint with a secret", async () => {
    const secret = "buyer-shared-secret";
    const name = unique("signed");
    const url = buyerUrl(name, { bid: 3000 });
    const buyer = await newBuyer();
    const point = expectStatus(
      await admin<{ id: string }>("POST", "/lead-points", {
        buyerId: buyer.id,
        name,
        kind: "ping_post",
        ping: { url, secret },
        post: { url, secret },
        pricing: { type: "dynamic" },
      }),
      201,
    );
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    const log = await buyerLog(name);
    expect(log.map((r) => r.type)).toEqual(["ping", "post"]);
    for (const request of log) {
      const header = request.headers["x-leadtree-signature"] ?? "";
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(await verifySignature(secret, header, request.raw, Math.floor(Date.now() / 1000))).toBe(true);
    }
  });

  it("stores the lead in its gate before any buyer is contacted", async () => {
    const { publisher, treeId, name } = await openTree({}, { bid: 1000, delay: 400 });
    const lead = validLead();
    const pending = submitLead(treeId, publisher.apiKey, lead);
    while ((await buyerLog(name)).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const gate = treeGate(treeId);
    const logged = await runInDurableObject(gate, (_instance, state) =>
      state.storage.sql.exec<{ lead: string; state: string }>("SELECT lead, state FROM lead_log").toArray(),
    );
    expect(logged.some((row) => row.state === "running" && row.lead.includes(String(lead.clickId)))).toBe(true);
    expectStatus(await pending, 200);
  });

  it("answers a resubmit of a sold lead with its first result and contacts no buyer again", async () => {
    const { publisher, treeId, name } = await openTree();
    const lead = validLead();
    const first = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    const again = expectStatus(await submitLead(treeId, publisher.apiKey, { ...lead, email: "changed.mind@gmail.com" }), 200);
    expect(again).toEqual(first);
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
  });
});
