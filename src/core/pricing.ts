/** Money decisions: what a bid is worth and what the publisher is owed. Integer cents only. */
import type { BidRule, LeadPoint, Payout, Position } from "./config";
import { firstFailingFilter } from "./filters";
import type { LeadFields } from "./lead";

/** Dynamic bidding: every rule whose conditions all hold scales, then shifts, the price. */
export function applyBidRules(priceCents: number, rules: BidRule[], fields: LeadFields): number {
  let price = priceCents;
  for (const rule of rules) {
    if (firstFailingFilter(rule.when, fields)) continue;
    if (rule.multiplier !== undefined) price = Math.round(price * rule.multiplier);
    if (rule.adjustCents !== undefined) price += rule.adjustCents;
  }
  return Math.max(0, price);
}

export type BidPrice = { ok: true; priceCents: number } | { ok: false; reason: string };

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
  return { ok: true, priceCents: applyBidRules(base, point.bidRules, fields) };
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
