import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { FieldSpec, Tree } from "../config";
import type { FieldError } from "../lead";
import { parsePing, parseSubmission } from "./index";

const now = new Date("2026-11-28T13:40:00Z");
const intake: Tree["intake"] = {
  requireHttps: false,
  ignoreQueryString: true,
  tieFirstOrLast: "first",
  tieGetOrPost: "post",
  requireClickId: false,
};
const plainTree = { fields: [], intake };

function spec(partial: Partial<FieldSpec> & Pick<FieldSpec, "name" | "type">): FieldSpec {
  return { required: false, pii: false, ...partial };
}

const consent = {
  text: "I agree to be contacted about solar offers.",
  ip: "203.0.113.7",
  timestamp: "2026-11-28T13:39:00Z",
  pageUrl: "https://solar.example.com/quote",
};

const json = {
  firstName: " John ",
  lastName: "Smith",
  email: " John.Smith@Gmail.com ",
  phone: "(212) 736-4100",
  zip: "10001",
  consent,
  clickId: "clk-1",
};

const form: Record<string, string> = {
  api_key: "pk_secret",
  firstName: "Jane",
  lastName: "Doe",
  email: "jane@yahoo.com",
  phone: "212.736.4100",
  zip: "90210-1234",
  consent_text: "I agree.",
  consent_ip: "2001:DB8::1",
  consent_timestamp: String(Date.parse("2026-11-28T13:00:00Z") / 1000),
  consent_page_url: "https://solar.example.com/",
  consent_userAgent: "Mozilla/5.0",
  c: "clk-2",
  subId: "s1",
};

function errorsOf(raw: Record<string, unknown>, tree: Pick<Tree, "fields" | "intake"> = plainTree): FieldError[] {
  const result = parseSubmission(raw, tree, now);
  return result.ok ? [] : result.errors;
}

describe("parseSubmission accepts", () => {
  test("a JSON lead, normalized", () => {
    const result = parseSubmission(json, plainTree, now);
    expect(result, JSON.stringify(result)).toEqual({
      ok: true,
      fields: {
        firstName: "John",
        lastName: "Smith",
        email: "john.smith@gmail.com",
        phone: "+12127364100",
        zip: "10001",
        city: "New York",
        state: "NY",
      },
      consent: { ...consent, timestamp: "2026-11-28T13:39:00.000Z" },
      meta: { clickId: "clk-1" },
    });
  });

  test("a form post with flat consent, aliases and ZIP+4", () => {
    const result = parseSubmission(form, plainTree, now);
    expect(result, JSON.stringify(result)).toEqual({
      ok: true,
      fields: {
        firstName: "Jane",
        lastName: "Doe",
        email: "jane@yahoo.com",
        phone: "+12127364100",
        zip: "90210",
        city: "Beverly Hills",
        state: "CA",
      },
      consent: {
        text: "I agree.",
        ip: "2001:db8::1",
        timestamp: "2026-11-28T13:00:00.000Z",
        pageUrl: "https://solar.example.com/",
        userAgent: "Mozilla/5.0",
      },
      meta: { clickId: "clk-2", subId: "s1" },
    });
  });

  test.each([
    { name: "a given city and state are kept over the ZIP's", extra: { city: "Manhattan", state: "ny" }, want: { city: "Manhattan", state: "NY" } },
    { name: "a mismatched state is kept (scoring weighs it)", extra: { state: "CA" }, want: { state: "CA", city: "New York" } },
    { name: "a US date of birth is normalized", extra: { dateOfBirth: "7/4/1980" }, want: { dateOfBirth: "1980-07-04" } },
    { name: "an ISO date of birth is kept", extra: { dateOfBirth: "1980-02-29" }, want: { dateOfBirth: "1980-02-29" } },
    { name: "a numeric phone and ZIP from JSON", extra: { phone: 2127364100, zip: 10001 }, want: { phone: "+12127364100", zip: "10001" } },
    { name: "a phone with country code", extra: { phone: "+1 212 736 4100" }, want: { phone: "+12127364100" } },
    { name: "a doubtful but possible phone", extra: { phone: "2120000000" }, want: { phone: "+12120000000" } },
    { name: "an IPv6 lead ip is lowercased", extra: { ip: "2001:DB8::2" }, want: { ip: "2001:db8::2" } },
    { name: "names have inner whitespace collapsed", extra: { firstName: "Mary   Ann" }, want: { firstName: "Mary Ann" } },
  ])("$name", ({ extra, want }) => {
    const result = parseSubmission({ ...json, ...extra }, plainTree, now);
    expect(result.ok && result.fields, JSON.stringify(result)).toMatchObject(want);
  });

  test.each([
    { name: "unix seconds as a number", timestamp: 1_795_870_800, want: "2026-11-28T13:00:00.000Z" },
    { name: "an offset is converted to UTC", timestamp: "2026-11-28T08:00:00-05:00", want: "2026-11-28T13:00:00.000Z" },
    { name: "four minutes ahead is clock skew", timestamp: "2026-11-28T13:44:00Z", want: "2026-11-28T13:44:00.000Z" },
  ])("consent timestamp: $name", ({ timestamp, want }) => {
    const result = parseSubmission({ ...json, consent: { ...consent, timestamp } }, plainTree, now);
    expect(result.ok && result.consent.timestamp, JSON.stringify(result)).toBe(want);
  });

  test("unknown fields and the form api_key are ignored", () => {
    const result = parseSubmission({ ...json, favouriteColour: "blue", api_key: "k" }, plainTree, now);
    expect(result.ok && Object.keys(result.fields), JSON.stringify(result)).not.toContain("favouriteColour");
    expect(result.ok && Object.keys(result.fields)).not.toContain("api_key");
  });

  test("a qualifier named like an Object method is read from the submission only", () => {
    const tree = { intake, fields: [spec({ name: "constructor", type: "string" })] };
    const result = parseSubmission(json, tree, now);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.ok && Object.keys(result.fields)).not.toContain("constructor");
  });

  test("clickId wins over its alias c", () => {
    const result = parseSubmission({ ...json, c: "other" }, plainTree, now);
    expect(result.ok && result.meta.clickId).toBe("clk-1");
  });
});

