/**
 * Reading one submitted value. A JSON body and a form post both arrive as a
 * record of unknowns; these helpers give every checker the same view of them.
 */
import { z } from "zod";

/** A check either yields the normalized value or says what is wrong with it. */
export type Checked<T> = { value: T } | { error: string };

/** The value was sent, but as something no text field can take (an object, an array, `true`). */
export const notText = Symbol("notText");

/**
 * Trimmed text, or `undefined` when absent. Blank counts as absent because
 * form posts send every input, filled in or not. Numbers are taken as text
 * since JSON clients send ZIPs and phones as numbers.
 */
export function textOf(value: unknown): string | undefined | typeof notText {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const text = value.trim();
    return text === "" ? undefined : text;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return notText;
}

/** An own property only: a field named `constructor` must not find Object's. */
export function own(raw: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(raw, name) ? raw[name] : undefined;
}

/** The first of `names` that holds a value: for aliases such as `clickId` and `c`. */
export function pick(raw: Record<string, unknown>, names: readonly string[]): unknown {
  for (const name of names) {
    const value = own(raw, name);
    if (textOf(value) !== undefined) return value;
  }
  return undefined;
}

export function maxLength(limit: number): (text: string) => Checked<string> {
  return (text) => (text.length > limit ? { error: `must be at most ${limit} characters` } : { value: text });
}

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

export function checkIp(text: string): Checked<string> {
  if (ipv4.safeParse(text).success) return { value: text };
  const lower = text.toLowerCase();
  if (ipv6.safeParse(lower).success) return { value: lower };
  return { error: "must be an IPv4 or IPv6 address" };
}

const maxUrlLength = 2048;

function urlCheck(schema: z.ZodURL, problem: string): (text: string) => Checked<string> {
  return (text) => {
    if (text.length > maxUrlLength) return { error: `must be at most ${maxUrlLength} characters` };
    return schema.safeParse(text).success ? { value: text } : { error: problem };
  };
}

export const checkHttpUrl = urlCheck(z.url({ protocol: /^https?$/ }), "must be an http(s) URL");
export const checkHttpsUrl = urlCheck(z.url({ protocol: /^https$/ }), "must be an absolute https URL");
