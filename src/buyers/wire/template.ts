/**
 * An endpoint's `template`: the buyer's own body shape with placeholders.
 * It is split into literal text and value readers once, so rendering is a
 * join. Each value is escaped for the endpoint's format, so a lead's
 * `O'Brien & "Sons"` cannot break the buyer's JSON, XML or form body.
 *
 * Placeholders (an unknown one renders empty, as a missing field does):
 * - `${lead.<field>}` a lead field; a ping carries no PII, so PII fields
 *   render empty in a ping template whatever it says;
 * - `${lead.id}`, `${lead.treeId}`, `${lead.vertical}`, `${lead.score}` the
 *   exchange's own values (a tree field of those names is not reachable);
 * - `${consent.<key>}` the consent record (post only);
 * - `${ping.token}` the buyer's ping token (post only);
 * - `${price}` the post price in dollars with two decimals, e.g. `12.50`;
 * - `${lpi.Allowed Response Time}` the time the buyer has, in whole seconds
 *   rounded down so that a buyer is never told it has more than it has.
 */
import type { PingMessage, PostMessage, WireFormat } from "./types";
import { escapeXml } from "./xml";

type Message = PingMessage | PostMessage;
type Reader = (m: Message) => string | number | boolean | undefined;

const envelope = new Map<string, Reader>([
  ["id", (m) => m.leadId],
  ["treeId", (m) => m.treeId],
  ["vertical", (m) => m.vertical],
  ["score", (m) => m.score],
]);

const escapes: Record<WireFormat, (text: string) => string> = {
  json: (text) => JSON.stringify(text).slice(1, -1),
  xml: escapeXml,
  form: encodeURIComponent,
};

export function compileTemplate(source: string, format: WireFormat): (m: Message) => string {
  const escape = escapes[format];
  const parts: (string | Reader)[] = [];
  const placeholder = /\$\{([^}]*)\}/g;
  let last = 0;
  for (const match of source.matchAll(placeholder)) {
    parts.push(source.slice(last, match.index));
    parts.push(readerFor((match[1] ?? "").trim()));
    last = match.index + match[0].length;
  }
  parts.push(source.slice(last));
  return (m) => {
    let out = "";
    for (const part of parts) {
      if (typeof part === "string") out += part;
      else {
        const value = part(m);
        if (value !== undefined) out += escape(String(value));
      }
    }
    return out;
  };
}

function readerFor(name: string): Reader {
  if (name === "price") return (m) => ("priceCents" in m ? dollars(m.priceCents) : undefined);
  if (name === "ping.token") return (m) => ("pingToken" in m ? m.pingToken : undefined);
  if (name === "lpi.Allowed Response Time") return (m) => Math.max(0, Math.floor(m.allowedResponseMs / 1000));
  if (name.startsWith("lead.")) {
    const field = name.slice("lead.".length);
    return envelope.get(field) ?? ((m) => (Object.hasOwn(m.fields, field) ? m.fields[field] : undefined));
  }
  if (name.startsWith("consent.")) {
    const key = name.slice("consent.".length);
    return (m) => {
      if (!("consent" in m) || !Object.hasOwn(m.consent, key)) return undefined;
      const value: unknown = (m.consent as unknown as Record<string, unknown>)[key];
      return typeof value === "string" ? value : undefined;
    };
  }
  return () => undefined;
}

/** Exact decimal text of integer cents; floating division could print 0.1 + 0.2 artefacts. */
function dollars(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
