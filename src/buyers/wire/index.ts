/**
 * The buyer wire: one `BuyerWire` per endpoint, whatever its format or
 * mapping, so the caller renders and parses without knowing which it is.
 */
import type { Endpoint } from "../../core/config";
import { parseDefaultPing, parseDefaultPost } from "./answer";
import { compileMapping } from "./mapping";
import { renderDefaultPing, renderDefaultPost } from "./render";
import { compileTemplate } from "./template";
import { contentTypes, type BuyerWire } from "./types";

export type { BuyerWire, PingAnswer, PingMessage, PostAnswer, PostMessage, RenderedRequest, WireFormat } from "./types";

// Keyed by the endpoint object itself: configuration is cached per tree
// version, so a changed endpoint is a new object and the old wire is
// collected with it.
const wires = new WeakMap<Endpoint, { wire: BuyerWire; problems: string[] }>();

export function wireFor(endpoint: Endpoint): BuyerWire {
  return compiled(endpoint).wire;
}

/**
 * What is wrong with an endpoint's mapping (a path or regex that does not
 * compile), for the operator API to refuse before any lead meets it.
 */
export function wireProblems(endpoint: Endpoint): string[] {
  return compiled(endpoint).problems;
}

function compiled(endpoint: Endpoint): { wire: BuyerWire; problems: string[] } {
  let entry = wires.get(endpoint);
  if (!entry) {
    entry = build(endpoint);
    wires.set(endpoint, entry);
  }
  return entry;
}

function build(endpoint: Endpoint): { wire: BuyerWire; problems: string[] } {
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