describe("parseSubmission refuses", () => {
  test.each([
    { name: "a missing first name", raw: { ...json, firstName: undefined }, want: [{ path: "firstName", message: "is required" }] },
    { name: "a blank form field as missing", raw: { ...json, lastName: "   " }, want: [{ path: "lastName", message: "is required" }] },
    { name: "an email that cannot be an address", raw: { ...json, email: "john@" }, want: [{ path: "email", message: "must be a valid email address" }] },
    { name: "a phone that is too short", raw: { ...json, phone: "736-4100" }, want: [{ path: "phone", message: "must be a possible US phone number" }] },
    { name: "a foreign phone", raw: { ...json, phone: "+44 20 7946 0958" }, want: [{ path: "phone", message: "must be a possible US phone number" }] },
    { name: "a phone with letters", raw: { ...json, phone: "212-736-HOME" }, want: [{ path: "phone", message: "must be a US phone number" }] },
    { name: "a ZIP that does not exist", raw: { ...json, zip: "00000" }, want: [{ path: "zip", message: "is not a known US ZIP code" }] },
    { name: "a ZIP of the wrong shape", raw: { ...json, zip: "1000A" }, want: [{ path: "zip", message: "must be a 5-digit ZIP code" }] },
    { name: "a state that is not a US code", raw: { ...json, state: "ZZ" }, want: [{ path: "state", message: "must be a two-letter US state code" }] },
    { name: "a date of birth that is not a real date", raw: { ...json, dateOfBirth: "1980-02-30" }, want: [{ path: "dateOfBirth", message: "must be a real past date (YYYY-MM-DD)" }] },
    { name: "a date of birth in the future", raw: { ...json, dateOfBirth: "2030-01-01" }, want: [{ path: "dateOfBirth", message: "must be a real past date (YYYY-MM-DD)" }] },
    { name: "an ip that is not an address", raw: { ...json, ip: "999.1.1.1" }, want: [{ path: "ip", message: "must be an IPv4 or IPv6 address" }] },
    { name: "an overlong name", raw: { ...json, lastName: "x".repeat(101) }, want: [{ path: "lastName", message: "must be at most 100 characters" }] },
    { name: "a name sent as an object", raw: { ...json, firstName: { a: 1 } }, want: [{ path: "firstName", message: "must be text" }] },
    { name: "a missing consent record", raw: { ...json, consent: undefined }, want: [{ path: "consent", message: "is required" }] },
    { name: "a consent that is not an object", raw: { ...json, consent: "yes" }, want: [{ path: "consent", message: "must be an object" }] },
    { name: "a consent with an empty text", raw: { ...json, consent: { ...consent, text: " " } }, want: [{ path: "consent.text", message: "is required" }] },
    { name: "a consent ip that is not an address", raw: { ...json, consent: { ...consent, ip: "localhost" } }, want: [{ path: "consent.ip", message: "must be an IPv4 or IPv6 address" }] },
    { name: "a consent timestamp in the future", raw: { ...json, consent: { ...consent, timestamp: "2026-11-28T13:46:00Z" } }, want: [{ path: "consent.timestamp", message: "must not be in the future" }] },
    { name: "a consent timestamp in milliseconds", raw: { ...json, consent: { ...consent, timestamp: 1_795_870_800_000 } }, want: [{ path: "consent.timestamp", message: "must be unix seconds, not milliseconds" }] },
    { name: "a consent timestamp without a zone", raw: { ...json, consent: { ...consent, timestamp: "2026-11-28T13:00:00" } }, want: [{ path: "consent.timestamp", message: "must be an ISO-8601 time with a zone, or unix seconds" }] },
    { name: "a consent page URL that is not http(s)", raw: { ...json, consent: { ...consent, pageUrl: "javascript:alert(1)" } }, want: [{ path: "consent.pageUrl", message: "must be an http(s) URL" }] },
    { name: "a form consent certificate URL that is not a URL", raw: { ...form, consent_certificate_url: "cert" }, want: [{ path: "consent.certificateUrl", message: "must be an absolute https URL" }] },
    { name: "a consent certificate URL over plain http", raw: { ...json, consent: { ...consent, certificateUrl: "http://cert.trustedform.com/abc" } }, want: [{ path: "consent.certificateUrl", message: "must be an absolute https URL" }] },
    { name: "a relative consent certificate URL", raw: { ...json, consent: { ...consent, certificateUrl: "/certs/abc" } }, want: [{ path: "consent.certificateUrl", message: "must be an absolute https URL" }] },
    { name: "a consent certificate URL too long", raw: { ...json, consent: { ...consent, certificateUrl: `https://cert.trustedform.com/${"a".repeat(2048)}` } }, want: [{ path: "consent.certificateUrl", message: "must be at most 2048 characters" }] },
    { name: "a form consent without an ip", raw: { ...form, consent_ip: "" }, want: [{ path: "consent.ip", message: "is required" }] },
    { name: "a click id that is not text", raw: { ...json, clickId: ["a"] }, want: [{ path: "clickId", message: "must be text" }] },
  ])("$name", ({ raw, want }) => {
    expect(errorsOf(raw)).toEqual(want);
  });

  test("every problem at once, not just the first", () => {
    const errors = errorsOf({ email: "nope", phone: "12", zip: "99999", consent: { text: "ok" } });
    expect(errors.map((error) => error.path)).toEqual([
      "email", "phone", "zip", "firstName", "lastName", "consent.ip", "consent.timestamp",
    ]);
  });

  test("a missing click id when the tree requires one", () => {
    const tree = { fields: [], intake: { ...intake, requireClickId: true } };
    expect(errorsOf({ ...json, clickId: undefined }, tree)).toEqual([{ path: "clickId", message: "is required" }]);
    expect(errorsOf({ ...json, clickId: undefined, c: "via-alias" }, tree)).toEqual([]);
  });
});

