/**
 * Click tracking through the real Worker: the click link's redirect and
 * cookie, its refusals, the stored click, and trees that take only leads
 * whose click id was issued here for their publisher.
 */
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isOnDomain } from "../../src/core/click/landing";
import { createApp } from "../../src/http/app";
import type { components } from "../client/schema";
import { admin, buyerLog, call, expectStatus, leadDetail, newLeadPoint, newTree, submitLead, unique, validLead } from "../support/exchange";

type Click = components["schemas"]["Click"];

async function publisherWithLandings(landingDomains: string[] = ["acme.example"]) {
  const created = await admin<{ id: string; apiKey: string; landingDomains: string[] }>("POST", "/publishers", {
    name: unique("pub"),
    payout: { type: "revshare", percent: 50 },
    landingDomains,
  });
  return expectStatus(created, 201);
}

/** A visitor following the publisher's link; `host` is where the exchange is served. */
function followLink(publisherId: string, query: Record<string, string | string[]>, host = "leadtree.test") {
  const search = new URLSearchParams(Object.entries(query).flatMap(([key, values]) => [values].flat().map((value) => [key, value])));
  return exports.default.fetch(new Request(`https://${host}/v1/click/${publisherId}?${search}`, { redirect: "manual" }));
}

/** The click id a link issues, read from where the visitor is sent. */
async function issuedClickId(publisherId: string, query: Record<string, string> = {}): Promise<string> {
  const response = await followLink(publisherId, { to: "https://www.acme.example/quote", ...query });
  expect(response.status, await response.clone().text()).toBe(302);
  return new URL(response.headers.get("location") ?? "").searchParams.get("c") ?? "";
}

/** The click as D1 has it: it is written just after the redirect. */
async function storedClick(clickId: string): Promise<Click> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await admin<Click>("GET", `/clicks/${clickId}`);
    if (response.status === 200) return response.body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`click ${clickId} never reached D1`);
}

async function clickTree(extra: Record<string, unknown> = { intake: { requireClickId: true } }) {
  const name = unique("click");
  const point = await newLeadPoint(name, { bid: 1000 });
  return { name, treeId: await newTree([{ leadPointId: point.id }], extra) };
}

