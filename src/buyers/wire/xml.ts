/**
 * XML both ways: a tiny escaper for what we render (our documents are flat
 * and their names are ours, so a builder would add nothing) and
 * fast-xml-parser for buyer answers, configured so that every value stays
 * text (a ping token "007" must not become 7) and attributes are reachable
 * as `@name` path steps.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * Characters XML 1.0 cannot carry at all, escaped or not. Dropping them keeps
 * the document well-formed; a lead field never needs them.
 */
// eslint-disable-next-line no-control-regex
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(notXmlChar, "").replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** Lead field names come from operators; one that is no XML name is sent as `<field name="…">`. */
export function xmlElement(name: string, content: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && !/^xml/i.test(name)) return `<${name}>${content}</${name}>`;
  return `<field name="${escapeXml(name)}">${content}</field>`;
}

export const xmlDeclaration = '<?xml version="1.0" encoding="UTF-8"?>';

export type ParsedXml = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

export function parseXml(body: string): ParsedXml {
  // A buyer answer never needs a DTD, and entity definitions are the usual
  // way to make a parser expand a small body into a huge one.
  if (/<!DOCTYPE/i.test(body)) return { ok: false, reason: "XML answer with a DOCTYPE is refused" };
  if (XMLValidator.validate(body) !== true) return { ok: false, reason: "answer is not well-formed XML" };
  try {
    const value: unknown = parser.parse(body);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, reason: "answer is not well-formed XML" };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, reason: "answer is not well-formed XML" };
  }
}