describe("parseSubmission with the tree's fields", () => {
  const tree = {
    intake,
    fields: [
      spec({ name: "homeowner", type: "boolean", required: true }),
      spec({ name: "monthlyElectricBill", type: "number", min: 0, max: 5000 }),
      spec({ name: "roofType", type: "enum", values: ["Asphalt", "Metal", "Tile"] }),
      spec({ name: "utility", type: "string", min: 2, max: 20 }),
      spec({ name: "email", type: "string", required: false }),
      spec({ name: "address", type: "string", required: true }),
    ],
  };
  const base = { ...json, homeowner: "yes", address: "1 Main St" };

  test.each([
    { name: "form strings are coerced", extra: { homeowner: "Yes", monthlyElectricBill: "180.50", roofType: "metal", utility: "ConEd" }, want: { homeowner: true, monthlyElectricBill: 180.5, roofType: "Metal", utility: "ConEd" } },
    { name: "JSON values are kept", extra: { homeowner: false, monthlyElectricBill: 0 }, want: { homeowner: false, monthlyElectricBill: 0 } },
    { name: "\"0\" is false", extra: { homeowner: "0" }, want: { homeowner: false } },
    { name: "a relaxed standard field may be absent", extra: { email: undefined }, want: { firstName: "John" } },
  ])("accepts: $name", ({ extra, want }) => {
    const result = parseSubmission({ ...base, ...extra }, tree, now);
    expect(result.ok && result.fields, JSON.stringify(result)).toMatchObject(want);
  });

  test.each([
    { name: "a required qualifier is missing", extra: { homeowner: "" }, want: [{ path: "homeowner", message: "is required" }] },
    { name: "a spec makes address required", extra: { address: undefined }, want: [{ path: "address", message: "is required" }] },
    { name: "a boolean is not yes or no", extra: { homeowner: "maybe" }, want: [{ path: "homeowner", message: "must be yes or no" }] },
    { name: "a number is not a number", extra: { monthlyElectricBill: "$180" }, want: [{ path: "monthlyElectricBill", message: "must be a number" }] },
    { name: "a hex string is not a number", extra: { monthlyElectricBill: "0x10" }, want: [{ path: "monthlyElectricBill", message: "must be a number" }] },
    { name: "a number is above max", extra: { monthlyElectricBill: 5001 }, want: [{ path: "monthlyElectricBill", message: "must be at most 5000" }] },
    { name: "a number is below min", extra: { monthlyElectricBill: "-1" }, want: [{ path: "monthlyElectricBill", message: "must be at least 0" }] },
    { name: "an enum value is not listed", extra: { roofType: "straw" }, want: [{ path: "roofType", message: "must be one of: Asphalt, Metal, Tile" }] },
    { name: "a string is too short", extra: { utility: "X" }, want: [{ path: "utility", message: "must be at least 2 characters" }] },
    { name: "a string is too long", extra: { utility: "x".repeat(21) }, want: [{ path: "utility", message: "must be at most 20 characters" }] },
    { name: "a relaxed standard field is still checked when sent", extra: { email: "bad" }, want: [{ path: "email", message: "must be a valid email address" }] },
  ])("refuses: $name", ({ extra, want }) => {
    expect(errorsOf({ ...base, ...extra }, tree)).toEqual(want);
  });
});

