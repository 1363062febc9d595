/**
 * Lead quality score: 100 less the points of every doubtful signal found,
 * clamped to 0..100. Each signal has a stable name (reports and buyers key on
 * it) and a detail for the operator. Deterministic: same lead and `now`,
 * same score.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { ConsentRecord, ConsumerHistory, FieldValue, LeadFields, LeadScore, ScoreSignal, SubmissionMeta } from "./lead";
import { lookupZip } from "./zip";

export interface ScoreInput {
  fields: LeadFields;
  consent: ConsentRecord;
  meta: SubmissionMeta;
  /** Absent when the consumer objects were not asked (no phone, email or IP to key on). */
  history?: ConsumerHistory;
}

const disposableDomains: ReadonlySet<string> = new Set([
  "mailinator.com", "guerrillamail.com", "guerrillamail.net", "guerrillamailblock.com", "sharklasers.com",
  "grr.la", "10minutemail.com", "temp-mail.org", "tempmail.com", "tempmail.net", "yopmail.com",
  "trashmail.com", "getnada.com", "dispostable.com", "maildrop.cc", "throwawaymail.com", "fakeinbox.com",
  "mailnesia.com", "mintemail.com", "emailondeck.com", "discard.email", "spamgourmet.com", "moakt.com",
  "burnermail.io", "tempr.email", "mailcatch.com", "spam4.me", "getairmail.com", "mytemp.email",
]);
/** Reserved for documentation and testing (RFC 2606), never a consumer's inbox. */
const reservedDomains = /(^|\.)(example\.(com|net|org)|test\.com|test|invalid|localhost)$/;
const roleLocalParts = /^(test|testing|admin|administrator|info|noreply|no-reply|postmaster|webmaster|support|sales|abuse|root|null|none|fake|asdf|qwerty|sample|example|user|nobody)\d*$/;
const fakeNames = /^(test|testing|asdf|qwerty|fake|sample|none|null|na|n\/a|xxx|abc|anonymous|nobody)$/;
/** The territories have their own region codes in libphonenumber. */
const usRegions: ReadonlySet<string> = new Set(["US", "PR", "VI", "GU", "AS", "MP"]);
const dayMs = 86_400_000;

export function scoreLead(input: ScoreInput, now: Date): LeadScore {
  const signals = [
    ...emailSignals(text(input.fields.email)),
    ...phoneSignals(text(input.fields.phone)),
    ...nameSignals(text(input.fields.firstName), text(input.fields.lastName)),
    ...placeSignals(input.fields),
    ...ageSignals(text(input.fields.dateOfBirth), now),
    ...consentSignals(input, now),
  ];
  const total = signals.reduce((sum, signal) => sum + signal.points, 100);
  return { score: Math.max(0, Math.min(100, total)), signals };
}

function signal(name: string, points: number, detail: string): ScoreSignal {
  return { name, points, detail };
}

function text(value: FieldValue | undefined): string {
  return value === undefined ? "" : String(value).trim();
}

function emailSignals(email: string): ScoreSignal[] {
  const at = email.lastIndexOf("@");
  if (at < 0) return [];
  const local = email.slice(0, at).toLowerCase();
  const domain = email.slice(at + 1).toLowerCase();
  const found: ScoreSignal[] = [];
  if (disposableDomains.has(domain)) found.push(signal("email_disposable", -40, `${domain} is a disposable email service`));
  else if (reservedDomains.test(domain)) found.push(signal("email_reserved_domain", -40, `${domain} is reserved for examples and tests`));
  if (roleLocalParts.test(local)) found.push(signal("email_role_or_test", -15, `"${local}" is a role or test mailbox`));
  return found;
}

function phoneSignals(phone: string): ScoreSignal[] {
  if (phone === "") return [];
  const parsed = parsePhoneNumberFromString(phone, "US");
  if (!parsed) return [];
  if (!parsed.isValid()) return [signal("phone_invalid", -25, `${parsed.number} has no valid US area code and exchange`)];
  const found: ScoreSignal[] = [];
  // 555-0100…0199 is set aside for fiction: valid on paper, never a line.
  if (/^\d{3}55501\d{2}$/.test(parsed.nationalNumber)) {
    found.push(signal("phone_fictional", -25, `${parsed.number} is in the 555-01xx range reserved for fiction`));
  }
  if (parsed.country !== undefined && !usRegions.has(parsed.country)) {
    found.push(signal("phone_outside_us", -10, `${parsed.number} is a ${parsed.country} number`));
  }
  return found;
}

function nameSignals(first: string, last: string): ScoreSignal[] {
  const found: ScoreSignal[] = [];
  const names = [first, last].filter((name) => name !== "");
  if (first !== "" && first.toLowerCase() === last.toLowerCase()) {
    found.push(signal("name_same", -20, "first and last name are the same"));
  }
  if (names.some((name) => fakeNames.test(name.toLowerCase()))) {
    found.push(signal("name_placeholder", -30, "a name is a placeholder such as \"test\""));
  }
  if (names.some((name) => /\d/.test(name))) found.push(signal("name_digits", -20, "a name contains digits"));
  if (names.some((name) => /(\p{L})\1\1/iu.test(name))) {
    found.push(signal("name_repeated_letters", -15, "a name repeats one letter three times or more"));
  }
  return found;
}

function placeSignals(fields: LeadFields): ScoreSignal[] {
  const found: ScoreSignal[] = [];
  const zip = text(fields.zip);
  const state = text(fields.state).toUpperCase();
  const place = zip === "" ? undefined : lookupZip(zip);
  if (place && state !== "" && place.state !== state) {
    found.push(signal("state_zip_mismatch", -20, `ZIP ${zip} is in ${place.state}, not ${state}`));
  }
  if (text(fields.address) === "") found.push(signal("address_missing", -5, "no street address given"));
  return found;
}

function ageSignals(dateOfBirth: string, now: Date): ScoreSignal[] {
  const born = Date.parse(dateOfBirth);
  if (dateOfBirth === "" || Number.isNaN(born)) return [];
  const years = (now.getTime() - born) / (365.2425 * dayMs);
  if (years < 18) return [signal("age_minor", -40, `born ${dateOfBirth}: under 18`)];
  if (years > 110) return [signal("age_implausible", -20, `born ${dateOfBirth}: over 110`)];
  return [];
}

function consentSignals({ fields, consent }: ScoreInput, now: Date): ScoreSignal[] {
  const found: ScoreSignal[] = [];
  const leadIp = text(fields.ip).toLowerCase();
  if (leadIp !== "" && leadIp !== consent.ip.trim().toLowerCase()) {
    found.push(signal("consent_ip_mismatch", -10, `consent came from ${consent.ip}, the lead from ${leadIp}`));
  }
  const age = now.getTime() - Date.parse(consent.timestamp);
  if (age > dayMs) {
    found.push(signal("consent_stale", -15, `consent was given ${Math.floor(age / 3_600_000)} hours before the lead`));
  }
  return found;
}
