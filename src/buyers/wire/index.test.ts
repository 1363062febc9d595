import { XMLParser } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { EndpointSchema, type Endpoint, type ResponseMapping } from "../../core/config";
import { wireFor, wireProblems, type PingAnswer, type PingMessage, type PostAnswer, type PostMessage, type WireFormat, type WireProblem } from ".";

const ping: PingMessage = {
  leadId: "lead_1",
  treeId: "tree_1",
  vertical: "solar",
  score: 87,
  fields: { state: "CA", zip: "94103", homeowner: true, monthlyElectricBill: 180 },
  allowedResponseMs: 2500,
};

const post: PostMessage = {
  leadId: "lead_1",
  treeId: "tree_1",
  vertical: "solar",
  score: 87,
  fields: { firstName: `O'Brien & "Sons" <x>`, state: "CA", zip: "94103", homeowner: true },
  consent: { text: "I agree to be called.", textSha256: "31f9ec58ea287bff88069112c2f94dd1d974e539892bb6c501010ab1f8a1800d", ip: "203.0.113.9", timestamp: "2026-11-28T12:00:00.000Z", pageUrl: "https://pub.example/form?a=1&b=2" },
  priceCents: 1250,
  pingToken: "tok_007",
  allowedResponseMs: 2500,
};

function endpoint(extra: Record<string, unknown> = {}): Endpoint {
  return EndpointSchema.parse({ url: "https://buyer.example/leads", ...extra });
}

const xml = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, ignoreAttributes: false, attributeNamePrefix: "@" });

function decode(format: WireFormat, body: string): unknown {
  if (format === "json") return JSON.parse(body);
  if (format === "form") return Object.fromEntries(new URLSearchParams(body));
  return xml.parse(body);
}

describe("default protocol rendering", () => {
  test.each([
    {
      name: "json ping is the contract's shape, in its key order",
      format: "json" as const,
      render: () => wireFor(endpoint()).renderPing(ping),
      contentType: "application/json",
      expected: { type: "ping", leadId: "lead_1", treeId: "tree_1", vertical: "solar", score: 87, fields: ping.fields },
    },
    {
      name: "json post carries the token, price, all fields and consent",
      format: "json" as const,
      render: () => wireFor(endpoint()).renderPost(post),
      contentType: "application/json",
      expected: { type: "post", leadId: "lead_1", pingToken: "tok_007", priceCents: 1250, score: 87, fields: post.fields, consent: post.consent },
    },
    {
      name: "form ping flattens fields next to the envelope",
      format: "form" as const,
      render: () => wireFor(endpoint({ format: "form" })).renderPing(ping),
      contentType: "application/x-www-form-urlencoded",
      expected: { state: "CA", zip: "94103", homeowner: "true", monthlyElectricBill: "180", type: "ping", leadId: "lead_1", treeId: "tree_1", vertical: "solar", score: "87" },
    },
    {
      name: "form post names consent as consent_<key>",
      format: "form" as const,
      render: () => wireFor(endpoint({ format: "form" })).renderPost(post),
      contentType: "application/x-www-form-urlencoded",
      expected: {
        firstName: post.fields.firstName, state: "CA", zip: "94103", homeowner: "true",
        consent_text: post.consent.text, consent_textSha256: post.consent.textSha256, consent_ip: post.consent.ip, consent_timestamp: post.consent.timestamp, consent_pageUrl: post.consent.pageUrl,
        type: "post", leadId: "lead_1", pingToken: "tok_007", priceCents: "1250", score: "87",
      },
    },
    {
      name: "xml ping is a <ping> document",
      format: "xml" as const,
      render: () => wireFor(endpoint({ format: "xml" })).renderPing(ping),
      contentType: "application/xml; charset=utf-8",
      expected: { ping: { leadId: "lead_1", treeId: "tree_1", vertical: "solar", score: "87", fields: { state: "CA", zip: "94103", homeowner: "true", monthlyElectricBill: "180" } } },
    },
    {
      name: "xml post escapes values and nests consent",
      format: "xml" as const,
      render: () => wireFor(endpoint({ format: "xml" })).renderPost(post),
      contentType: "application/xml; charset=utf-8",
      expected: {
        post: {
          leadId: "lead_1", pingToken: "tok_007", priceCents: "1250", score: "87",
          fields: { firstName: post.fields.firstName, state: "CA", zip: "94103", homeowner: "true" },
          consent: { text: post.consent.text, textSha256: post.consent.textSha256, ip: post.consent.ip, timestamp: post.consent.timestamp, pageUrl: post.consent.pageUrl },
        },
      },
    },
  ])("$name", ({ format, render, contentType, expected }) => {
    const rendered = render();
    expect(rendered.contentType, rendered.body).toBe(contentType);
    expect(decode(format, rendered.body), rendered.body).toEqual(expected);
    if (format === "json") expect(rendered.body).toBe(JSON.stringify(expected));
  });

  test("a field name that is no XML name is sent as <field name>", () => {
    const body = wireFor(endpoint({ format: "xml" })).renderPing({ ...ping, fields: { "2nd line": "x<y" } }).body;
    expect(body).toContain(`<field name="2nd line">x&lt;y</field>`);
  });

  test("a form field cannot overwrite the envelope", () => {
    const body = wireFor(endpoint({ format: "form" })).renderPing({ ...ping, fields: { leadId: "forged" } }).body;
    expect(new URLSearchParams(body).getAll("leadId")).toEqual(["lead_1"]);
  });

  test("the wire of an endpoint is built once", () => {
    const e = endpoint({ template: "${lead.id}" });
    expect(wireFor(e)).toBe(wireFor(e));
    expect(wireFor(endpoint())).not.toBe(wireFor(endpoint()));
  });
});

