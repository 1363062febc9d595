/**
 * The consent record: what the consumer agreed to, from where and when. A
 * JSON body nests it under `consent`; a form post flattens it into
 * `consent_text`, `consent_ip`, … (camelCase or snake_case).
 */
import { z } from "zod";
import type { ConsentRecord, FieldError } from "../lead";
import { checkHttpUrl, checkHttpsUrl, checkIp, maxLength, notText, own, pick, textOf, type Checked } from "./values";

type Key = keyof ConsentRecord;

const aliases: Record<Key, readonly string[]> = {
  text: ["text"],
  ip: ["ip"],
  timestamp: ["timestamp"],
  pageUrl: ["pageUrl", "page_url"],
  userAgent: ["userAgent", "user_agent"],
  certificateUrl: ["certificateUrl", "certificate_url"],
};

const checks: Record<Key, (text: string, now: Date) => Checked<string>> = {
  text: maxLength(20_000),
  ip: checkIp,
  timestamp: checkTimestamp,
  pageUrl: checkHttpUrl,
  userAgent: maxLength(1000),
  /**
   * Only https and a length limit, not a list of certificate hosts: a buyer
   * fetches the certificate to verify it, so it must not travel in clear, and
   * the providers (TrustedForm, Jornaya, their white labels) change hosts.
   */
  certificateUrl: checkHttpsUrl,
};

const required: readonly Key[] = ["text", "ip", "timestamp"];

/** Pushes the record's problems to `errors` and returns it when it has none. */
export function parseConsent(raw: Record<string, unknown>, now: Date, errors: FieldError[]): ConsentRecord | undefined {
  const source = consentSource(raw);
  if (source === "notObject") {
    errors.push({ path: "consent", message: "must be an object" });
    return undefined;
  }
  if (source === undefined) {
    errors.push({ path: "consent", message: "is required" });
    return undefined;
  }
  const consent: Partial<Record<Key, string>> = {};
  const before = errors.length;
  for (const key of Object.keys(aliases) as Key[]) {
    const path = `consent.${key}`;
    const text = textOf(pick(source, aliases[key]));
    if (text === notText) {
      errors.push({ path, message: "must be text" });
    } else if (text === undefined) {
      if (required.includes(key)) errors.push({ path, message: "is required" });
    } else {
      const checked = checks[key](text, now);
      if ("error" in checked) errors.push({ path, message: checked.error });
      else consent[key] = checked.value;
    }
  }
  return errors.length === before ? (consent as ConsentRecord) : undefined;
}

function consentSource(raw: Record<string, unknown>): Record<string, unknown> | "notObject" | undefined {
  const nested = own(raw, "consent");
  if (textOf(nested) !== undefined) {
    if (typeof nested !== "object" || nested === null || Array.isArray(nested)) return "notObject";
    return nested as Record<string, unknown>;
  }
  const flat = Object.entries(raw)
    .filter(([key, value]) => key.startsWith("consent_") && textOf(value) !== undefined)
    .map(([key, value]) => [key.slice("consent_".length), value]);
  return flat.length > 0 ? Object.fromEntries(flat) : undefined;
}

const isoWithZone = z.iso.datetime({ offset: true });
const futureSlackMs = 5 * 60_000;
/** Past this, a "unix seconds" value is almost surely milliseconds. */
const maxPlausibleSeconds = 1e11;

/** ISO-8601 with a zone, or unix seconds; not in the future past a few minutes of clock skew. */
export function checkTimestamp(text: string, now: Date): Checked<string> {
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    if (seconds >= maxPlausibleSeconds) return { error: "must be unix seconds, not milliseconds" };
    ms = seconds * 1000;
  } else if (isoWithZone.safeParse(text).success) {
    ms = Date.parse(text);
  } else {
    return { error: "must be an ISO-8601 time with a zone, or unix seconds" };
  }
  if (ms > now.getTime() + futureSlackMs) return { error: "must not be in the future" };
  return { value: new Date(ms).toISOString() };
}
