/**
 * Expected-value ranking (a tier's `rank: "expected_value"`): a bid is worth
 * its price × the lead point's post-accept rate × (1 − its return rate),
 * the rates from its record over the last 30 days. Each rate is smoothed
 * toward the tree's average with an additive prior,
 * (successes + k·treeRate) / (trials + k), so a point with no record ranks
 * at the tree's average and a few refusals do not starve a new buyer.
 * Pure: the records come in as data, and every figure used goes back out
 * for the trace.
 */

/** A lead point's record over the ranking window: its posts made and taken, and its sales and their returns. */
export interface PointRecord {
  posts: number;
  postAccepts: number;
  sales: number;
  returns: number;
}

/** Records by lead point id; a point absent from it has no record yet. */
export type PointRecords = ReadonlyMap<string, PointRecord>;

/** Weight of the tree's average in trials: a point's own record outweighs it after this many posts (or sales). */
export const PRIOR_WEIGHT = 20;
/** The days of record the rates are read from. */
export const RANKING_WINDOW_DAYS = 30;

/** The figures an expected-value rank used for one bid, as the trace shows them. */
export interface RankFigures {
  /** The smoothed post-accept rate, and the sample it came from. */
  postAcceptRate: number;
  posts: number;
  postAccepts: number;
  /** The smoothed return rate, and the sample it came from. */
  returnRate: number;
  sales: number;
  returns: number;
  /** priceCents × postAcceptRate × (1 − returnRate), to a hundredth of a cent. */
  expectedValueCents: number;
}

export interface TreeRates {
  postAcceptRate: number;
  returnRate: number;
}

const NO_RECORD: PointRecord = { posts: 0, postAccepts: 0, sales: 0, returns: 0 };

/** The pooled rates of `leadPointIds`; with no posts (or no sales) at all, every post is taken (nothing returned), so ranking starts as price ranking. */
export function treeRates(leadPointIds: Iterable<string>, records: PointRecords): TreeRates {
  const pooled = { ...NO_RECORD };
  for (const id of new Set(leadPointIds)) {
    const record = records.get(id);
    if (!record) continue;
    pooled.posts += record.posts;
    pooled.postAccepts += record.postAccepts;
    pooled.sales += record.sales;
    pooled.returns += record.returns;
  }
  return {
    postAcceptRate: pooled.posts === 0 ? 1 : pooled.postAccepts / pooled.posts,
    returnRate: pooled.sales === 0 ? 0 : pooled.returns / pooled.sales,
  };
}

/** (successes + k·prior) / (trials + k): the prior alone with no trials, the point's own rate as trials grow. */
export function smoothedRate(successes: number, trials: number, prior: number, k = PRIOR_WEIGHT): number {
  return (successes + k * prior) / (trials + k);
}

const rounded = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** The expected value of a bid of `priceCents` by a point with `record` (`exact`, what ranks), with the figures behind it as the trace shows them. */
export function rankFigures(priceCents: number, record: PointRecord | undefined, tree: TreeRates): { exact: number; figures: RankFigures } {
  const { posts, postAccepts, sales, returns } = record ?? NO_RECORD;
  const postAcceptRate = smoothedRate(postAccepts, posts, tree.postAcceptRate);
  const returnRate = smoothedRate(returns, sales, tree.returnRate);
  const exact = priceCents * postAcceptRate * (1 - returnRate);
  return {
    exact,
    figures: {
      postAcceptRate: rounded(postAcceptRate, 4),
      posts,
      postAccepts,
      returnRate: rounded(returnRate, 4),
      sales,
      returns,
      expectedValueCents: rounded(exact, 2),
    },
  };
}

export interface RankableBid {
  point: { id: string };
  priceCents: number;
  /** How fast the bid came back: the tie-break after the price. */
  answeredMs: number;
  /** Order in the tier: the last tie-break. */
  index: number;
}

/** Highest price first; on a tie the faster answer, then the earlier position. */
export function byPrice(a: RankableBid, b: RankableBid): number {
  return b.priceCents - a.priceCents || a.answeredMs - b.answeredMs || a.index - b.index;
}

/**
 * `bids` ordered by expected value, highest first (ties by price, then as
 * price ranking breaks them), each with the figures that placed it.
 */
export function rankByExpectedValue<B extends RankableBid>(bids: readonly B[], records: PointRecords, tree: TreeRates): { bid: B; figures: RankFigures }[] {
  return bids
    .map((bid) => ({ bid, ...rankFigures(bid.priceCents, records.get(bid.point.id), tree) }))
    .sort((a, b) => b.exact - a.exact || byPrice(a.bid, b.bid))
    .map(({ bid, figures }) => ({ bid, figures }));
}