type Case<A> = { name: string; body: string; contentType: string | null; expected: A };

describe("default protocol ping answers", () => {
  const wire = wireFor(endpoint());
  test.each<Case<PingAnswer>>([
    { name: "json bid with a token", body: '{"accept":true,"bidCents":1250,"pingToken":"t1"}', contentType: "application/json", expected: { kind: "bid", bidCents: 1250, pingToken: "t1" } },
    { name: "json bid without a price", body: '{"accept":true}', contentType: "application/json", expected: { kind: "bid", bidCents: undefined } },
    { name: "json bid with a null price", body: '{"accept":true,"bidCents":null}', contentType: "application/json", expected: { kind: "bid", bidCents: undefined } },
    { name: "json bid of a digit string", body: '{"accept":true,"bidCents":"1250"}', contentType: "application/json", expected: { kind: "bid", bidCents: 1250 } },
    { name: "json bid of zero", body: '{"accept":true,"bidCents":0}', contentType: "application/json", expected: { kind: "bid", bidCents: 0 } },
    { name: "json decline with a reason", body: '{"accept":false,"reason":"state not served"}', contentType: "application/json; charset=utf-8", expected: { kind: "noBid", reason: "state not served" } },
    { name: "json decline without a reason", body: '{"accept":false}', contentType: "application/json", expected: { kind: "noBid" } },
    { name: "unlabelled json is read as json", body: ' {"accept":false}', contentType: null, expected: { kind: "noBid" } },
    { name: "xml bid", body: "<?xml version='1.0'?><response><accept>true</accept><bidCents>975</bidCents><pingToken>007</pingToken></response>", contentType: "application/xml", expected: { kind: "bid", bidCents: 975, pingToken: "007" } },
    { name: "xml decline", body: "<result><accept>FALSE</accept><reason>dup</reason></result>", contentType: "text/xml", expected: { kind: "noBid", reason: "dup" } },
    { name: "xml labelled text/plain is sniffed", body: "  <r><accept>true</accept></r>", contentType: "text/plain", expected: { kind: "bid", bidCents: undefined } },
    { name: "garbage text", body: "Internal error", contentType: "text/plain", expected: { kind: "invalid", reason: "answer is not valid JSON" } },
    { name: "empty body", body: "", contentType: null, expected: { kind: "invalid", reason: "answer is not valid JSON" } },
    { name: "html error page", body: "<html><body>oops", contentType: "text/html", expected: { kind: "invalid", reason: "answer is not well-formed XML" } },
    { name: "json array", body: "[true]", contentType: "application/json", expected: { kind: "invalid", reason: "answer is not a JSON object" } },
    { name: "missing accept", body: '{"bidCents":100}', contentType: "application/json", expected: { kind: "invalid", reason: "answer has no boolean accept" } },
    { name: "accept as a string in json", body: '{"accept":"true","bidCents":100}', contentType: "application/json", expected: { kind: "invalid", reason: "answer has no boolean accept" } },
    { name: "xml accept that is not a boolean", body: "<r><accept>maybe</accept></r>", contentType: "application/xml", expected: { kind: "invalid", reason: "answer has no boolean accept" } },
    { name: "negative bid", body: '{"accept":true,"bidCents":-5}', contentType: "application/json", expected: { kind: "invalid", reason: "bidCents is not a non-negative number" } },
    { name: "fractional bid", body: '{"accept":true,"bidCents":12.5}', contentType: "application/json", expected: { kind: "invalid", reason: "bidCents is not a whole number of cents" } },
    { name: "non-numeric bid", body: '{"accept":true,"bidCents":"a lot"}', contentType: "application/json", expected: { kind: "invalid", reason: "bidCents is not a non-negative number" } },
    { name: "boolean bid", body: '{"accept":true,"bidCents":true}', contentType: "application/json", expected: { kind: "invalid", reason: "bidCents is not a non-negative number" } },
    { name: "xml with a DOCTYPE", body: '<!DOCTYPE r [<!ENTITY a "aaaa">]><r><accept>true</accept></r>', contentType: "application/xml", expected: { kind: "invalid", reason: "XML answer with a DOCTYPE is refused" } },
  ])("$name", ({ body, contentType, expected }) => {
    const answer = wire.parsePing(body, contentType);
    expect(answer, JSON.stringify(answer)).toStrictEqual(expected);
  });

  test("a runaway reason is shortened for the trace", () => {
    const answer = wire.parsePing(JSON.stringify({ accept: false, reason: "x".repeat(5000) }), "application/json");
    expect(answer.kind === "noBid" && answer.reason?.length).toBe(300);
  });
});

