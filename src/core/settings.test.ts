import { describe, expect, test } from "vitest";
import { numberSetting } from "./settings";

describe("numberSetting", () => {
  test.each([
    { raw: "16", min: 1, value: 16 },
    { raw: "0", min: 0, value: 0 },
    { raw: "0", min: 1, value: 7 },
    { raw: undefined, min: 1, value: 7 },
    { raw: "", min: 0, value: 7 },
    { raw: " ", min: 0, value: 7 },
    { raw: "-5", min: 1, value: 7 },
    { raw: "many", min: 1, value: 7 },
  ])("$raw with a minimum of $min is $value", ({ raw, min, value }) => {
    expect(numberSetting(raw, 7, min)).toBe(value);
  });
});
