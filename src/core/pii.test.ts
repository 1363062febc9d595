import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { FieldSpec } from "./config";
import type { LeadFields } from "./lead";
import { isPiiField, piiFields, pingFields } from "./pii";

const specs: FieldSpec[] = [
  { name: "ssnLast4", type: "string", required: false, pii: true },
  { name: "homeowner", type: "boolean", required: false, pii: false },
];

describe("isPiiField", () => {
  test.each([
    { name: "a standard PII field", field: "email", want: true },
    { name: "the date of birth", field: "dateOfBirth", want: true },
    { name: "the lead's ip", field: "ip", want: true },
    { name: "a tree field marked pii", field: "ssnLast4", want: true },
    { name: "a tree field not marked pii", field: "homeowner", want: false },
    { name: "the ZIP, which buyers price on", field: "zip", want: false },
    { name: "the state", field: "state", want: false },
  ])("$name → $want", ({ field, want }) => {
    expect(isPiiField(field, specs)).toBe(want);
  });
});

describe("pingFields", () => {
  test("keeps what buyers bid on and drops the person", () => {
    const fields: LeadFields = {
      firstName: "John", lastName: "Smith", email: "j@x.com", phone: "+12127364100", address: "1 Main St",
      city: "New York", state: "NY", zip: "10001", dateOfBirth: "1980-01-01", ip: "203.0.113.7",
      homeowner: true, ssnLast4: "1234",
    };
    expect(pingFields(fields, specs)).toEqual({ city: "New York", state: "NY", zip: "10001", homeowner: true });
  });

  test("never returns a PII key, and keeps every other key unchanged", () => {
    const name = fc.oneof(fc.constantFrom(...piiFields, "ssnLast4", "homeowner", "zip"), fc.string());
    const value = fc.oneof(fc.string(), fc.double(), fc.boolean());
    fc.assert(
      fc.property(fc.dictionary(name, value), (fields) => {
        const ping = pingFields(fields, specs);
        for (const key of Object.keys(ping)) {
          // Object.is, so a NaN value (which fast-check generates) counts as kept.
          if (isPiiField(key, specs) || !Object.is(ping[key], fields[key])) return false;
        }
        return Object.keys(fields).every((key) => isPiiField(key, specs) || key in ping);
      }),
    );
  });
});
