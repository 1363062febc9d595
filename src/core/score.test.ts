import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { ConsentRecord, LeadFields } from "./lead";
import { scoreLead } from "./score";

const now = new Date("2026-11-28T13:40:00Z");
const consent: ConsentRecord = { text: "I agree.", ip: "203.0.113.7", timestamp: "2026-11-28T13:39:00.000Z" };
const clean: LeadFields = {
  firstName: "John",
  lastName: "Smith",
  email: "john.smith@gmail.com",
  phone: "+12127364100",
  address: "350 5th Ave",
  city: "New York",
  state: "NY",
  zip: "10001",
  dateOfBirth: "1980-07-04",
  ip: "203.0.113.7",
};

function score(fields: LeadFields, consentOverride: Partial<ConsentRecord> = {}) {
  return scoreLead({ fields, consent: { ...consent, ...consentOverride }, meta: {} }, now);
}

describe("scoreLead", () => {
  test("a clean, realistic lead scores 100 with no signals", () => {
    expect(score(clean)).toEqual({ score: 100, signals: [] });
  });

  test("a clean lead without the optional address still scores well above the default floor", () => {
    const { address: _address, ...rest } = clean;
    const result = score(rest);
    expect(result.score, JSON.stringify(result)).toBeGreaterThan(80);
  });

  test.each<{ name: string; fields: LeadFields; signal: string }>([
    { name: "a disposable email domain", fields: { email: "jsmith@mailinator.com" }, signal: "email_disposable" },
    { name: "a reserved example domain", fields: { email: "john@example.com" }, signal: "email_reserved_domain" },
    { name: "a test mailbox", fields: { email: "test123@gmail.com" }, signal: "email_role_or_test" },
    { name: "a role mailbox", fields: { email: "info@acme-roofing.com" }, signal: "email_role_or_test" },
    { name: "a possible but invalid phone", fields: { phone: "+12120000000" }, signal: "phone_invalid" },
    { name: "a phone in the fiction range", fields: { phone: "+12125550123" }, signal: "phone_fictional" },
    { name: "a Canadian phone", fields: { phone: "+14163922489" }, signal: "phone_outside_us" },
    { name: "the same first and last name", fields: { firstName: "Smith" }, signal: "name_same" },
    { name: "a placeholder name", fields: { firstName: "Test" }, signal: "name_placeholder" },
    { name: "digits in a name", fields: { lastName: "Smith2" }, signal: "name_digits" },
    { name: "a letter repeated three times", fields: { firstName: "Joooohn" }, signal: "name_repeated_letters" },
    { name: "a state that is not the ZIP's", fields: { state: "CA" }, signal: "state_zip_mismatch" },
    { name: "no street address", fields: { address: "" }, signal: "address_missing" },
    { name: "a minor", fields: { dateOfBirth: "2010-01-01" }, signal: "age_minor" },
    { name: "an implausible age", fields: { dateOfBirth: "1901-01-01" }, signal: "age_implausible" },
    { name: "a lead ip other than the consent ip", fields: { ip: "198.51.100.9" }, signal: "consent_ip_mismatch" },
  ])("$name costs points ($signal)", ({ fields, signal }) => {
    const result = score({ ...clean, ...fields });
    expect(result.signals.map((s) => s.name), JSON.stringify(result)).toEqual([signal]);
    const found = result.signals[0];
    expect(found && found.points < 0 && found.detail.length > 0).toBe(true);
    expect(result.score).toBe(100 + (found?.points ?? 0));
  });

  test("stale consent costs points (consent_stale)", () => {
    const result = score(clean, { timestamp: "2026-11-27T13:00:00.000Z" });
    expect(result.signals.map((s) => s.name), JSON.stringify(result)).toEqual(["consent_stale"]);
  });

  test("consent just under a day old is not stale", () => {
    expect(score(clean, { timestamp: "2026-11-27T13:41:00.000Z" }).signals).toEqual([]);
  });

  test("many signals add up and clamp at 0", () => {
    const result = score(
      { firstName: "Test", lastName: "test", email: "test@mailinator.com", phone: "+12120000000", zip: "10001", state: "CA", ip: "198.51.100.9", dateOfBirth: "2015-01-01" },
      { timestamp: "2026-01-01T00:00:00.000Z" },
    );
    expect(result.score, JSON.stringify(result)).toBe(0);
    expect(result.signals.length).toBeGreaterThan(5);
  });

  test("signal names are stable for the same lead", () => {
    const fields = { ...clean, email: "admin@yopmail.com", state: "TX" };
    expect(score(fields)).toEqual(score(fields));
  });
});

describe("scoreLead properties", () => {
  const value = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.emailAddress(), fc.constantFrom("+12127364100", "10001", "1980-01-01"));
  const fields = fc.dictionary(
    fc.constantFrom("firstName", "lastName", "email", "phone", "address", "state", "zip", "dateOfBirth", "ip", "other"),
    value,
  );
  const timestamp = fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((date) => date.toISOString()));

  test("the score is an integer within 0..100 and equals 100 plus its clamped signals", () => {
    fc.assert(
      fc.property(fields, fc.string(), timestamp, (leadFields, ip, ts) => {
        const result = scoreLead({ fields: leadFields, consent: { text: "ok", ip, timestamp: ts }, meta: {} }, now);
        const total = result.signals.reduce((sum, s) => sum + s.points, 100);
        return Number.isInteger(result.score) && result.score >= 0 && result.score <= 100 && result.score === Math.max(0, Math.min(100, total));
      }),
    );
  });

  test("signals only ever take points off and each is named once", () => {
    fc.assert(
      fc.property(fields, (leadFields) => {
        const { signals } = scoreLead({ fields: leadFields, consent, meta: {} }, now);
        const names = signals.map((s) => s.name);
        return signals.every((s) => s.points < 0) && new Set(names).size === names.length;
      }),
    );
  });
});
