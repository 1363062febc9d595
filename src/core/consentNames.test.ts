import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { consentRefusal, consentWords, hasConsentWord, namedInConsent } from "./consentNames";

const named = (text: string, names: string[]) => namedInConsent(consentWords(text), names);

describe("namedInConsent", () => {
  test.each([
    { name: "the exact name", text: "I agree to be called by Acme Insurance.", names: ["Acme Insurance"], expected: true },
    { name: "case does not matter", text: "I AGREE TO BE CALLED BY ACME INSURANCE", names: ["acme insurance"], expected: true },
    { name: "whitespace is normalized", text: "called by\n  Acme \t Insurance", names: ["Acme Insurance"], expected: true },
    { name: "a name is found on word boundaries only", text: "I agree to be called by Acmeville Roofing.", names: ["Acme"], expected: false },
    { name: "a name is not a prefix of a longer word", text: "called by Acme Incorporated", names: ["Acme Inc"], expected: false },
    { name: "punctuation between words separates them", text: "called by Acme, Inc. and others", names: ["Acme Inc"], expected: true },
    { name: "the name's own punctuation is ignored", text: "called by Acme Inc and others", names: ["Acme, Inc."], expected: true },
    { name: "a hyphen separates", text: "called by Blue-Cross partners", names: ["Blue Cross"], expected: true },
    { name: "an ampersand separates", text: "called by AT & T", names: ["AT&T"], expected: true },
    { name: "an apostrophe joins", text: "called by Macy’s", names: ["Macys"], expected: true },
    { name: "diacritics are ignored", text: "called by Café Solar", names: ["Cafe Solar"], expected: true },
    { name: "a name at the start of the text", text: "Acme may call me.", names: ["Acme"], expected: true },
    { name: "any of several names", text: "called by SunPower Direct", names: ["Acme", "SunPower"], expected: true },
    { name: "none of several names", text: "called by SunPower Direct", names: ["Acme", "Sun Power"], expected: false },
    { name: "a name of only punctuation names no one", text: "called by - and ...", names: ["-"], expected: false },
    { name: "words in another order are not the name", text: "called by Insurance Acme", names: ["Acme Insurance"], expected: false },
  ])("$name", ({ text, names, expected }) => {
    expect(named(text, names)).toBe(expected);
  });
});

describe("consentRefusal", () => {
  const words = consentWords("I agree to be called by Acme.");
  test.each([
    { name: "a named buyer may be pinged", names: ["Acme"], expected: undefined },
    { name: "a buyer not named is refused", names: ["Zenith"], expected: "not named in the consent (one-to-one consent)" },
    { name: "no names is refused", names: [], expected: "declares no consentNames, which one-to-one consent needs" },
    { name: "absent names is refused", names: undefined, expected: "declares no consentNames, which one-to-one consent needs" },
  ])("$name", ({ names, expected }) => {
    expect(consentRefusal(words, names)).toBe(expected);
  });
});

test("hasConsentWord refuses a name with no letter or digit", () => {
  expect([hasConsentWord("Acme"), hasConsentWord(" 3M "), hasConsentWord("- & ."), hasConsentWord("")]).toEqual([true, true, false, false]);
});

const wordArb = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const separatorArb = fc.constantFrom(" ", "  ", ", ", ". ", "\n", " - ", "; ", " & ", "\t");
const recase = (text: string, upper: boolean[]) => [...text].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c)).join("");

describe("properties", () => {
  test("a name written into the text between any separators, in any case, is found", () => {
    fc.assert(
      fc.property(fc.array(wordArb, { maxLength: 5 }), fc.array(wordArb, { minLength: 1, maxLength: 4 }), fc.array(wordArb, { maxLength: 5 }), separatorArb, fc.array(fc.boolean(), { minLength: 1 }), (before, name, after, sep, upper) => {
        const text = recase([...before, name.join(sep), ...after].join(sep), upper);
        expect(named(text, [name.join(" ")])).toBe(true);
      }),
    );
  });

  test("a name glued to a longer word is not found", () => {
    fc.assert(
      fc.property(wordArb, fc.stringMatching(/^[a-z]{1,6}$/), (name, tail) => {
        expect(named(`called by ${name}${tail} today`, [name])).toBe(false);
      }),
    );
  });
});
