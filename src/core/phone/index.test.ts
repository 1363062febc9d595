import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { describe, expect, it, test } from "vitest";
import { AREA_CODE_STATES } from "./areaCodes.generated";
import { areaCodeState, parseUsPhone, stateOfPhone } from "./index";

describe("areaCodeState", () => {
  test.each([
    { code: "212", want: "NY" },
    { code: "310", want: "CA" },
    { code: "312", want: "IL" },
    { code: "202", want: "DC" },
    { code: "203", want: "CT" },
    { code: "206", want: "WA" },
    { code: "907", want: "AK" },
    { code: "416", want: undefined },
    { code: "000", want: undefined },
  ])("$code is $want", ({ code, want }) => {
    expect(areaCodeState(code)).toBe(want);
  });

  test("the generated table covers the US area codes, each once", () => {
    const codes = AREA_CODE_STATES.match(/\d{3}/g) ?? [];
    expect(AREA_CODE_STATES.length % 5).toBe(0);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBeGreaterThan(300);
  });
});

describe("stateOfPhone", () => {
  test.each([
    { phone: "+12127364100", want: "NY" },
    { phone: "+17877223000", want: "PR" },
    { phone: "+16716323365", want: "GU" },
    { phone: "+14163922489", want: undefined },
    { phone: "+442079460000", want: undefined },
  ])("$phone is in $want", ({ phone, want }) => {
    const parsed = parsePhoneNumberFromString(phone);
    if (!parsed) throw new Error(`${phone} does not parse`);
    expect(stateOfPhone(parsed)).toBe(want);
  });
});

describe("parseUsPhone", () => {
  it("reads a number as typed and in its E.164 form to the same number, and refuses what is no phone", () => {
    const typed = parseUsPhone("(212) 736-4100");
    expect(typed?.number).toBe("+12127364100");
    expect(parseUsPhone("+12127364100")?.number).toBe(typed?.number);
    expect(parseUsPhone("not a phone")).toBeUndefined();
  });

  it("answers the same as a fresh parse after many other numbers", () => {
    for (let line = 0; line < 200; line++) parseUsPhone(`(415) 555-${String(line).padStart(4, "0")}`);
    expect(parseUsPhone("(212) 736-4100")?.number).toBe("+12127364100");
  });
});
