import { describe, expect, test } from "vitest";
import type { SealedLead } from "../../core/piiSeal";
import { lead, point, position, tier, tree } from "../../core/testing/fixtures";
import { ANSWER_UNKNOWN } from "./recovery";
import { resolutionOf } from "./resolution";

const awaiting = (leadPointId: string) => ({ leadPointId, phase: "post" as const, startedAt: "2026-01-01T00:00:00.000Z", ms: 0, outcome: "error" as const, bidCents: 1200, reason: ANSWER_UNKNOWN });
const recordedSale = { leadPointId: "lp-old", buyerId: "b-old", priceCents: 500, payoutCents: 250, marginCents: 250 };

function record(withSale: boolean) {
  return {
    leadId: "lead-1",
    // Resolution reads no field of the lead: its PII need not be sealed here.
    lead: lead() as SealedLead,
    trace: [awaiting("lp-a")],
    outcome: { status: "review" as const, ms: 9, completedAt: "2026-01-01T00:00:01.000Z", sales: withSale ? [recordedSale] : [] },
  };
}

const points = new Map([["lp-a", point("lp-a")]]);
const theTree = tree([tier("auction", [position("lp-a")])]);
const payout = { type: "revshare" as const, percent: 50 };
const AT = "2026-01-02T00:00:00.000Z";

describe("resolutionOf: what resolving a lead in review settles to", () => {
  test("sold to the post awaiting review: a sale at the operator's price, split by the payout, its reservation closed as sold", () => {
    const outcome = resolutionOf(record(false), { outcome: "sold", leadPointId: "lp-a", priceCents: 1500 }, theTree, points, payout, AT);
    if (outcome.kind !== "settled") throw new Error(outcome.message);
    expect(outcome.settlement.answer).toMatchObject({ leadId: "lead-1", status: "accepted", payoutCents: 750 });
    expect(outcome.settlement.log).toMatchObject({ status: "accepted", completedAt: AT, sales: [{ leadPointId: "lp-a", priceCents: 1500, payoutCents: 750, marginCents: 750 }] });
    expect(outcome.settlement.log.trace.at(-1)).toMatchObject({ leadPointId: "lp-a", outcome: "accepted", bidCents: 1500 });
    expect(outcome.closes).toEqual([{ leadPointId: "lp-a", sold: true }]);
    expect(outcome.settlement.accepts).toBe(1);
  });

  test.each([
    { name: "unsold with nothing sold before: unsold, no sale", withSale: false, status: "unsold", answer: "declined", sales: 0 },
    { name: "unsold beside a sale the journal recorded: still sold to that buyer", withSale: true, status: "accepted", answer: "accepted", sales: 1 },
  ])("$name", ({ withSale, status, answer, sales }) => {
    const outcome = resolutionOf(record(withSale), { outcome: "unsold" }, theTree, points, payout, AT);
    if (outcome.kind !== "settled") throw new Error(outcome.message);
    expect(outcome.settlement.log.status).toBe(status);
    expect(outcome.settlement.answer.status).toBe(answer);
    expect(outcome.settlement.log.sales).toHaveLength(sales);
    expect(outcome.settlement.accepts).toBe(0);
    expect(outcome.closes).toEqual([{ leadPointId: "lp-a", sold: false }]);
  });

  test("a lead point with no post awaiting review is refused, naming leadPointId", () => {
    const outcome = resolutionOf(record(false), { outcome: "sold", leadPointId: "lp-zzz", priceCents: 100 }, theTree, points, payout, AT);
    expect(outcome).toMatchObject({ kind: "invalid", path: "leadPointId", message: expect.stringContaining("awaiting: lp-a") });
  });
});