describe("default protocol post answers", () => {
  const wire = wireFor(endpoint());
  test.each<Case<PostAnswer>>([
    { name: "accepted with redirect and buyer id", body: '{"accept":true,"redirectUrl":"https://buyer.example/thanks?id=9","buyerLeadId":9}', contentType: "application/json", expected: { kind: "accepted", redirectUrl: "https://buyer.example/thanks?id=9", buyerLeadId: "9" } },
    { name: "accepted bare", body: '{"accept":true}', contentType: "application/json", expected: { kind: "accepted" } },
    { name: "accepted with a javascript: redirect drops the url, keeps the sale", body: '{"accept":true,"redirectUrl":"javascript:alert(1)"}', contentType: "application/json", expected: { kind: "accepted" } },
    { name: "rejected with a reason", body: '{"accept":false,"reason":"duplicate"}', contentType: "application/json", expected: { kind: "rejected", reason: "duplicate" } },
    { name: "accepted naming its price in cents", body: '{"accept":true,"priceCents":1250}', contentType: "application/json", expected: { kind: "accepted", priceCents: 1250 } },
    { name: "an unreadable price is left out, the accept stands", body: '{"accept":true,"priceCents":"a lot"}', contentType: "application/json", expected: { kind: "accepted" } },
    { name: "xml accepted with a price", body: "<response><accept>true</accept><priceCents>700</priceCents></response>", contentType: "application/xml", expected: { kind: "accepted", priceCents: 700 } },
    { name: "xml accepted", body: "<response><accept>true</accept><buyerLeadId>B-1</buyerLeadId></response>", contentType: "application/xml", expected: { kind: "accepted", buyerLeadId: "B-1" } },
    { name: "missing accept", body: '{"status":"ok"}', contentType: "application/json", expected: { kind: "invalid", reason: "answer has no boolean accept" } },
    { name: "garbage", body: "}{", contentType: "application/json", expected: { kind: "invalid", reason: "answer is not valid JSON" } },
  ])("$name", ({ body, contentType, expected }) => {
    const answer = wire.parsePost(body, contentType);
    expect(answer, JSON.stringify(answer)).toStrictEqual(expected);
  });

  test("a form endpoint still reads json answers", () => {
    expect(wireFor(endpoint({ format: "form" })).parsePost('{"accept":true}', "application/json")).toStrictEqual({ kind: "accepted" });
  });
});

