/**
 * Inbound ping-post: a publisher pings with the lead minus its PII, the
 * exchange runs the tree's auction on it and reserves the ranked bids; the
 * publisher's post brings the whole lead, which is posted to the reserved
 * bids in their order, falling through on a refusal.
 *
 * Both halves are the tree runner's own parts, split where the auction turns
 * from pinging to posting (tiers/auction.ts): the ping is `auctionOffers`,
 * the post is `postOffers`. Only auction tiers can be reserved: the other
 * modes post between their pings, so a ping passes them by (traced).
 */
import type { FiredBidRule, TraceEntry } from "./attempt";
import { candidatesOf, copiesOf, pointRefusal } from "./candidates";
import { DEFAULT_PING_EXPIRES_SECONDS, runtimeMsOf, type Tree } from "./config";
import type { FieldError, LeadFields, SubmissionMeta } from "./lead";
import { auctionOffers, postOffers } from "./tiers/auction";
import { TreeRun, endTier, type Offer, type RunTreeOptions, type TreeOutcome } from "./tree";

/** A ranked bid kept between a ping and its post: plain data, so the gate can store it. */
export interface ReservedOffer {
  leadPointId: string;
  priceCents: number;
  pingToken?: string;
  bidRules?: FiredBidRule[];
}

export interface PingReservation {
  /** The auction tier the offers came from (its flags govern the post). */
  tierName?: string;
  /** Best first: the order the post tries them in. */
  offers: ReservedOffer[];
  /** The ping phase's trace: the post's entries follow it. */
  trace: TraceEntry[];
}

export const NOT_RESERVABLE = "an inbound ping reserves auction tiers only (this mode posts between its pings)";
export const PRICED_BY_ANSWER = "priced by its post's answer: an inbound ping reserves priced bids only";

export type PingOptions = Omit<RunTreeOptions, "strategies" | "cycle">;

/**
 * The ping phase: the tree's tiers in order, each auction tier pinged and
 * ranked as a run would, stopping before its first post. The first tier with
 * a priced offer is the reservation. One-to-one consent is judged at the
 * post, where the consent text is.
 */
export async function reservePing(options: PingOptions): Promise<PingReservation> {
  const { consent: _judgedAtPost, ...tree } = options.tree;
  const run = new TreeRun(tree, options.lead, options.io, options);
  let stopped: string | undefined;
  for (const tier of tree.tiers) {
    if (run.quotaMet) break;
    if (!tier.enabled) continue;
    if (stopped === undefined && !run.timeLeft) stopped = `the tree's maxRuntimeSeconds (${runtimeMsOf(tree) / 1000} s) was spent before this tier`;
    const candidates = candidatesOf(tier, options.points, run, stopped ?? (tier.mode === "auction" ? undefined : NOT_RESERVABLE));
    if (stopped !== undefined || tier.mode !== "auction" || candidates.length === 0) continue;
    const { queue, abort } = await auctionOffers(tier, candidates, run);
    if (abort) {
      const verdict = endTier(abort, queue, "post", run);
      if (verdict.kind === "abortTree") stopped = verdict.reason;
      continue;
    }
    const offers: ReservedOffer[] = [];
    for (const offer of queue) {
      if (offer.pricing) run.skip(offer.point.id, PRICED_BY_ANSWER, "post");
      else offers.push(reservedOffer(offer));
    }
    if (offers.length) return { tierName: tier.name, offers, trace: run.trace };
  }
  return { offers: [], trace: run.trace };
}

function reservedOffer(offer: Offer): ReservedOffer {
  return {
    leadPointId: offer.point.id,
    priceCents: offer.priceCents,
    ...(offer.pingToken ? { pingToken: offer.pingToken } : {}),
    ...(offer.bidRules ? { bidRules: offer.bidRules } : {}),
  };
}

export interface PostOptions extends PingOptions {
  reservation: PingReservation;
}

/**
 * The post phase: the whole lead to the reserved bids in order, each checked
 * again against the lead point as it is now (enabled, its filters and
 * minScore on the whole lead, one-to-one consent), the caps reserved at each
 * post as in any run, a refusal falling through to the next bid. Its trace
 * holds the posts only; the ping phase's comes before it.
 */
export async function postReserved(options: PostOptions): Promise<TreeOutcome> {
  const { tree, points, reservation } = options;
  const run = new TreeRun(tree, options.lead, options.io, options);
  const tier = tree.tiers.find((candidate) => candidate.name === reservation.tierName);
  const queue: Offer[] = [];
  for (const offer of reservation.offers) {
    const point = points.get(offer.leadPointId);
    const position = tier?.positions.find((candidate) => candidate.leadPointId === offer.leadPointId);
    const refusal = !point || !position ? "no longer in the tree's tier" : !position.enabled ? "position disabled" : pointRefusal(point, run);
    if (refusal || !point || !position) {
      run.skip(offer.leadPointId, `reserved bid not posted: ${refusal ?? "no longer in the tree's tier"}`, "post");
      continue;
    }
    const { leadPointId: _id, ...priced } = offer;
    queue.push({ point, position, ...priced });
  }
  await postOffers(tier ?? { exitOnMaxAccepts: true }, queue, run);
  return run.outcome(run.sales.length > 0 ? copiesOf(tree, points, run) : []);
}

/**
 * Where a post contradicts its ping: every field and tracking id that either
 * carried must be the same in both (the buyers bid on what the ping said).
 * `post` holds the post's fields without PII, as a ping would carry them.
 */
export function pingMismatch(ping: { fields: LeadFields; meta: SubmissionMeta }, post: { fields: LeadFields; meta: SubmissionMeta }): FieldError[] {
  const before: Record<string, unknown> = { ...ping.fields, ...ping.meta };
  const after: Record<string, unknown> = { ...post.fields, ...post.meta };
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((path) => {
    const was = before[path];
    const now = after[path];
    if (was === now) return [];
    const message =
      was === undefined ? "was not in the ping: the bids were made without it" : now === undefined ? `is missing; the ping had ${JSON.stringify(was)}` : `is ${JSON.stringify(now)}, but the ping had ${JSON.stringify(was)}`;
    return [{ path, message }];
  });
}

/** When a ping made at `now` under `tree` stops holding its bids. */
export function pingExpiresAt(tree: Pick<Tree, "pingPost">, now: number): number {
  return now + (tree.pingPost?.expiresSeconds ?? DEFAULT_PING_EXPIRES_SECONDS) * 1000;
}
