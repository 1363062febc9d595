/**
 * The buyer wire: one `BuyerWire` per endpoint, whatever its format or
 * mapping, so the caller renders and parses without knowing which it is.
 */
import type { Endpoint, LeadPoint } from "../../core/config";
import { parseDefaultPing, parseDefaultPost } from "./answer";
import { compileMapping } from "./mapping";
import { renderDefaultPing, renderDefaultPost } from "./render";
import { compileTemplate, templateProblems } from "./template";
import { contentTypes, type BuyerWire, type WireProblem } from "./types";

export type { BuyerWire, PingAnswer, PingMessage, PostAnswer, PostMessage, RenderedRequest, WireFormat, WireProblem } from "./types";

// Keyed by the endpoint object itself: configuration is cached per tree
// version, so a changed endpoint is a new object and the old wire is
// collected with it.
const wires = new WeakMap<Endpoint, { wire: BuyerWire; problems: WireProblem[] }>();

export function wireFor(endpoint: Endpoint): BuyerWire {
  return compiled(endpoint).wire;
}

/**
 * What cannot work in an endpoint's configuration (a mapping path or regex
 * that does not compile, a template placeholder without a value, a body
 * that is not the endpoint's format, a header that cannot be sent), for
 * the operator API to refuse before any lead meets it.
 */
export function wireProblems(endpoint: Endpoint, role: "ping" | "post"): WireProblem[] {
  const headers = endpoint.headers ?? {};
  const problems = [...compiled(endpoint).problems, ...headerProblems(headers)];
  if (endpoint.template !== undefined) {
    // An endpoint's own Content-Type replaces the format's (call.ts), so it says what the body must be.
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1] ?? contentTypes[endpoint.format ?? "json"];
    problems.push(...templateProblems(endpoint.template, contentType, role).map((message) => ({ path: "template", message })));
  }
  return problems;
}

/** The wire problems of a lead point's endpoints, each at its path from the lead point (`post.response.accept.path`). */
export function leadPointWireProblems(point: Pick<LeadPoint, "ping" | "post">): WireProblem[] {
  const at = (role: "ping" | "post", endpoint: Endpoint) => wireProblems(endpoint, role).map((p) => ({ path: `${role}.${p.path}`, message: p.message }));
  return [...(point.ping ? at("ping", point.ping) : []), ...at("post", point.post)];
}

// RFC 9110 field names are tokens; a value may not break the header line.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValueBreak = /[\r\n\0]/;

function headerProblems(headers: Record<string, string>): WireProblem[] {
  return Object.entries(headers).flatMap(([name, value]) => {
    if (!headerName.test(name)) return [{ path: `headers.${name}`, message: "not a valid HTTP header name" }];
    if (headerValueBreak.test(value)) return [{ path: `headers.${name}`, message: "a header value cannot contain a line break or NUL" }];
    return [];
  });
}

function compiled(endpoint: Endpoint): { wire: BuyerWire; problems: WireProblem[] } {
  let entry = wires.get(endpoint);
  if (!entry) {
    entry = build(endpoint);
    wires.set(endpoint, entry);
  }
  return entry;
}

function build(endpoint: Endpoint): { wire: BuyerWire; problems: WireProblem[] } {
  // Configuration read back from storage may predate the schema default.
  const format = endpoint.format ?? "json";
  const template = endpoint.template === undefined ? undefined : compileTemplate(endpoint.template, format);
  const mapping = endpoint.response === undefined ? undefined : compileMapping(endpoint.response);
  const contentType = contentTypes[format];
  const wire: BuyerWire = {
    renderPing: (m) => (template ? { body: template(m), contentType } : renderDefaultPing(format, m)),
    renderPost: (m) => (template ? { body: template(m), contentType } : renderDefaultPost(format, m)),
    parsePing: mapping ? mapping.parsePing : parseDefaultPing,
    parsePost: mapping ? mapping.parsePost : parseDefaultPost,
  };
  return { wire, problems: mapping?.problems ?? [] };
}
