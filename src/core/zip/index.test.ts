import { describe, expect, test } from "vitest";
import { isCityOfZip, isStateCode, lookupZip } from "./index";
import { ZIP_DATA } from "./zips.generated";

describe("lookupZip", () => {
  test.each([
    { name: "a Manhattan ZIP", zip: "10001", want: { city: "New York", state: "NY" } },
    { name: "a ZIP with a leading zero", zip: "02134", want: { city: "Allston", state: "MA" } },
    { name: "the first ZIP in the data", zip: "00501", want: { city: "Holtsville", state: "NY" } },
    { name: "a Puerto Rico ZIP", zip: "00601", want: { city: "Adjuntas", state: "PR" } },
    { name: "a Beverly Hills ZIP", zip: "90210", want: { city: "Beverly Hills", state: "CA" } },
    { name: "ZIP+4 with a dash", zip: "10001-1234", want: { city: "New York", state: "NY" } },
    { name: "ZIP+4 without a dash", zip: "100011234", want: { city: "New York", state: "NY" } },
  ])("finds $name", ({ zip, want }) => {
    expect(lookupZip(zip)).toEqual(want);
  });

  test.each([
    { name: "a ZIP that does not exist", zip: "00000" },
    { name: "four digits", zip: "1000" },
    { name: "letters", zip: "ABCDE" },
    { name: "padding around the digits", zip: " 10001" },
  ])("knows nothing of $name", ({ zip }) => {
    expect(lookupZip(zip)).toBeUndefined();
  });

  test("decodes every line of the generated data", () => {
    const lines = ZIP_DATA.split("\n").length;
    let zip = 0;
    let found = 0;
    for (const line of ZIP_DATA.split("\n")) {
      zip += parseInt(line.split("\t")[0] ?? "", 36);
      if (lookupZip(String(zip).padStart(5, "0"))) found += 1;
    }
    expect(found).toBe(lines);
    expect(lines).toBeGreaterThan(40_000);
  });

  test("generated data stays small enough to bundle", () => {
    expect(ZIP_DATA.length).toBeLessThan(500_000);
  });
});

describe("isStateCode", () => {
  test.each(["NY", "CA", "DC", "PR", "GU", "AE"])("accepts %s", (code) => {
    expect(isStateCode(code)).toBe(true);
  });
  test.each(["ny", "XX", "New York", ""])("refuses %j", (code) => {
    expect(isStateCode(code)).toBe(false);
  });
});

describe("isCityOfZip", () => {
  test.each([
    { name: "the ZIP's own city", city: "New York", zip: "10001", want: true },
    { name: "another case and spacing", city: "  new   YORK ", zip: "10001", want: true },
    { name: "a city of the same sectional center", city: "Boston", zip: "02134", want: true },
    { name: "St. for Saint", city: "St. Louis", zip: "63101", want: true },
    { name: "a city across the country", city: "Chicago", zip: "10001", want: false },
    { name: "a ZIP that does not exist", city: "New York", zip: "00000", want: false },
  ])("$name: $want", ({ city, zip, want }) => {
    expect(isCityOfZip(city, zip)).toBe(want);
  });
});
