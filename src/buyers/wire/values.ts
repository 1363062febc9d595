/**
 * Reading loosely typed answer values. A JSON answer carries numbers and
 * booleans, the same answer as XML carries only text; both go through these
 * helpers so the formats agree on what a price or a reason is.
 */
import { parseXml } from "./xml";
import { isRecord } from "./path";

export type AnswerSyntax = "json" | "xml";

export type AnswerDocument = { ok: true; syntax: AnswerSyntax; value: unknown } | { ok: false; reason: string };

/**
 * The content type decides when it names JSON or XML; otherwise (no header,
 * text/plain, text/html) the first character does, because buyers label
 * their answers carelessly.
 */
export function answerSyntax(body: string, contentType: string | null): AnswerSyntax {
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("xml")) return "xml";
  if (type.includes("json")) return "json";
  return body.trimStart().startsWith("<") ? "xml" : "json";
}

export function readDocument(body: string, contentType: string | null): AnswerDocument {
  const syntax = answerSyntax(body, contentType);
  if (syntax === "xml") {
    const parsed = parseXml(body);
    return parsed.ok ? { ok: true, syntax, value: parsed.value } : parsed;
  }
  try {
    return { ok: true, syntax, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, reason: "answer is not valid JSON" };
  }
}

/** The text of a scalar, or of an XML element that also has attributes; undefined for anything else. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isRecord(value) && "#text" in value) return scalarText(value["#text"]);
  return undefined;
}

/** Buyer text goes into the lead trace; a runaway reason must not bloat it. */
export function shortText(value: unknown, max = 300): string | undefined {
  const text = scalarText(value)?.trim();
  if (!text) return undefined;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Only an absolute http(s) URL is passed on as a redirect: the publisher
 * sends a consumer's browser there, so `javascript:` and relative junk are
 * dropped (the sale itself stands; the buyer already accepted).
 */
export function redirectUrl(value: unknown): string | undefined {
  const text = scalarText(value)?.trim();
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? text : undefined;
  } catch {
    return undefined;
  }
}

export type Amount = { ok: true; cents: number | undefined } | { ok: false; reason: string };

/**
 * A price as cents. Missing (absent, null, empty text) is no price, which the
 * tree decides about; anything present but not a non-negative amount is an
 * invalid answer, never a guess.
 */
export function amountCents(value: unknown, unit: "dollars" | "cents", what: string): Amount {
  if (value === undefined || value === null) return { ok: true, cents: undefined };
  const text = scalarText(value)?.trim();
  if (text === "") return { ok: true, cents: undefined };
  const number = typeof value === "number" ? value : text !== undefined && /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(number) || number < 0) return { ok: false, reason: `${what} is not a non-negative number` };
  if (unit === "cents") {
    if (!Number.isSafeInteger(number)) return { ok: false, reason: `${what} is not a whole number of cents` };
    return { ok: true, cents: number };
  }
  const cents = Math.round(number * 100);
  if (!Number.isSafeInteger(cents)) return { ok: false, reason: `${what} is out of range` };
  return { ok: true, cents };
}
