import { XMLParser } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { EndpointSchema } from "../../core/config";
import { wireFor, type PingMessage, type PostMessage } from ".";

const nasty = `O'Brien & "Sons" <x>\\ \n 100% +1 é`;

const post: PostMessage = {
  leadId: "lead_1",
  treeId: "tree_1",
  vertical: "auto",
  score: 90,
  fields: { firstName: nasty, state: "CA", vehicleYear: 2019, homeowner: false },
  consent: { text: "I agree.", textSha256: "826ff0dab649a97ffdd7779a332accafb35cc161012253a19383db19289d6e02", ip: "203.0.113.9", timestamp: "2026-11-28T12:00:00.000Z" },
  priceCents: 1250,
  pingToken: "tok&1",
  allowedResponseMs: 2500,
};

const ping: PingMessage = {
  leadId: "lead_1",
  treeId: "tree_1",
  vertical: "auto",
  score: 90,
  fields: { state: "CA" },
  allowedResponseMs: 10_000,
};

function renderPost(format: "json" | "form" | "xml", template: string, message: PostMessage = post) {
  return wireFor(EndpointSchema.parse({ url: "https://buyer.example/p", format, template })).renderPost(message);
}

describe("templates escape every value for their format", () => {
  test.each([
    {
      name: "json: string escaping inside the template's own quotes",
      format: "json" as const,
      template: '{"name":"${lead.firstName}","id":"${lead.id}","price":${price},"token":"${ping.token}","year":${lead.vehicleYear},"wait":${lpi.Allowed Response Time}}',
      read: (body: string): unknown => JSON.parse(body),
      expected: { name: nasty, id: "lead_1", price: 12.5, token: "tok&1", year: 2019, wait: 2 },
    },
    {
      name: "xml: entities for markup characters",
      format: "xml" as const,
      template: "<lead><name>${lead.firstName}</name><price>${price}</price><token>${ping.token}</token><consent>${consent.text}</consent></lead>",
      read: (body: string): unknown => new XMLParser({ parseTagValue: false, trimValues: false }).parse(body),
      expected: { lead: { name: nasty, price: "12.50", token: "tok&1", consent: "I agree." } },
    },
    {
      name: "form: URL encoding of each value",
      format: "form" as const,
      template: "name=${lead.firstName}&price=${price}&token=${ping.token}&owner=${lead.homeowner}",
      read: (body: string): unknown => Object.fromEntries(new URLSearchParams(body)),
      expected: { name: nasty, price: "12.50", token: "tok&1", owner: "false" },
    },
  ])("$name", ({ format, template, read, expected }) => {
    const rendered = renderPost(format, template);
    expect(read(rendered.body), rendered.body).toEqual(expected);
  });

  test.each([
    { name: "an unknown placeholder renders empty", template: "a${nope}b${lead.missing}c${consent.nope}d", expected: "abcd" },
    { name: "a prototype name renders empty", template: "[${lead.constructor}][${consent.toString}]", expected: "[][]" },
    { name: "spaces inside the braces are ignored", template: "${ lead.state }", expected: "CA" },
    { name: "an unclosed placeholder is literal text", template: "x${lead.state", expected: "x${lead.state" },
    { name: "the exchange's own values", template: "${lead.treeId}/${lead.vertical}/${lead.score}", expected: "tree_1/auto/90" },
    { name: "the consent text's hash and certificate", template: "${consent.textSha256}|${consent.certificateUrl}", message: { ...post, consent: { ...post.consent, certificateUrl: "https://cert.trustedform.com/abc" } }, expected: `${post.consent.textSha256}|https://cert.trustedform.com/abc` },
    { name: "price of whole dollars keeps two decimals", template: "${price}", message: { ...post, priceCents: 100_000 }, expected: "1000.00" },
    { name: "price under a dollar", template: "${price}", message: { ...post, priceCents: 5 }, expected: "0.05" },
    { name: "response time rounds down to whole seconds", template: "${lpi.Allowed Response Time}", message: { ...post, allowedResponseMs: 2999 }, expected: "2" },
  ])("$name", ({ template, message, expected }) => {
    expect(renderPost("json", template, message).body).toBe(expected);
  });

  test("a ping template has no price, token or consent to render", () => {
    const wire = wireFor(EndpointSchema.parse({ url: "https://buyer.example/p", template: "${price}|${ping.token}|${consent.text}|${lead.state}|${lpi.Allowed Response Time}" }));
    expect(wire.renderPing(ping)).toEqual({ body: "|||CA|10", contentType: "application/json" });
  });

  test("the content type follows the endpoint's format", () => {
    expect(renderPost("xml", "<a/>").contentType).toBe("application/xml; charset=utf-8");
    expect(renderPost("form", "a=1").contentType).toBe("application/x-www-form-urlencoded");
  });
});
