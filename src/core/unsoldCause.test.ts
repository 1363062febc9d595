import { describe, expect, test } from "vitest";
import type { TraceEntry } from "./attempt";
import type { Screening } from "./screen";
import { unsoldCause } from "./unsoldCause";

const PASS: Screening = { kind: "pass" };

function entry(phase: TraceEntry["phase"], outcome: TraceEntry["outcome"], leadPointId = "LP"): TraceEntry {
  return { leadPointId, phase, outcome, startedAt: "2026-01-07T15:00:00.000Z", ms: 5 };
}

describe("unsoldCause", () => {
  test.each<{ name: string; screening: Screening; trace: TraceEntry[]; want: string }>([
    { name: "a tree filter with action error makes the lead invalid", screening: { kind: "error", errors: [{ path: "state", message: "no" }] }, trace: [], want: "invalid" },
    { name: "a tree filter that declines makes the lead invalid", screening: { kind: "decline", rule: "filter", reason: "state" }, trace: [], want: "invalid" },
    { name: "a score under the tree's floor is below_floor", screening: { kind: "decline", rule: "scoreFloor", reason: "score" }, trace: [], want: "below_floor" },
    { name: "the tree's daily limit leaves no eligible buyer", screening: { kind: "decline", rule: "dailyLimit", reason: "limit" }, trace: [], want: "no_eligible_buyer" },
    { name: "an empty trace has no eligible buyer", screening: PASS, trace: [], want: "no_eligible_buyer" },
    { name: "only skipped points have no eligible buyer", screening: PASS, trace: [entry("ping", "skipped", "A"), entry("ping", "skipped", "B")], want: "no_eligible_buyer" },
    { name: "every ping declined", screening: PASS, trace: [entry("ping", "declined", "A"), entry("ping", "declined", "B")], want: "all_declined" },
    { name: "declines, errors and skips together are all_declined", screening: PASS, trace: [entry("ping", "declined", "A"), entry("ping", "error", "B"), entry("ping", "skipped", "C")], want: "all_declined" },
    { name: "every ping timed out", screening: PASS, trace: [entry("ping", "timeout", "A"), entry("ping", "timeout", "B"), entry("ping", "skipped", "C")], want: "all_timed_out" },
    { name: "one timeout among declines is all_declined", screening: PASS, trace: [entry("ping", "timeout", "A"), entry("ping", "declined", "B")], want: "all_declined" },
    { name: "a bid that never reached a post is below_floor", screening: PASS, trace: [entry("ping", "accepted", "A"), entry("post", "skipped", "A")], want: "below_floor" },
    { name: "a post refused after a bid is post_rejected", screening: PASS, trace: [entry("ping", "accepted", "A"), entry("post", "declined", "A")], want: "post_rejected" },
    { name: "a post that timed out is post_rejected", screening: PASS, trace: [entry("ping", "accepted", "A"), entry("post", "timeout", "A")], want: "post_rejected" },
    { name: "a refused direct post is post_rejected", screening: PASS, trace: [entry("post", "declined", "A")], want: "post_rejected" },
  ])("$name", ({ screening, trace, want }) => {
    expect(unsoldCause(screening, trace)).toBe(want);
  });
});
