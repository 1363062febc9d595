import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { BidRule, Payout } from "./config";
import type { PostAttempt } from "./attempt";
import { withLocalTime } from "./eligibility";
import { applyBidRules, bidPrice, floorRefusal, pricedAttempt, publisherPayout, saleFloor, splitSale, type AnswerPricing } from "./pricing";
import { settle } from "./settle";
import { parsedPosition, point } from "./testing/fixtures";

const revshare = (percent: number): Payout => ({ type: "revshare", percent });

describe("publisherPayout", () => {
  test.each([
    { name: "half of an odd price keeps the half cent", payout: revshare(50), price: 1_001, want: 500 },
    { name: "a fractional percent", payout: revshare(37.5), price: 1_000, want: 375 },
    { name: "0.57% of 10000 is 57, not the 56 floating point gives", payout: revshare(0.57), price: 10_000, want: 57 },
    { name: "a two-decimal percent floors", payout: revshare(12.34), price: 10_001, want: 1_234 },
    { name: "a repeating percent floors", payout: revshare(33.33), price: 100, want: 33 },
    { name: "zero percent pays nothing", payout: revshare(0), price: 5_000, want: 0 },
    { name: "a hundred percent pays the price", payout: revshare(100), price: 4_321, want: 4_321 },
    { name: "a tiny share of a small price is zero", payout: revshare(0.01), price: 99, want: 0 },
    { name: "a fixed payout ignores the price", payout: { type: "fixed", amountCents: 250 } as const, price: 10_000, want: 250 },
  ])("$name", ({ payout, price, want }) => {
    expect(publisherPayout(payout, price)).toBe(want);
  });

  test("a revshare with up to four decimals is exactly floor(price × percent / 100)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (price, tenThousandths) => {
        const exact = Number((BigInt(price) * BigInt(tenThousandths)) / 1_000_000n);
        expect(publisherPayout(revshare(tenThousandths / 10_000), price)).toBe(exact);
      }),
    );
  });
});

describe("splitSale", () => {
  test("payout + margin == price, 0 <= payout <= price, integer cents, for any percent in [0, 100]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 100, noNaN: true }), (price, percent) => {
        const split = splitSale(revshare(percent), price);
        expect(Number.isInteger(split.payoutCents) && Number.isInteger(split.marginCents), JSON.stringify(split)).toBe(true);
        expect(split.payoutCents).toBeGreaterThanOrEqual(0);
        expect(split.payoutCents).toBeLessThanOrEqual(price);
        expect(split.payoutCents + split.marginCents).toBe(price);
        expect(split.priceCents).toBe(price);
      }),
    );
  });

  test("a fixed payout over the price leaves a negative margin that still sums to the price", () => {
    expect(splitSale({ type: "fixed", amountCents: 500 }, 300)).toEqual({ priceCents: 300, payoutCents: 500, marginCents: -200 });
  });

  test("settle adds the splits up and counts only sales towards quota", () => {
    const sale = (priceCents: number, countsTowardsQuota: boolean) => ({ leadPointId: "a", buyerId: "x", priceCents, countsTowardsQuota });
    const settled = settle([sale(1_001, true), sale(500, false)], revshare(50));
    expect([settled.priceCents, settled.payoutCents, settled.accepts]).toEqual([1_501, 750, 1]);
    expect(settled.sales.map((s) => s.payoutCents + s.marginCents)).toEqual([1_001, 500]);
  });
});

const when = (value: string): BidRule["when"] => [{ field: "state", op: "eq", value, action: "decline" }];

describe("applyBidRules", () => {
  test.each<{ name: string; price: number; rules: BidRule[]; want: number }>([
    { name: "no rules keep the price", price: 1_000, rules: [], want: 1_000 },
    { name: "a multiplier scales and rounds", price: 999, rules: [{ when: when("CA"), multiplier: 1.5 }], want: 1_499 },
    { name: "an adjustment shifts", price: 1_000, rules: [{ when: when("CA"), adjustCents: -250 }], want: 750 },
    { name: "scale then shift within one rule", price: 1_000, rules: [{ when: when("CA"), multiplier: 2, adjustCents: 100 }], want: 2_100 },
    { name: "rules compound in order", price: 1_000, rules: [{ when: when("CA"), adjustCents: 100 }, { when: [], multiplier: 2 }], want: 2_200 },
    { name: "a rule whose condition fails does nothing", price: 1_000, rules: [{ when: when("TX"), multiplier: 3 }], want: 1_000 },
    { name: "never under zero", price: 100, rules: [{ when: when("CA"), adjustCents: -500 }], want: 0 },
  ])("$name", ({ price, rules, want }) => {
    expect(applyBidRules(price, rules, { state: "ca" }).priceCents).toBe(want);
  });

  // API.md's example: "+$5 on California leads after 6 PM", the hour read in the point's zone at an injected time.
  const caEvening: BidRule = { name: "ca-evening", when: [...when("CA"), { field: "hour", op: "gte", value: 18, action: "decline" }], adjustCents: 500 };
  const at = (isoUtc: string, state = "CA") => withLocalTime({ state }, "America/Los_Angeles", new Date(isoUtc));

  test.each([
    { name: "7 PM in California fires it", fields: at("2026-01-08T03:00:00Z"), want: { priceCents: 1_500, fired: [{ index: 0, name: "ca-evening", beforeCents: 1_000, afterCents: 1_500 }] } },
    { name: "6 PM sharp fires it", fields: at("2026-01-08T02:00:00Z"), want: { priceCents: 1_500, fired: [{ index: 0, name: "ca-evening", beforeCents: 1_000, afterCents: 1_500 }] } },
    { name: "5 PM does not", fields: at("2026-01-08T01:59:00Z"), want: { priceCents: 1_000 } },
    { name: "a Texas lead at 7 PM does not", fields: at("2026-01-08T03:00:00Z", "TX"), want: { priceCents: 1_000 } },
  ])("the trace's rules: $name", ({ fields, want }) => {
    expect(applyBidRules(1_000, [caEvening], fields)).toStrictEqual(want);
  });

  test("fired rules are named by index when unnamed, in order, each with the running price (the zero floor is the final price's)", () => {
    const rules: BidRule[] = [{ when: [], multiplier: 2 }, { when: when("TX"), adjustCents: 1 }, { name: "cut", when: [], adjustCents: -3_000 }];
    expect(applyBidRules(1_000, rules, { state: "ca" })).toStrictEqual({
      priceCents: 0,
      fired: [
        { index: 0, beforeCents: 1_000, afterCents: 2_000 },
        { index: 2, name: "cut", beforeCents: 2_000, afterCents: -1_000 },
      ],
    });
  });
});

