import { describe, expect, test } from "vitest";
import type { Sale } from "../../core/tree";
import { ANSWER_UNKNOWN, recoveryOf, unansweredPosts, type PostIntent } from "./recovery";

const sale = (leadPointId: string): Sale => ({ leadPointId, buyerId: `b-${leadPointId}`, priceCents: 900, countsTowardsQuota: true });
const intent = (leadPointId: string, answer?: PostIntent["answer"]): PostIntent => ({ leadPointId, priceCents: 900, at: 0, ...(answer ? { answer } : {}) });

describe("recoveryOf: what a stopped run's post intents leave to do", () => {
  test.each([
    { name: "no post left: run it again", intents: [], kind: "rerun", sold: [] },
    { name: "every post refused: run it again", intents: [intent("a", { kind: "rejected" }), intent("b", { kind: "timeout" })], kind: "rerun", sold: [] },
    { name: "a post accepted: settle from it", intents: [intent("a", { kind: "rejected" }), intent("b", { kind: "accepted", sale: sale("b") })], kind: "settle", sold: ["b"] },
    { name: "a post with no answer: review", intents: [intent("a")], kind: "review", sold: [] },
    { name: "an accepted post and one with no answer: review, keeping the sale", intents: [intent("a", { kind: "accepted", sale: sale("a") }), intent("b")], kind: "review", sold: ["a"] },
  ])("$name", ({ intents, kind, sold }) => {
    const recovery = recoveryOf(intents);
    expect(recovery.kind).toBe(kind);
    if (recovery.kind !== "rerun") {
      expect(recovery.sales.map((s) => s.leadPointId)).toEqual(sold);
      expect(recovery.trace.map((t) => t.leadPointId)).toEqual(intents.map((i) => i.leadPointId));
    }
  });

  test("the trace names each unanswered post, which is what a resolution answers", () => {
    const recovery = recoveryOf([intent("a", { kind: "transportError" }), intent("b")]);
    if (recovery.kind !== "review") throw new Error(recovery.kind);
    expect(recovery.trace.map((t) => [t.leadPointId, t.outcome])).toEqual([["a", "error"], ["b", "error"]]);
    expect(unansweredPosts(recovery.trace).map((t) => t.leadPointId)).toEqual(["b"]);
    expect(unansweredPosts(recovery.trace)[0]?.reason).toBe(ANSWER_UNKNOWN);
  });
});
