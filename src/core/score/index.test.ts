import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { FieldSpec } from "../config";
import type { ConsentRecord, LeadFields } from "../lead";
import { HAND_SET_POINTS, SIGNAL_NAMES, scoreLead, type ScoreInput, type ScoreWeights } from ".";

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

function score(fields: LeadFields, consentOverride: Partial<ConsentRecord> = {}, more: Partial<ScoreInput> = {}, weights?: ScoreWeights) {
  return scoreLead({ fields, consent: { ...consent, ...consentOverride }, meta: {}, ...more }, now, weights);
}

function names(fields: LeadFields, more: Partial<ScoreInput> = {}) {
  return score({ ...clean, ...fields }, {}, more).signals.map((s) => s.name);
}

describe("scoreLead", () => {
  test("a clean, realistic lead scores 100 with no signals", () => {
    expect(score(clean)).toEqual({ score: 100, signals: [], weightsVersion: 0 });
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
    { name: "a state that is not the ZIP's", fields: { state: "CA", phone: "+13102762111" }, signal: "state_zip_mismatch" },
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

describe("signals on library data", () => {
  test.each<{ name: string; fields: LeadFields; want: string[] }>([
    { name: "a domain on mailchecker's disposable list", fields: { email: "jane@10minutemail.com" }, want: ["email_disposable"] },
    { name: "a subdomain of a disposable service", fields: { email: "jane@mx.yopmail.com" }, want: ["email_disposable"] },
    { name: "an ordinary webmail domain", fields: { email: "jane.doe@yahoo.com" }, want: [] },
    { name: "a role mailbox from the role list", fields: { email: "marketing@acme-roofing.com" }, want: ["email_role_or_test"] },
    { name: "a role mailbox with a number", fields: { email: "sales2@acme-roofing.com" }, want: ["email_role_or_test"] },
    { name: "a personal mailbox", fields: { email: "jane.doe@acme-roofing.com" }, want: [] },
    { name: "a city that is not the ZIP's", fields: { city: "Chicago" }, want: ["city_zip_mismatch"] },
    { name: "the ZIP's own city, spelled in capitals", fields: { city: "NEW YORK" }, want: [] },
    { name: "a neighbouring city of the same sectional center", fields: { zip: "02134", city: "Boston", state: "MA", phone: "+16174951000" }, want: [] },
    { name: "Saint spelled St.", fields: { zip: "63101", city: "St. Louis", state: "MO", phone: "+13146221000" }, want: [] },
    { name: "a Los Angeles area code with a New York address", fields: { phone: "+13102762111" }, want: ["phone_state_mismatch"] },
    { name: "a Manhattan area code with a New York address", fields: { phone: "+17182222222" }, want: [] },
    { name: "a Puerto Rico number with a Puerto Rico address", fields: { phone: "+17877223000", zip: "00601", city: "Adjuntas", state: "PR" }, want: [] },
    { name: "a Puerto Rico number with a New York address", fields: { phone: "+17877223000" }, want: ["phone_state_mismatch"] },
  ])("$name: $want", ({ fields, want }) => {
    expect(names(fields)).toEqual(want);
  });

  test.each<{ name: string; form: ScoreInput["form"]; want: string[] }>([
    { name: "a filled honeypot", form: { honeypotFilled: true, fillSeconds: 40 }, want: ["form_honeypot_filled"] },
    { name: "a form filled in a second", form: { fillSeconds: 1 }, want: ["form_fill_too_fast"] },
    { name: "a bot on both counts", form: { honeypotFilled: true, fillSeconds: 0 }, want: ["form_honeypot_filled", "form_fill_too_fast"] },
    { name: "an empty honeypot and a human pace", form: { honeypotFilled: false, fillSeconds: 45 }, want: [] },
    { name: "no form evidence", form: undefined, want: [] },
  ])("$name: $want", ({ form, want }) => {
    expect(names({}, form ? { form } : {})).toEqual(want);
  });

  test.each<{ name: string; history: ScoreInput["history"]; want: string[] }>([
    { name: "no history (consumer objects not asked)", history: undefined, want: [] },
    { name: "a consumer seen twice before", history: { hours: 24, phone: 2, email: 2, ip: 4 }, want: [] },
    { name: "the same phone on three earlier leads", history: { hours: 24, phone: 3, email: 0, ip: 0 }, want: ["velocity_phone"] },
    { name: "the same email on many earlier leads", history: { hours: 24, phone: 0, email: 9, ip: 0 }, want: ["velocity_email"] },
    { name: "one IP behind five earlier leads", history: { hours: 24, phone: 0, email: 0, ip: 5 }, want: ["velocity_ip"] },
    { name: "everything at once", history: { hours: 1, phone: 4, email: 4, ip: 40 }, want: ["velocity_phone", "velocity_email", "velocity_ip"] },
  ])("$name: $want", ({ history, want }) => {
    expect(names({}, history ? { history } : {})).toEqual(want);
  });

  test("a velocity signal says how many leads in how many hours", () => {
    const [found] = score(clean, {}, { history: { hours: 6, phone: 7, email: 0, ip: 0 } }).signals;
    expect(found?.detail).toBe("7 earlier leads with this phone in the last 6 hours");
  });

  const solar: FieldSpec[] = [
    { name: "homeowner", type: "boolean", required: false, pii: false },
    { name: "vehicleYear", type: "number", required: false, pii: false },
    { name: "roofAge", type: "number", required: false, min: 0, max: 100, pii: false },
    { name: "utility", type: "string", required: false, pii: false },
    { name: "zip", type: "string", required: true, pii: false },
  ];
  test.each<{ name: string; fields: LeadFields; want: string[] }>([
    { name: "every qualifier given and plausible", fields: { homeowner: true, vehicleYear: 2019, roofAge: 12, utility: "PG&E" }, want: [] },
    { name: "a declared qualifier left out", fields: { vehicleYear: 2019, roofAge: 12, utility: "PG&E" }, want: ["qualifier_missing"] },
    { name: "a model year after next year", fields: { homeowner: false, vehicleYear: 2031, roofAge: 12, utility: "PG&E" }, want: ["qualifier_implausible"] },
    { name: "a model year before 1900", fields: { homeowner: false, vehicleYear: 1066, roofAge: 12, utility: "PG&E" }, want: ["qualifier_implausible"] },
    { name: "a placeholder choice", fields: { homeowner: true, vehicleYear: 2019, roofAge: 0, utility: "Select one" }, want: ["qualifier_implausible"] },
    { name: "a bounded number at its bound (intake judged it)", fields: { homeowner: true, vehicleYear: 2019, roofAge: 100, utility: "SCE" }, want: [] },
  ])("$name: $want", ({ fields, want }) => {
    expect(names(fields, { treeFields: solar })).toEqual(want);
  });

  test("a missing qualifier names every one left out", () => {
    const [found] = score(clean, {}, { treeFields: solar }).signals;
    expect(found?.detail).toBe("no homeowner, vehicleYear, roofAge, utility given");
  });
});

describe("weights", () => {
  test("a fitted version prices each signal, names its version, and leaves the rest hand-set", () => {
    const weights: ScoreWeights = { version: 7, points: { email_disposable: -12 } };
    const result = score({ ...clean, email: "jsmith@mailinator.com", address: "" }, {}, {}, weights);
    expect(result).toEqual({
      score: 100 - 12 + HAND_SET_POINTS.address_missing,
      weightsVersion: 7,
      signals: [
        { name: "email_disposable", points: -12, detail: "mailinator.com is a disposable email service" },
        { name: "address_missing", points: HAND_SET_POINTS.address_missing, detail: "no street address given" },
      ],
    });
  });

  test("every catalogued signal takes points off by hand", () => {
    expect(SIGNAL_NAMES.every((name) => HAND_SET_POINTS[name] < 0)).toBe(true);
  });
});

describe("scoreLead properties", () => {
  const value = fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.emailAddress(), fc.constantFrom("+12127364100", "10001", "1980-01-01"));
  const fields = fc.dictionary(
    fc.constantFrom("firstName", "lastName", "email", "phone", "address", "state", "zip", "dateOfBirth", "ip", "other"),
    value,
  );
  const timestamp = fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((date) => date.toISOString()));

  const count = fc.integer({ min: 0, max: 1000 });
  const history = fc.option(fc.record({ hours: fc.integer({ min: 1, max: 720 }), phone: count, email: count, ip: count }), { nil: undefined });
  const form = fc.option(fc.record({ fillSeconds: fc.option(fc.double({ min: 0, noNaN: true }), { nil: undefined }), honeypotFilled: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined });
  const treeFields = fc.array(
    fc.record({
      name: fc.constantFrom("homeowner", "vehicleYear", "utility", "zip", "other"),
      type: fc.constantFrom("string", "number", "boolean", "enum"),
      required: fc.boolean(),
      pii: fc.boolean(),
      min: fc.option(fc.integer(), { nil: undefined }),
      max: fc.option(fc.integer(), { nil: undefined }),
    }),
    { maxLength: 5 },
  );
  const weights = fc.record({
    version: fc.nat(),
    points: fc.dictionary(fc.constantFrom(...SIGNAL_NAMES), fc.integer({ min: -100, max: 0 })),
  });

  test("the score is an integer within 0..100 and equals 100 plus its clamped signals", () => {
    fc.assert(
      fc.property(fields, fc.string(), timestamp, history, form, treeFields, weights, (leadFields, ip, ts, seen, filled, specs, table) => {
        const input: ScoreInput = { fields: leadFields, consent: { text: "ok", ip, timestamp: ts }, meta: {}, treeFields: specs };
        if (seen) input.history = seen;
        if (filled) input.form = filled;
        const result = scoreLead(input, now, table);
        const total = result.signals.reduce((sum, s) => sum + s.points, 100);
        return result.weightsVersion === table.version && Number.isInteger(result.score) && result.score >= 0 && result.score <= 100 && result.score === Math.max(0, Math.min(100, total));
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
