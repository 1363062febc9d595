import { describe, expect, test } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  test.each([
    ["plain fields as they are", ["a", 1], "a,1"],
    ["a comma quoted", ["a,b", 2], '"a,b",2'],
    ["a quote doubled inside quotes", ['say "hi"', 3], '"say ""hi""",3'],
    ["a line break quoted", ["a\nb", -4], '"a\nb",-4'],
  ])("writes %s", (_case, row, line) => {
    expect(toCsv(["x", "y"], [row])).toBe(`x,y\r\n${line}\r\n`);
  });
});
