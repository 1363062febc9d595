/**
 * An endpoint's `template`: the buyer's own body shape with placeholders.
 * It is split into literal text and value readers once, so rendering is a
 * join. Each value is escaped for the endpoint's format, so a lead's
 * `O'Brien & "Sons"` cannot break the buyer's JSON, XML or form body.
 *
 * Placeholders (an unknown one renders empty, as a missing field does;
 * saving refuses it, see templateProblems):
 * - `${lead.<field>}` a lead field; a ping carries no PII, so PII fields
 *   render empty in a ping template whatever it says;
 * - `${lead.id}`, `${lead.treeId}`, `${lead.vertical}`, `${lead.score}` the
 *   exchange's own values (a tree field of those names is not reachable);
 * - `${consent.<key>}` the consent record (post only), `${consent.textSha256}` its text's hash;
 * - `${ping.token}` the buyer's ping token (post only);
 * - `${price}` the post price in dollars with two decimals, e.g. `12.50`;
 * - `${lpi.Allowed Response Time}` the time the buyer has, in whole seconds
 *   rounded down so that a buyer is never told it has more than it has.
 */
import { XMLValidator } from "fast-xml-parser";
import type { Consent } from "../../core/lead";
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

const placeholderPattern = /\$\{([^}]*)\}/g;

export function compileTemplate(source: string, format: WireFormat): (m: Message) => string {
  const escape = escapes[format];
  const parts: (string | Reader)[] = [];
  let last = 0;
  for (const match of source.matchAll(placeholderPattern)) {
    parts.push(source.slice(last, match.index));
    parts.push(placeholderNamed(nameOf(match))?.read ?? (() => undefined));
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

/**
 * What makes a template render something other than the operator meant,
 * for the operator API to refuse when it is saved: a placeholder that is
 * unknown, never closed or never has a value in this role, or a body that
 * is not the endpoint's format. Rendering stays lenient (unknown is empty)
 * for templates stored before these checks.
 */
export function templateProblems(source: string, contentType: string, role: "ping" | "post"): string[] {
  const problems: string[] = [];
  let last = 0;
  for (const match of source.matchAll(placeholderPattern)) {
    const name = nameOf(match);
    const placeholder = placeholderNamed(name);
    if (!placeholder) problems.push(`unknown placeholder \${${name}}: use ${known}`);
    else if (placeholder.postOnly && role === "ping") problems.push(`\${${name}} has no value in a ping; it is for post templates`);
    last = match.index + match[0].length;
  }
  const unclosed = source.indexOf("${", last);
  if (unclosed >= 0) problems.push(`the placeholder at character ${unclosed} is not closed with }`);
  // The body must be what its Content-Type says. Every value renders as a
  // bare 1, which reads as a number unquoted and as text quoted.
  const shapeProblem = bodyProblem(contentType, source.replace(placeholderPattern, "1"));
  if (shapeProblem) problems.push(shapeProblem);
  return problems;
}

const known = "${lead.<field>}, ${lead.id}, ${lead.treeId}, ${lead.vertical}, ${lead.score}, ${consent.<key>}, ${ping.token}, ${price} or ${lpi.Allowed Response Time}";

function bodyProblem(contentType: string, sample: string): string | undefined {
  if (/json/i.test(contentType)) {
    try {
      JSON.parse(sample);
      return undefined;
    } catch (error) {
      return `the template does not render valid JSON (${error instanceof Error ? error.message : "unreadable"})`;
    }
  }
  if (/xml/i.test(contentType)) {
    const result = XMLValidator.validate(sample);
    return result === true ? undefined : `the template does not render well-formed XML (${result.err.msg}, line ${result.err.line})`;
  }
  return undefined;
}

function nameOf(match: RegExpMatchArray): string {
  return (match[1] ?? "").trim();
}

const consentKeys = new Set<keyof Consent>(["text", "textSha256", "ip", "timestamp", "pageUrl", "userAgent", "certificateUrl"]);

/** A placeholder's value, and whether only a post has one. */
function placeholderNamed(name: string): { read: Reader; postOnly: boolean } | undefined {
  if (name === "price") return { read: (m) => ("priceCents" in m ? dollars(m.priceCents) : undefined), postOnly: true };
  if (name === "ping.token") return { read: (m) => ("pingToken" in m ? m.pingToken : undefined), postOnly: true };
  if (name === "lpi.Allowed Response Time") return { read: (m) => Math.max(0, Math.floor(m.allowedResponseMs / 1000)), postOnly: false };
  if (name.startsWith("lead.")) {
    const field = name.slice("lead.".length);
    if (field === "") return undefined;
    return { read: envelope.get(field) ?? ((m) => (Object.hasOwn(m.fields, field) ? m.fields[field] : undefined)), postOnly: false };
  }
  if (name.startsWith("consent.")) {
    const key = name.slice("consent.".length) as keyof Consent;
    if (!consentKeys.has(key)) return undefined;
    return { read: (m) => ("consent" in m ? m.consent[key] : undefined), postOnly: true };
  }
  return undefined;
}

/** Exact decimal text of integer cents; floating division could print 0.1 + 0.2 artefacts. */
function dollars(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
