import { describe, expect, it } from "vitest";
import { admin, expectStatus, newBuyer } from "../support/exchange";

type Refusal = { error: { code: string; message: string; fields: { path: string; message: string }[] } };

const ping = { url: "https://buyer.example/ping" };
const post = { url: "https://buyer.example/post" };

/** A lead point on a real buyer, with the endpoints the case gives. */
async function saveLeadPoint(endpoints: Record<string, unknown>) {
  const buyer = await newBuyer();
  return admin<Refusal>("POST", "/lead-points", { buyerId: buyer.id, name: "mapped", kind: "ping_post", ping, post, pricing: { type: "dynamic" }, ...endpoints });
}

describe("a lead point's buyer mapping is checked when it is saved", () => {
  it.each([
    { name: "an accept path that is no path", endpoints: { post: { ...post, response: { accept: { path: "$..status" } } } }, field: "post.response.accept.path", message: /has an empty name/ },
    { name: "a price path with a filter", endpoints: { ping: { ...ping, response: { accept: { path: "ok" }, price: "$.bids[?(@.ok)]" } } }, field: "ping.response.price", message: /unsupported \[ \]/ },
    { name: "an empty reason path", endpoints: { post: { ...post, response: { accept: { path: "ok" }, reason: " " } } }, field: "post.response.reason", message: /empty path/ },
    { name: "a json ping template that does not parse", endpoints: { ping: { ...ping, template: '{"zip":"${lead.zip}",}' } }, field: "ping.template", message: /does not render valid JSON/ },
    { name: "an xml post template that is not well-formed", endpoints: { post: { ...post, format: "xml", template: "<lead><zip>${lead.zip}</zip>" } }, field: "post.template", message: /does not render well-formed XML/ },
    { name: "an unknown placeholder", endpoints: { post: { ...post, format: "form", template: "zip=${lead.zip}&phone=${phone}" } }, field: "post.template", message: /unknown placeholder \$\{phone\}/ },
    { name: "a placeholder never closed", endpoints: { post: { ...post, format: "form", template: "zip=${lead.zip" } }, field: "post.template", message: /not closed with \}/ },
    { name: "a price in a ping template", endpoints: { ping: { ...ping, template: '{"price":${price}}' } }, field: "ping.template", message: /\$\{price\} has no value in a ping/ },
    { name: "a header name that cannot be sent", endpoints: { post: { ...post, headers: { "Api Key": "k" } } }, field: "post.headers.Api Key", message: /not a valid HTTP header name/ },
    { name: "a header value that would inject another header", endpoints: { ping: { ...ping, headers: { Authorization: "Bearer k\r\nX-Evil: 1" } } }, field: "ping.headers.Authorization", message: /line break/ },
  ])("refuses $name with 400 naming $field", async ({ endpoints, field, message }) => {
    const refusal = expectStatus(await saveLeadPoint(endpoints), 400);
    expect(refusal.error.code).toBe("validation_failed");
    const named = refusal.error.fields.find((f) => f.path === field);
    expect(named?.message, JSON.stringify(refusal)).toMatch(message);
  });

  it("saves a mapping that can work", async () => {
    const response = { accept: { path: "response.status", equals: "Matched" }, price: "response.price", reason: "response.error" };
    const saved = await saveLeadPoint({
      ping: { ...ping, format: "xml", template: "<ping><zip>${lead.zip}</zip><wait>${lpi.Allowed Response Time}</wait></ping>", response },
      post: { ...post, template: '{"id":"${lead.id}","email":"${lead.email}","price":${price},"token":"${ping.token}","ip":"${consent.ip}"}', headers: { Authorization: "Bearer k" } },
    });
    expectStatus(saved, 201);
  });
});