describe("parseSubmission reads the form's evidence", () => {
  test.each<{ name: string; raw: Record<string, unknown>; want: unknown }>([
    { name: "none sent", raw: {}, want: undefined },
    { name: "fillSeconds from JSON", raw: { fillSeconds: 42.5 }, want: { fillSeconds: 42.5 } },
    { name: "fillSeconds from a form", raw: { fillSeconds: "2" }, want: { fillSeconds: 2 } },
    { name: "formStartedAt, counted to now", raw: { formStartedAt: "2026-11-28T13:39:15Z" }, want: { fillSeconds: 45 } },
    { name: "formStartedAt in unix seconds", raw: { formStartedAt: String(Date.parse("2026-11-28T13:39:59Z") / 1000) }, want: { fillSeconds: 1 } },
    { name: "fillSeconds winning over formStartedAt", raw: { fillSeconds: 30, formStartedAt: "2026-11-28T13:39:59Z" }, want: { fillSeconds: 30 } },
    { name: "an empty honeypot as a form posts it", raw: { hp: "" }, want: { honeypotFilled: false } },
    { name: "a filled honeypot", raw: { hp: "http://spam.example" }, want: { honeypotFilled: true } },
    { name: "a honeypot a bot filled with an object", raw: { hp: { a: 1 } }, want: { honeypotFilled: true } },
  ])("$name", ({ raw, want }) => {
    const result = parseSubmission({ ...json, ...raw }, plainTree, now);
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.form).toEqual(want);
    expect(Object.keys(result.fields).filter((name) => ["fillSeconds", "formStartedAt", "hp"].includes(name))).toEqual([]);
  });

  test.each<{ name: string; raw: Record<string, unknown>; want: FieldError }>([
    { name: "a negative fillSeconds", raw: { fillSeconds: -3 }, want: { path: "fillSeconds", message: "must be a number of seconds, 0 or more" } },
    { name: "a fillSeconds in words", raw: { fillSeconds: "slow" }, want: { path: "fillSeconds", message: "must be a number of seconds, 0 or more" } },
    { name: "a formStartedAt in the future", raw: { formStartedAt: "2026-11-28T14:40:00Z" }, want: { path: "formStartedAt", message: "must not be in the future" } },
    { name: "a formStartedAt that is no time", raw: { formStartedAt: "yesterday" }, want: { path: "formStartedAt", message: "must be an ISO-8601 time with a zone, or unix seconds" } },
  ])("refuses $name", ({ raw, want }) => {
    expect(errorsOf({ ...json, ...raw })).toEqual([want]);
  });

  test("a tree cannot declare the evidence's names as qualifiers", () => {
    const tree = { fields: [spec({ name: "hp", type: "string", required: true })], intake };
    expect(errorsOf(json, tree)).toEqual([]);
  });
});

