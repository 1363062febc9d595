/**
 * A lead point's scorecard over a window: what became of the leads received
 * in it that were offered to the point. Its pings and posts are the
 * summary's attempt counts (one query feeds both), its sales, returns and
 * conversions those of the same leads, whenever the return or conversion
 * came. The same counts, over the last 30 days, are the records an
 * expected-value rank reads (core/ranking.ts).
 */
import type { PointRecord } from "../ranking";
import { percentile } from "./percentile";
import { ratio, type AttemptCounts } from "./summary";

/** The sales a lead point made of the window's leads, and how many of them it returned or converted (a `sold` conversion). */
export interface SaleOutcomes {
  key: string;
  sales: number;
  returns: number;
  conversions: number;
}

export const scorecardColumns = [
  "leadPointId",
  "pings",
  "pingAccepts",
  "pingAcceptRate",
  "posts",
  "postAccepts",
  "postAcceptRate",
  "timeouts",
  "timeoutRate",
  "p50Ms",
  "p95Ms",
  "sales",
  "returns",
  "returnRate",
  "conversions",
  "conversionRate",
] as const;

type ScorecardColumn = (typeof scorecardColumns)[number];

/** Counts and ratios are numbers; the percentiles are null for a point that made no attempt. */
export type ScorecardRow = Record<Exclude<ScorecardColumn, "leadPointId" | "p50Ms" | "p95Ms">, number> & { leadPointId: string; p50Ms: number | null; p95Ms: number | null };

const NO_ATTEMPTS: Omit<AttemptCounts, "key"> = { pings: 0, pingAccepts: 0, posts: 0, postAccepts: 0, timeouts: 0, ms: [] };
const NO_SALES: Omit<SaleOutcomes, "key"> = { sales: 0, returns: 0, conversions: 0 };

export function scorecardRow(leadPointId: string, attempts: Omit<AttemptCounts, "key"> = NO_ATTEMPTS, sold: Omit<SaleOutcomes, "key"> = NO_SALES): ScorecardRow {
  return {
    leadPointId,
    pings: attempts.pings,
    pingAccepts: attempts.pingAccepts,
    pingAcceptRate: ratio(attempts.pingAccepts, attempts.pings),
    posts: attempts.posts,
    postAccepts: attempts.postAccepts,
    postAcceptRate: ratio(attempts.postAccepts, attempts.posts),
    timeouts: attempts.timeouts,
    timeoutRate: ratio(attempts.timeouts, attempts.pings + attempts.posts),
    p50Ms: percentile(attempts.ms, 50),
    p95Ms: percentile(attempts.ms, 95),
    sales: sold.sales,
    returns: sold.returns,
    returnRate: ratio(sold.returns, sold.sales),
    conversions: sold.conversions,
    conversionRate: ratio(sold.conversions, sold.sales),
  };
}

const byKey = <T extends { key: string }>(rows: readonly T[]) => new Map(rows.map((row) => [row.key, row]));

/** One row per lead point that either names, ordered by id; `include` keeps only the points it accepts. */
export function scorecardRows(attempts: readonly AttemptCounts[], sold: readonly SaleOutcomes[], include: (leadPointId: string) => boolean = () => true): ScorecardRow[] {
  const [attemptsOf, soldOf] = [byKey(attempts), byKey(sold)];
  const ids = [...new Set([...attemptsOf.keys(), ...soldOf.keys()])].filter(include).sort();
  return ids.map((id) => scorecardRow(id, attemptsOf.get(id), soldOf.get(id)));
}

/** The records an expected-value rank reads, from the same counts as the scorecards. */
export function pointRecords(attempts: readonly AttemptCounts[], sold: readonly SaleOutcomes[]): Map<string, PointRecord> {
  const [attemptsOf, soldOf] = [byKey(attempts), byKey(sold)];
  const ids = new Set([...attemptsOf.keys(), ...soldOf.keys()]);
  return new Map(
    [...ids].map((id) => {
      const attempt = attemptsOf.get(id);
      const sale = soldOf.get(id);
      return [id, { posts: attempt?.posts ?? 0, postAccepts: attempt?.postAccepts ?? 0, sales: sale?.sales ?? 0, returns: sale?.returns ?? 0 }];
    }),
  );
}
