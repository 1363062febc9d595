/**
 * Reading answers in the default protocol: `{"accept":true,"bidCents":1250}`
 * as JSON, or the same names as child elements of any root element in XML
 * (`<response><accept>true</accept><bidCents>1250</bidCents></response>`).
 */
import { isRecord } from "./path";
import type { PingAnswer, PostAnswer } from "./types";
import { amountCents, readDocument, redirectUrl, scalarText, shortText, type Amount, type AnswerSyntax } from "./values";

type Fields = { ok: true; syntax: AnswerSyntax; fields: Record<string, unknown>; accept: boolean } | { ok: false; reason: string };

function readFields(body: string, contentType: string | null): Fields {
  const document = readDocument(body, contentType);
  if (!document.ok) return document;
  const fields = document.syntax === "xml" ? rootElement(document.value) : document.value;
  if (!isRecord(fields)) {
    return { ok: false, reason: document.syntax === "xml" ? "XML answer has no root element with children" : "answer is not a JSON object" };
  }
  const accept = acceptValue(fields.accept, document.syntax);
  if (accept === undefined) return { ok: false, reason: "answer has no boolean accept" };
  return { ok: true, syntax: document.syntax, fields, accept };
}

function rootElement(document: unknown): unknown {
  if (!isRecord(document)) return undefined;
  const roots = Object.keys(document);
  return roots.length === 1 && roots[0] !== undefined ? document[roots[0]] : undefined;
}

/** JSON must say a real boolean; XML can only say it in text. */
function acceptValue(value: unknown, syntax: AnswerSyntax): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (syntax !== "xml") return undefined;
  const text = scalarText(value)?.trim().toLowerCase();
  return text === "true" ? true : text === "false" ? false : undefined;
}

/**
 * A bid in whole cents. The protocol's `bidCents` is a number; a string of
 * digits is taken too since XML has nothing else, but a fraction of a cent is
 * refused rather than rounded: the buyer's system and ours would disagree
 * about the price.
 */
export function parseDefaultPing(body: string, contentType: string | null): PingAnswer {
  const read = readFields(body, contentType);
  if (!read.ok) return { kind: "invalid", reason: read.reason };
  const { fields } = read;
  if (!read.accept) return withOptional({ kind: "noBid" }, "reason", shortText(fields.reason));
  const bid = amountCents(fields.bidCents, "cents", "bidCents");
  if (!bid.ok) return { kind: "invalid", reason: bid.reason };
  return withOptional({ kind: "bid", bidCents: bid.cents }, "pingToken", shortText(fields.pingToken, 2048));
}

export function parseDefaultPost(body: string, contentType: string | null): PostAnswer {
  const read = readFields(body, contentType);
  if (!read.ok) return { kind: "invalid", reason: read.reason };
  const { fields } = read;
  if (!read.accept) return withOptional({ kind: "rejected" }, "reason", shortText(fields.reason));
  const accepted = withOptional({ kind: "accepted" as const }, "redirectUrl", redirectUrl(fields.redirectUrl));
  return withPrice(withOptional(accepted, "buyerLeadId", shortText(fields.buyerLeadId, 200)), amountCents(fields.priceCents, "cents", "priceCents"));
}

/**
 * The price a post's answer names. An unreadable one is left out rather than
 * failing the answer: most posts are priced before they leave and the buyer
 * merely echoes a price; a post priced by its answer then has none.
 */
export function withPrice<T extends object>(answer: T, amount: Amount): T & { priceCents?: number } {
  return amount.ok && amount.cents !== undefined ? { ...answer, priceCents: amount.cents } : answer;
}

/** Leaves an absent value out instead of writing `key: undefined` into the attempt. */
export function withOptional<T extends object, K extends string>(target: T, key: K, value: string | undefined): T & Partial<Record<K, string>> {
  return value === undefined ? target : { ...target, [key]: value };
}
