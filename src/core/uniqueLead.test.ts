import { describe, expect, test } from "vitest";
import { keyHasPii, uniqueLeadKey } from "./uniqueLead";
import { lead } from "./testing/fixtures";

describe("keyHasPii: whether a unique-lead key would carry PII", () => {
  const specs = [{ name: "income", pii: true }, { name: "vehicles", pii: false }];
  test.each([
    { pattern: ["clickId", "treeId"], pii: false },
    { pattern: ["subId", "vehicles"], pii: false },
    { pattern: ["email", "treeId"], pii: true },
    { pattern: ["clickId", "phone"], pii: true },
    { pattern: ["income"], pii: true },
  ])("$pattern → $pii", ({ pattern, pii }) => {
    expect(keyHasPii(pattern, specs)).toBe(pii);
  });

  test("the plain key of such a pattern does carry the value (so it must not be stored as it is)", () => {
    expect(uniqueLeadKey(["email", "treeId"], lead({ fields: { email: "ann@gmail.com" } }))).toContain("ann@gmail.com");
  });
});