describe("wireProblems", () => {
  test.each<{ name: string; response: ResponseMapping; problems: WireProblem[] }>([
    { name: "a sound mapping has none", response: { accept: { path: "$.ok" }, price: "$.price", priceUnit: "dollars" }, problems: [] },
    { name: "a bad path is named", response: { accept: { path: "$.ok" }, price: "$..price", priceUnit: "dollars" }, problems: [{ path: "response.price", message: expect.stringContaining("$..price") }] },
    { name: "a bad regex is named", response: { accept: { regex: "(" }, priceUnit: "dollars" }, problems: [{ path: "response.accept.regex", message: "not a valid pattern: missing closing ) at `(`" }] },
  ])("$name", ({ response, problems }) => {
    // Built without the schema, which refuses a bad regex before any wire sees it.
    expect(wireProblems({ url: "https://buyer.example/leads", format: "json", response }, "post")).toEqual(problems);
  });

  test.each<{ name: string; extra: Record<string, unknown>; role?: "ping" | "post"; problems: WireProblem[] }>([
    { name: "a sound json template has none", extra: { template: '{"zip":"${lead.zip}","price":${price},"wait":${lpi.Allowed Response Time}}' }, problems: [] },
    { name: "a sound xml template has none", extra: { format: "xml", template: '<?xml version="1.0"?><lead id="${lead.id}"><zip>${lead.zip}</zip></lead>' }, problems: [] },
    { name: "a form template is not parsed", extra: { format: "form", template: "zip=${lead.zip}&&=" }, problems: [] },
    { name: "the endpoint's own Content-Type says what the body is", extra: { template: "ZIP ${lead.zip}", headers: { "content-type": "text/plain" } }, problems: [] },
    { name: "an xml Content-Type on a json endpoint wants xml", extra: { template: '{"zip":"${lead.zip}"}', headers: { "Content-Type": "text/xml" } }, problems: [{ path: "template", message: expect.stringMatching(/^the template does not render well-formed XML/) }] },
    { name: "an unknown placeholder", extra: { format: "form", template: "zip=${zip}" }, problems: [{ path: "template", message: expect.stringMatching(/^unknown placeholder \$\{zip\}: use \$\{lead\.<field>\}/) }] },
    { name: "an unknown consent key", extra: { format: "form", template: "c=${consent.name}" }, problems: [{ path: "template", message: expect.stringContaining("unknown placeholder ${consent.name}") }] },
    { name: "a placeholder never closed", extra: { format: "form", template: "zip=${lead.zip" }, problems: [{ path: "template", message: "the placeholder at character 4 is not closed with }" }] },
    { name: "a price in a ping", extra: { format: "form", template: "p=${price}&t=${ping.token}" }, role: "ping", problems: [{ path: "template", message: "${price} has no value in a ping; it is for post templates" }, { path: "template", message: "${ping.token} has no value in a ping; it is for post templates" }] },
    { name: "json that does not parse", extra: { template: '{"zip":"${lead.zip}"' }, problems: [{ path: "template", message: expect.stringMatching(/^the template does not render valid JSON \(/) }] },
    { name: "an empty json body", extra: { template: "" }, problems: [{ path: "template", message: expect.stringMatching(/^the template does not render valid JSON/) }] },
    { name: "xml that is not well-formed", extra: { format: "xml", template: "<lead><zip>${lead.zip}</lead>" }, problems: [{ path: "template", message: expect.stringMatching(/^the template does not render well-formed XML \(.+, line 1\)$/) }] },
    { name: "a header name with a space", extra: { headers: { "Api Key": "k" } }, problems: [{ path: "headers.Api Key", message: "not a valid HTTP header name" }] },
    { name: "a header value with a line break", extra: { headers: { Authorization: "Bearer k\r\nX-Injected: 1" } }, problems: [{ path: "headers.Authorization", message: "a header value cannot contain a line break or NUL" }] },
  ])("$name", ({ extra, role, problems }) => {
    expect(wireProblems(endpoint(extra), role ?? "post")).toEqual(problems);
  });
});
