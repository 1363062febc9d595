import { describe, expect, test } from "vitest";
import type { ParsedSubmission } from "./index";
import { notIssuedMessage, requireIssuedClick } from "./issuedClick";

const issued = "clk_issued";
const isIssued = async (clickId: string) => clickId === issued;
const accepted = (clickId?: string): ParsedSubmission => ({
  ok: true,
  fields: { firstName: "John" },
  consent: { text: "I agree.", ip: "203.0.113.7", timestamp: "2026-11-28T13:39:00Z" },
  meta: clickId === undefined ? {} : { clickId },
});
const refused = (clickId?: string): ParsedSubmission => ({
  ok: false,
  errors: [{ path: "email", message: "must be a valid email address" }],
  meta: clickId === undefined ? {} : { clickId },
});
const required = { requireClickId: true };
const notIssued = { path: "clickId", message: notIssuedMessage };

describe("requireIssuedClick", () => {
  test.each([
    ["an issued click id passes", accepted(issued), required, accepted(issued)],
    ["a tree that does not require click ids takes any", accepted("clk-made-up"), { requireClickId: false }, accepted("clk-made-up")],
    ["a missing click id is left to parseSubmission's 'is required'", refused(), required, refused()],
    ["a made-up click id is refused", accepted("clk-made-up"), required, { ok: false, errors: [notIssued], meta: { clickId: "clk-made-up" } }],
    [
      "a made-up click id joins the submission's other errors",
      refused("clk-made-up"),
      required,
      { ok: false, errors: [{ path: "email", message: "must be a valid email address" }, notIssued], meta: { clickId: "clk-made-up" } },
    ],
  ])("%s", async (_name, parsed, intake, expected) => {
    expect(await requireIssuedClick(parsed, intake, isIssued)).toEqual(expected);
  });

  test("does not ask about the click id of a tree that does not require one", async () => {
    const asked: string[] = [];
    await requireIssuedClick(accepted("clk-any"), { requireClickId: false }, async (clickId) => (asked.push(clickId), true));
    expect(asked).toEqual([]);
  });
});
