import { describe, expect, test } from "vitest";
import { csvOf } from "./csv";

describe("csvOf", () => {
  test("writes a header row and one CRLF-ended row per record, in the columns' order", () => {
    expect(csvOf(["key", "leads"], [{ leads: 3, key: "pub_1" }, { key: "pub_2", leads: 0 }])).toBe("key,leads\r\npub_1,3\r\npub_2,0\r\n");
  });

  test.each([
    { name: "a comma is quoted", value: "a,b", want: '"a,b"' },
    { name: "a quote is doubled inside quotes", value: 'say "hi"', want: '"say ""hi"""' },
    { name: "a line break is quoted", value: "one\ntwo", want: '"one\ntwo"' },
    { name: "a carriage return is quoted", value: "one\rtwo", want: '"one\rtwo"' },
    { name: "a plain word is left bare", value: "plain", want: "plain" },
    { name: "null is an empty field", value: null, want: "" },
    { name: "a missing value is an empty field", value: undefined, want: "" },
    { name: "a number is its digits", value: -1250, want: "-1250" },
    { name: "a fraction keeps its decimals", value: 0.25, want: "0.25" },
  ])("$name", ({ value, want }) => {
    expect(csvOf(["v"], [{ v: value }])).toBe(`v\r\n${want}\r\n`);
  });

  test("no rows is the header alone", () => {
    expect(csvOf(["a", "b"], [])).toBe("a,b\r\n");
  });
});
