/**
 * A summary report's rows, put together from the three things the store
 * counts separately: leads (by when they were received), buyer attempts
 * (of those leads) and money (ledger lines, by when they were written).
 * Every group any of them names gets a row; what it lacks counts zero.
 */
import { percentile } from "./percentile";

export const summaryGroups = ["buyer", "publisher", "tree", "leadPoint", "day", "hour"] as const;
export type SummaryGroup = (typeof summaryGroups)[number];

export interface LeadCounts {
  key: string;
  leads: number;
  rejected: number;
  sold: number;
  pending: number;
}

export interface AttemptCounts {
  key: string;
  pings: number;
  pingAccepts: number;
  posts: number;
  postAccepts: number;
  /** Pings and posts that got no answer before their deadline. */
  timeouts: number;
  /** Response times of every ping and post made (skipped points made none). */
  ms: number[];
}

/** Net of reversals: a return lowers revenue, payout and margin in the window the return was written. */
export interface MoneyTotals {
  key: string;
  revenueCents: number;
  payoutCents: number;
  marginCents: number;
  returns: number;
}

export const summaryColumns = [
  "key",
  "leads",
  "rejected",
  "sold",
  "unsold",
  "pending",
  "revenueCents",
  "payoutCents",
  "marginCents",
  "pings",
  "pingAccepts",
  "posts",
  "postAccepts",
  "returns",
  "acceptanceRate",
  "postToPingRatio",
  "p50Ms",
  "p95Ms",
] as const;

type SummaryColumn = (typeof summaryColumns)[number];

/** Counts, cents and ratios are numbers; the percentiles are null for a group that made no attempt. */
export type SummaryRow = Record<Exclude<SummaryColumn, "key" | "p50Ms" | "p95Ms">, number> & { key: string; p50Ms: number | null; p95Ms: number | null };

const NO_LEADS: Omit<LeadCounts, "key"> = { leads: 0, rejected: 0, sold: 0, pending: 0 };
const NO_ATTEMPTS: Omit<AttemptCounts, "key"> = { pings: 0, pingAccepts: 0, posts: 0, postAccepts: 0, timeouts: 0, ms: [] };
const NO_MONEY: Omit<MoneyTotals, "key"> = { revenueCents: 0, payoutCents: 0, marginCents: 0, returns: 0 };

/** A ratio kept to four decimals, 0 when there is nothing to divide by. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}

export function summaryRow(key: string, counts: Omit<LeadCounts, "key"> = NO_LEADS, attempts: Omit<AttemptCounts, "key"> = NO_ATTEMPTS, money: Omit<MoneyTotals, "key"> = NO_MONEY): SummaryRow {
  return {
    key,
    leads: counts.leads,
    rejected: counts.rejected,
    sold: counts.sold,
    unsold: counts.leads - counts.rejected - counts.sold - counts.pending,
    pending: counts.pending,
    revenueCents: money.revenueCents,
    payoutCents: money.payoutCents,
    marginCents: money.marginCents,
    pings: attempts.pings,
    pingAccepts: attempts.pingAccepts,
    posts: attempts.posts,
    postAccepts: attempts.postAccepts,
    returns: money.returns,
    acceptanceRate: ratio(counts.sold, counts.leads),
    postToPingRatio: ratio(attempts.posts, attempts.pings),
    p50Ms: percentile(attempts.ms, 50),
    p95Ms: percentile(attempts.ms, 95),
  };
}

/** One row per group, ordered by key (dates sort in time order). */
export function summaryRows(counts: readonly LeadCounts[], attempts: readonly AttemptCounts[], money: readonly MoneyTotals[]): SummaryRow[] {
  const byKey = <T extends { key: string }>(rows: readonly T[]) => new Map(rows.map((row) => [row.key, row]));
  const [countsOf, attemptsOf, moneyOf] = [byKey(counts), byKey(attempts), byKey(money)];
  const keys = [...new Set([...countsOf.keys(), ...attemptsOf.keys(), ...moneyOf.keys()])].sort();
  return keys.map((key) => summaryRow(key, countsOf.get(key), attemptsOf.get(key), moneyOf.get(key)));
}

/**
 * The rows added up, rates and percentiles taken over everything. By buyer
 * or lead point a lead offered to several counts once for each of them.
 */
export function summaryTotals(counts: readonly LeadCounts[], attempts: readonly AttemptCounts[], money: readonly MoneyTotals[]): SummaryRow {
  const total = <T>(rows: readonly T[], figure: (row: T) => number) => rows.reduce((sum, row) => sum + figure(row), 0);
  return summaryRow(
    "total",
    { leads: total(counts, (r) => r.leads), rejected: total(counts, (r) => r.rejected), sold: total(counts, (r) => r.sold), pending: total(counts, (r) => r.pending) },
    {
      pings: total(attempts, (r) => r.pings),
      pingAccepts: total(attempts, (r) => r.pingAccepts),
      posts: total(attempts, (r) => r.posts),
      postAccepts: total(attempts, (r) => r.postAccepts),
      timeouts: total(attempts, (r) => r.timeouts),
      ms: attempts.flatMap((r) => r.ms),
    },
    {
      revenueCents: total(money, (r) => r.revenueCents),
      payoutCents: total(money, (r) => r.payoutCents),
      marginCents: total(money, (r) => r.marginCents),
      returns: total(money, (r) => r.returns),
    },
  );
}
