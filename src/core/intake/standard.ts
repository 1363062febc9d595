/**
 * The standard lead fields of API.md: how each is normalized and when it is
 * malformed. Doubtful but well-formed values pass here; score.ts weighs them.
 */
import { z } from "zod";
import { parseUsPhone } from "../phone";
import { isStateCode, lookupZip } from "../zip";
import { checkIp, maxLength, type Checked } from "./values";

type Normalize = (text: string, now: Date) => Checked<string>;

const email = z.email();

function checkName(text: string): Checked<string> {
  return maxLength(100)(text.replace(/\s+/g, " "));
}

function checkEmail(text: string): Checked<string> {
  const lower = text.toLowerCase();
  if (lower.length > 254 || !email.safeParse(lower).success) return { error: "must be a valid email address" };
  return { value: lower };
}

function checkPhone(text: string): Checked<string> {
  // Only the characters people write phones with: letters or an extension
  // would be silently dropped by the parser.
  if (!/^[\d\s().+-]+$/.test(text)) return { error: "must be a US phone number" };
  const phone = parseUsPhone(text);
  if (!phone || phone.countryCallingCode !== "1" || !phone.isPossible()) {
    return { error: "must be a possible US phone number" };
  }
  return { value: phone.number };
}

function checkZip(text: string): Checked<string> {
  const five = /^(\d{5})(?:-?\d{4})?$/.exec(text)?.[1];
  if (five === undefined) return { error: "must be a 5-digit ZIP code" };
  return lookupZip(five) ? { value: five } : { error: "is not a known US ZIP code" };
}

function checkState(text: string): Checked<string> {
  const code = text.toUpperCase();
  return isStateCode(code) ? { value: code } : { error: "must be a two-letter US state code" };
}

const badDate = { error: "must be a real past date (YYYY-MM-DD)" };

function checkDateOfBirth(text: string, now: Date): Checked<string> {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const parts = iso ? [iso[1], iso[2], iso[3]] : us ? [us[3], us[1], us[2]] : undefined;
  if (!parts) return badDate;
  const [year, month, day] = parts.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 02-30 over into March, so a real date reads back the same.
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real || year < 1900 || date.getTime() >= now.getTime()) return badDate;
  return { value: date.toISOString().slice(0, 10) };
}

/** Every standard field and its check, in the order errors are reported. */
export const standardFields: Readonly<Record<string, Normalize>> = {
  firstName: checkName,
  lastName: checkName,
  email: checkEmail,
  phone: checkPhone,
  address: maxLength(200),
  city: maxLength(100),
  state: checkState,
  zip: checkZip,
  dateOfBirth: checkDateOfBirth,
  ip: checkIp,
};

export const requiredByDefault: ReadonlySet<string> = new Set(["firstName", "lastName", "email", "phone", "zip"]);