describe("bidPrice", () => {
  const fields = { state: "CA" };
  test.each([
    { name: "a fixed point bids its price whatever it answered", fixed: 700, answered: 100, zero: false, want: { ok: true, priceCents: 700 } },
    { name: "a dynamic point bids its answer", fixed: undefined, answered: 420, zero: false, want: { ok: true, priceCents: 420 } },
    { name: "a dynamic point without a price makes no offer", fixed: undefined, answered: undefined, zero: false, want: { ok: false, reason: "accepted without a price" } },
    { name: "treatMissingPriceAsZero offers zero", fixed: undefined, answered: undefined, zero: true, want: { ok: true, priceCents: 0 } },
  ])("$name", ({ fixed, answered, zero, want }) => {
    const p = point("a", { pricing: fixed === undefined ? { type: "dynamic" } : { type: "fixed", priceCents: fixed } });
    expect(bidPrice(p, parsedPosition("a", { treatMissingPriceAsZero: zero }), answered, fields)).toEqual(want);
  });

  test("the price names the bid rules that made it", () => {
    const p = point("a", { pricing: { type: "dynamic" }, bidRules: [{ name: "ca", when: when("CA"), adjustCents: 5 }] });
    expect(bidPrice(p, parsedPosition("a"), 10, fields)).toStrictEqual({ ok: true, priceCents: 15, bidRules: [{ index: 0, name: "ca", beforeCents: 10, afterCents: 15 }] });
  });
});

describe("saleFloor", () => {
  test.each([
    { name: "the reserve alone", minBid: 1, payout: undefined, want: { cents: 1, source: "the tree's reserve (minBidCents)" } },
    { name: "a revshare payout sets no floor", minBid: 25, payout: revshare(50), want: { cents: 25, source: "the tree's reserve (minBidCents)" } },
    { name: "a fixed payout above the reserve is the floor", minBid: 25, payout: { type: "fixed", amountCents: 400 } as const, want: { cents: 400, source: "the publisher's fixed payout" } },
    { name: "a reserve above the fixed payout stays the floor", minBid: 500, payout: { type: "fixed", amountCents: 400 } as const, want: { cents: 500, source: "the tree's reserve (minBidCents)" } },
  ])("$name", ({ minBid, payout, want }) => {
    expect(saleFloor(minBid, payout)).toEqual(want);
  });

  test("a price at the floor passes, one cent under is refused with the figures", () => {
    const floor = saleFloor(100, undefined);
    expect(floorRefusal(100, floor)).toBeUndefined();
    expect(floorRefusal(99, floor)).toBe("bid of 99 cents is under the tree's reserve (minBidCents) of 100 cents");
  });
});

describe("pricedAttempt", () => {
  const timing = { leadPointId: "d", startedAt: "2026-01-07T15:00:00.000Z", ms: 12, httpStatus: 200 };
  const accepted = (priceCents?: number): PostAttempt => ({ ...timing, kind: "accepted", ...(priceCents === undefined ? {} : { priceCents }) });
  const atLeast100: AnswerPricing = (cents) => (cents === undefined ? { ok: false, reason: "accepted without a price" } : cents < 100 ? { ok: false, reason: "too low" } : { ok: true, priceCents: cents + 1 });

  test.each<{ name: string; attempt: PostAttempt; pricing?: AnswerPricing; want: PostAttempt }>([
    { name: "a post priced before it left ignores an echoed price", attempt: accepted(5), want: accepted() },
    { name: "priced by its answer: the price the answer makes", attempt: accepted(150), pricing: atLeast100, want: accepted(151) },
    { name: "priced by its answer: too low is a refusal with the reason", attempt: accepted(50), pricing: atLeast100, want: { ...timing, kind: "rejected", reason: "too low" } },
    { name: "priced by its answer: no price is a refusal", attempt: accepted(), pricing: atLeast100, want: { ...timing, kind: "rejected", reason: "accepted without a price" } },
    { name: "a refusal stays a refusal", attempt: { ...timing, kind: "rejected", reason: "dup" }, pricing: atLeast100, want: { ...timing, kind: "rejected", reason: "dup" } },
    {
      name: "priced by its answer: the bid rules that made the price go with it to the trace",
      attempt: accepted(150),
      pricing: (cents) => ({ ok: true, priceCents: (cents ?? 0) * 2, bidRules: [{ index: 0, beforeCents: cents ?? 0, afterCents: (cents ?? 0) * 2 }] }),
      want: { ...accepted(300), bidRules: [{ index: 0, beforeCents: 150, afterCents: 300 }] } as PostAttempt,
    },
  ])("$name", ({ attempt, pricing, want }) => {
    expect(pricedAttempt(attempt, pricing)).toStrictEqual(want);
  });
});