describe("parseSubmission properties", () => {
  test("never throws, and either yields fields or names at least one error", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.object());
    const raw = fc.dictionary(
      fc.constantFrom("firstName", "lastName", "email", "phone", "zip", "state", "dateOfBirth", "ip", "consent", "consent_ip", "clickId", "c"),
      value,
    );
    fc.assert(
      fc.property(raw, (input) => {
        const result = parseSubmission(input, plainTree, now);
        return result.ok || result.errors.length > 0;
      }),
    );
  });

  test("a consent timestamp is accepted exactly when it is at most five minutes ahead", () => {
    const limit = now.getTime() / 1000 + 300;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: limit + 3600 }), (seconds) => {
        const result = parseSubmission({ ...json, consent: { ...consent, timestamp: seconds } }, plainTree, now);
        const expected = new Date(seconds * 1000).toISOString();
        return seconds <= limit ? result.ok && result.consent.timestamp === expected : !result.ok;
      }),
    );
  });
});

describe("parsePing: the lead without its PII", () => {
  const ownFields = { fields: [spec({ name: "homeowner", type: "boolean", required: true }), spec({ name: "ssnLast4", type: "string", pii: true })], intake };

  test("takes the non-PII fields, fills city and state from the ZIP, and requires no PII and no consent", () => {
    expect(parsePing({ zip: "10001", homeowner: "yes", clickId: "clk-1" }, ownFields, now)).toEqual({
      ok: true,
      fields: { zip: "10001", city: "New York", state: "NY", homeowner: true },
      meta: { clickId: "clk-1" },
    });
  });

  test("refuses PII, the consent record and the tree's own PII fields, naming each", () => {
    const parsed = parsePing({ zip: "10001", homeowner: "yes", email: "a@b.com", phone: "2127364100", consent: {}, consent_text: "x", ssnLast4: "1234" }, ownFields, now);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.map((error) => error.path)).toEqual(["email", "phone", "consent", "consent_text", "ssnLast4"]);
  });

  test("validates what it takes as a submission does", () => {
    const parsed = parsePing({ zip: "00000" }, { fields: [], intake: { ...intake, requireClickId: true } }, now);
    expect(!parsed.ok && parsed.errors.map((error) => error.path)).toEqual(["zip", "clickId"]);
  });
});