describe("GET /v1/click/:publisherId", () => {
  it("answers 302 to the landing page with the click id added as c and the query kept", async () => {
    const publisher = await publisherWithLandings();
    const response = await followLink(publisher.id, { to: "https://www.acme.example/quote?utm_source=fb&name=J%C3%B6rg#form", sub: "spring" });
    expect(response.status, await response.clone().text()).toBe(302);
    const location = response.headers.get("location") ?? "";
    expect(location).toMatch(/^https:\/\/www\.acme\.example\/quote\?utm_source=fb&name=J%C3%B6rg&c=clk_[0-9a-f]{20}\.[0-9a-f]{64}#form$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("sets a cookie with the click id that the landing page's script can read", async () => {
    const publisher = await publisherWithLandings();
    const response = await followLink(publisher.id, { to: "https://www.acme.example/" });
    const clickId = new URL(response.headers.get("location") ?? "").searchParams.get("c");
    expect(response.headers.get("set-cookie")).toBe(`lt_click=${clickId}; Max-Age=2592000; Path=/; Secure; SameSite=Lax`);
  });

  it("scopes the cookie to the landing domain when the exchange is served under it", async () => {
    const publisher = await publisherWithLandings();
    const response = await followLink(publisher.id, { to: "https://www.acme.example/" }, "go.acme.example");
    expect(response.headers.get("set-cookie")).toMatch(/^lt_click=clk_[^;]+; Max-Age=2592000; Domain=acme\.example; Path=\/; Secure; SameSite=Lax$/);
  });

  it("stores the click with its sub-IDs and the landing URL, and nothing about the visitor", async () => {
    const publisher = await publisherWithLandings();
    const clickId = await issuedClickId(publisher.id, { to: "https://acme.example/solar?x=1", sub: "spring", sub2: "ad-7", sub3: "blue" });
    const click = await storedClick(clickId);
    expect(click).toEqual({
      id: clickId,
      publisherId: publisher.id,
      subId: "spring",
      subId2: "ad-7",
      subId3: "blue",
      landingUrl: "https://acme.example/solar?x=1",
      createdAt: expect.any(String),
      leads: [],
    });
  });

  const refusals: [string, Record<string, string | string[]>, { path: string; message: string }][] = [
    ["a missing to", {}, { path: "to", message: "is required" }],
    ["a to given twice", { to: ["https://acme.example/", "https://evil.example/"] }, { path: "to", message: "must be given once, as text" }],
    ["a foreign domain", { to: "https://evil.example/" }, { path: "to", message: "must be on one of the publisher's landing domains; evil.example is not" }],
    ["a domain that only ends like the landing domain", { to: "https://notacme.example/" }, { path: "to", message: "must be on one of the publisher's landing domains; notacme.example is not" }],
    ["a javascript: URL", { to: "javascript:alert(1)//acme.example" }, { path: "to", message: "must be an absolute http(s) URL" }],
    ["a relative URL", { to: "/quote" }, { path: "to", message: "must be an absolute http(s) URL" }],
    ["a sub-ID over 255 characters", { to: "https://acme.example/", sub: "s".repeat(256) }, { path: "sub", message: "must be at most 255 characters" }],
  ];
  it.each(refusals)("refuses %s with 400 naming the parameter, and issues no click", async (_name, query, field) => {
    const publisher = await publisherWithLandings();
    const response = await followLink(publisher.id, query);
    const body = await response.json<{ error: { code: string; fields: unknown[] } }>();
    expect(response.status, JSON.stringify(body)).toBe(400);
    expect(body.error).toMatchObject({ code: "validation_failed", fields: [field] });
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("never answers 5xx, and sends visitors only to the publisher's landing domains, whatever the query (property)", async () => {
    const publisher = await publisherWithLandings();
    const onLanding = fc.tuple(fc.constantFrom("https://acme.example", "http://www.acme.example"), fc.webPath(), fc.webQueryParameters()).map(([origin, path, query]) => `${origin}${path}?${query}`);
    const to = fc.oneof(onLanding, fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.string());
    await fc.assert(
      fc.asyncProperty(to, fc.option(fc.string({ maxLength: 300 })), async (landing, sub) => {
        const response = await followLink(publisher.id, { to: landing, ...(sub === null ? {} : { sub }) });
        const body = await response.text();
        expect([302, 400], body).toContain(response.status);
        if (response.status === 302) expect(isOnDomain(new URL(response.headers.get("location") ?? "").hostname, "acme.example")).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("refuses every landing URL of a publisher without landing domains", async () => {
    const publisher = await publisherWithLandings([]);
    const response = await followLink(publisher.id, { to: "https://acme.example/" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { fields: [{ path: "to", message: expect.stringContaining("has no landing domains") }] } });
  });

  it("answers 404 for an unknown publisher and for a disabled one", async () => {
    const unknown = await followLink("pub_nosuch", { to: "https://acme.example/" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });

    const publisher = await publisherWithLandings();
    expectStatus(await admin("DELETE", `/publishers/${publisher.id}`), 200);
    const disabled = await followLink(publisher.id, { to: "https://acme.example/" });
    expect(disabled.status).toBe(404);
  });

  it("answers 503 when the deployment has no CLICK_SECRET", async () => {
    const publisher = await publisherWithLandings();
    const { CLICK_SECRET: _secret, ...withoutSecret } = env;
    const response = await createApp().request(`/v1/click/${publisher.id}?to=https://acme.example/`, {}, withoutSecret);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringContaining("CLICK_SECRET") } });
  });
});

describe("publishers' landing domains", () => {
  it("read back in lower case, and as an empty list when none were given", async () => {
    expect((await publisherWithLandings(["Acme.Example", "quotes.acme.example"])).landingDomains).toEqual(["acme.example", "quotes.acme.example"]);
    const created = expectStatus(await admin<{ id: string; landingDomains: string[] }>("POST", "/publishers", { name: unique("pub"), payout: { type: "revshare", percent: 50 } }), 201);
    expect(created.landingDomains).toEqual([]);
    expect(expectStatus(await admin<{ landingDomains: string[] }>("GET", `/publishers/${created.id}`), 200).landingDomains).toEqual([]);
  });

  it.each([["a URL", "https://acme.example/"], ["a wildcard", "*.acme.example"], ["a host with a port", "acme.example:8080"]])(
    "refuse %s with 400 naming the entry",
    async (_name, domain) => {
      const response = await admin<{ error: { fields: { path: string }[] } }>("POST", "/publishers", { name: unique("pub"), payout: { type: "revshare", percent: 50 }, landingDomains: [domain] });
      expect(expectStatus(response, 400).error.fields.map((field) => field.path)).toEqual(["landingDomains.0"]);
    },
  );
});

describe("a tree with intake.requireClickId", () => {
  it("takes a lead whose click id was issued here for its publisher, and the click leads to it", async () => {
    const publisher = await publisherWithLandings();
    const { treeId } = await clickTree();
    const clickId = await issuedClickId(publisher.id, { sub: "spring" });
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ clickId, subId: "spring" })), 200);
    expect(answer).toMatchObject({ status: "accepted" });

    expect(await leadDetail(String(answer.leadId))).toMatchObject({ clickId, subId: "spring", status: "accepted" });
    await expect.poll(async () => (await storedClick(clickId)).leads).toEqual([
      { id: answer.leadId, treeId, status: "accepted", priceCents: 1000, payoutCents: 500, receivedAt: expect.any(String) },
    ]);
  });

  it("takes the click id under its alias c, from a form post", async () => {
    const publisher = await publisherWithLandings();
    const { treeId } = await clickTree();
    const { consent, clickId: _clickId, ...fields } = validLead({ c: await issuedClickId(publisher.id) }) as { consent: { text: string; ip: string; timestamp: string } } & Record<string, string>;
    const body = new URLSearchParams({ ...fields, api_key: publisher.apiKey, consent_text: consent.text, consent_ip: consent.ip, consent_timestamp: consent.timestamp });
    const response = await call(`/v1/trees/${treeId}/leads`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    expect(expectStatus(response, 200)).toMatchObject({ status: "accepted" });
  });

  it.each([
    ["a made-up click id", async () => "clk-1001"],
    ["a click id in the right form that was never issued", async () => `clk_${"0".repeat(20)}.${"0".repeat(64)}`],
    ["another publisher's click id", async () => issuedClickId((await publisherWithLandings()).id)],
  ])("refuses %s with 400 naming clickId, and pings no buyer", async (_name, clickIdOf) => {
    const publisher = await publisherWithLandings();
    const { name, treeId } = await clickTree();
    const response = await submitLead(treeId, publisher.apiKey, validLead({ clickId: await clickIdOf() }));
    expect(expectStatus(response, 400)).toMatchObject({
      status: "error",
      error: { code: "validation_failed", fields: [{ path: "clickId", message: expect.stringContaining("not a click id this exchange issued") }] },
    });
    expect(await buyerLog(name)).toEqual([]);
  });

  it("names clickId among the lead's other errors", async () => {
    const publisher = await publisherWithLandings();
    const { treeId } = await clickTree();
    const response = await submitLead(treeId, publisher.apiKey, validLead({ clickId: "clk-1001", email: "nobody@" }));
    const body = expectStatus(response, 400) as { error: { fields: { path: string }[] } };
    expect(body.error.fields.map((field) => field.path)).toEqual(["email", "clickId"]);
  });

  it("leaves trees without it taking any click id", async () => {
    const publisher = await publisherWithLandings();
    const { treeId } = await clickTree({});
    expect(expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ clickId: "clk-1001" })), 200)).toMatchObject({ status: "accepted" });
  });
});
