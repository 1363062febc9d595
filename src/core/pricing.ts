/** Money decisions: what a bid is worth and what the publisher is owed. Integer cents only. */
import type { PostAttempt } from "./attempt";
import type { FiredBidRule } from "./attempt";
import type { BidRule, LeadPoint, Payout, Position } from "./config";
import { firstFailingFilter } from "./filters";
import type { LeadFields } from "./lead";

export interface BidRulesResult {
  priceCents: number;
  /** Only when a rule fired: no array is made for a point whose rules all pass by. */
  fired?: FiredBidRule[];
}

/**
 * Dynamic bidding: every rule whose conditions all hold scales, then shifts,
 * the price. The rules that fired are named for the trace (the operator asks
 * why a buyer bid what it did); the floor at zero applies to the final price
 * only, so a rule's afterCents is the running price before it.
 */
export function applyBidRules(priceCents: number, rules: BidRule[], fields: LeadFields): BidRulesResult {
  let price = priceCents;
  let fired: FiredBidRule[] | undefined;
  for (const [index, rule] of rules.entries()) {
    if (firstFailingFilter(rule.when, fields)) continue;
    const beforeCents = price;
    if (rule.multiplier !== undefined) price = Math.round(price * rule.multiplier);
    if (rule.adjustCents !== undefined) price += rule.adjustCents;
    (fired ??= []).push({ index, ...(rule.name === undefined ? {} : { name: rule.name }), beforeCents, afterCents: price });
  }
  return { priceCents: Math.max(0, price), ...(fired ? { fired } : {}) };
}

/** `bidRules`: the rules that fired on the way to the price, when any did (a refusal under the floor keeps them too). */
export type BidPrice = { ok: true; priceCents: number; bidRules?: FiredBidRule[] } | { ok: false; reason: string; bidRules?: FiredBidRule[] };

/**
 * The price a lead point's accepted ping is worth: a fixed-price point bids
 * its price whatever it answered; a dynamic one bids what it said, or zero
 * when it named none and the position treats a missing price as zero.
 */
export function bidPrice(point: LeadPoint, position: Position, answeredCents: number | undefined, fields: LeadFields): BidPrice {
  let base: number;
  if (point.pricing.type === "fixed") base = point.pricing.priceCents;
  else if (answeredCents !== undefined) base = answeredCents;
  else if (position.treatMissingPriceAsZero) base = 0;
  else return { ok: false, reason: "accepted without a price" };
  const { priceCents, fired } = applyBidRules(base, point.bidRules, fields);
  return { ok: true, priceCents, ...(fired ? { bidRules: fired } : {}) };
}

/** The least price a sale may have, and what sets it. */
export interface SaleFloor {
  cents: number;
  /** E.g. "the tree's reserve (minBidCents)", for the trace. */
  source: string;
}

/**
 * A bid under the tree's reserve is declined, and so is one under a fixed
 * publisher payout: a sale never pays a publisher more than its price.
 */
export function saleFloor(minBidCents: number, payout: Payout | undefined): SaleFloor {
  if (payout?.type === "fixed" && payout.amountCents > minBidCents) return { cents: payout.amountCents, source: "the publisher's fixed payout" };
  return { cents: minBidCents, source: "the tree's reserve (minBidCents)" };
}

/** A bid price held against the floor: why it is declined, if it is. */
export function floorRefusal(priceCents: number, floor: SaleFloor): string | undefined {
  return priceCents < floor.cents ? `bid of ${priceCents} cents is under ${floor.source} of ${floor.cents} cents` : undefined;
}

/** For a post priced by its answer: the price the answer makes, or why the accept is no sale. */
export type AnswerPricing = (answeredCents: number | undefined) => BidPrice;

/**
 * A post's attempt as the run counts it. A post priced by its answer is a
 * sale at the price the answer makes, and an accept that names none, or one
 * under the floor, is a refusal with that reason (the buyer saw the least
 * price in the post); any other post keeps the price it was sent with.
 */
export function pricedAttempt(attempt: PostAttempt, pricing: AnswerPricing | undefined): PostAttempt {
  if (attempt.kind !== "accepted") return attempt;
  const { priceCents: answered, ...rest } = attempt;
  if (!pricing) return rest;
  const price = pricing(answered);
  if (!price.ok) return { leadPointId: attempt.leadPointId, startedAt: attempt.startedAt, ms: attempt.ms, ...(attempt.httpStatus === undefined ? {} : { httpStatus: attempt.httpStatus }), kind: "rejected", reason: price.reason };
  return { ...rest, priceCents: price.priceCents, ...(price.bidRules ? { bidRules: price.bidRules } : {}) };
}

const PERCENT_SCALE = 10_000;

/**
 * A revshare payout is floor(price × percent / 100): the exchange keeps the
 * fraction of a cent. The percent is scaled to an integer first so that a
 * percent like 37.5 cannot lose a cent to floating point.
 */
export function publisherPayout(payout: Payout, priceCents: number): number {
  if (payout.type === "fixed") return payout.amountCents;
  const scaled = Math.round(payout.percent * PERCENT_SCALE);
  return Math.floor((priceCents * scaled) / (100 * PERCENT_SCALE));
}

export interface SaleSplit {
  priceCents: number;
  payoutCents: number;
  marginCents: number;
}

/** Payout + margin always equal the price exactly. */
export function splitSale(payout: Payout, priceCents: number): SaleSplit {
  const payoutCents = publisherPayout(payout, priceCents);
  return { priceCents, payoutCents, marginCents: priceCents - payoutCents };
}
