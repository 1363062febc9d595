/**
 * Expected-value against price ranking over a few thousand simulated leads,
 * through the real tree runner, auction tier and settlement. The market:
 *
 * - `high` bids about $12 but refuses half its posts, and answers a post
 *   only after a slow check (0.6–1.2 s); it returns 10% of what it buys;
 * - `steady` bids about $10, takes 95% of its posts within 0.3 s, returns 4%;
 * - `budget` bids about $8, takes 90%, returns 5%.
 *
 * A bid is good for a while from the auction's start (a ping token that
 * expires): it is not posted after that. Each lead's draws (bids, answers,
 * returns) are the same for both rankings, from a seeded generator, so the
 * figures differ only by the ranking. The expected-value ranking learns as
 * production does: its records are rebuilt from its own outcomes every
 * REFRESH_EVERY leads (a cold start ranks at the prior, i.e. by price).
 *
 * Net margin is the margin of every sale not returned (a return reverses it).
 * With a bid good for as long as the fallback needs, a refused post costs
 * nothing but time, and price order is the better one: the second scenario
 * shows that, and is why the README says when to use expected value.
 */
import { describe, expect, test } from "vitest";
import type { PostTarget } from "./tree";
import type { PointRecord } from "./ranking";
import { settle } from "./settle";
import { FakeIO, T0, point, position, run, seededRandom, tier, tree, type FakeScripts } from "./testing/fixtures";

const LEADS = 3000;
const REFRESH_EVERY = 200;
const PAYOUT = { type: "revshare", percent: 50 } as const;

interface Buyer {
  id: string;
  bid: [min: number, max: number];
  acceptRate: number;
  returnRate: number;
  postMs: [min: number, max: number];
}

const market: Buyer[] = [
  { id: "high", bid: [1100, 1300], acceptRate: 0.5, returnRate: 0.1, postMs: [600, 1200] },
  { id: "steady", bid: [900, 1100], acceptRate: 0.95, returnRate: 0.04, postMs: [100, 300] },
  { id: "budget", bid: [700, 900], acceptRate: 0.9, returnRate: 0.05, postMs: [100, 300] },
];

/** One lead's market, drawn once and faced by both rankings. */
interface LeadDraw {
  scripts: FakeScripts;
  returned: Set<string>;
}

function drawLeads(seed: number): LeadDraw[] {
  const random = seededRandom(seed);
  const between = ([min, max]: [number, number]) => Math.round(min + random() * (max - min));
  return Array.from({ length: LEADS }, () => {
    const scripts: Required<Pick<FakeScripts, "pings" | "posts">> = { pings: {}, posts: {} };
    const returned = new Set<string>();
    for (const buyer of market) {
      scripts.pings[buyer.id] = { kind: "bid", ms: between([50, 150]), bidCents: between(buyer.bid) };
      const takes = random() < buyer.acceptRate;
      scripts.posts[buyer.id] = takes ? { kind: "accepted", ms: between(buyer.postMs) } : { kind: "rejected", ms: between(buyer.postMs), reason: "not for us" };
      if (random() < buyer.returnRate) returned.add(buyer.id);
    }
    return { scripts, returned };
  });
}

/** The exchange's side of one run: a bid past its lifetime is not posted (a skipped post, which no record counts). */
class MarketIO extends FakeIO {
  constructor(
    scripts: FakeScripts,
    private readonly bidTtlMs: number,
  ) {
    super(scripts);
  }

  override async beforePost(target: PostTarget): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (this.clock - T0 > this.bidTtlMs) return { ok: false, reason: "bid expired" };
    return super.beforePost(target);
  }
}

interface Figures {
  sold: number;
  returned: number;
  revenueCents: number;
  netMarginCents: number;
}

async function simulate(rank: "price" | "expected_value", leads: LeadDraw[], bidTtlMs: number): Promise<Figures> {
  const points = market.map((buyer) => point(buyer.id));
  const t = tree([tier("auction", market.map((buyer) => position(buyer.id, { timeoutSeconds: 2 })), { rank })]);
  const history = new Map<string, PointRecord>(market.map((buyer) => [buyer.id, { posts: 0, postAccepts: 0, sales: 0, returns: 0 }]));
  let records = new Map<string, PointRecord>();
  const figures: Figures = { sold: 0, returned: 0, revenueCents: 0, netMarginCents: 0 };
  for (const [i, draw] of leads.entries()) {
    if (i % REFRESH_EVERY === 0) records = new Map([...history].map(([id, record]) => [id, { ...record }]));
    const io = new MarketIO(structuredClone(draw.scripts), bidTtlMs);
    const { outcome } = await run(t, points, io, undefined, { records });
    for (const { target, attempt } of io.posts) {
      const record = history.get(target.point.id);
      if (!record) continue;
      record.posts += 1;
      if (attempt.kind === "accepted") record.postAccepts += 1;
    }
    for (const sale of settle(outcome.sales, PAYOUT).sales) {
      const record = history.get(sale.leadPointId);
      if (record) record.sales += 1;
      figures.sold += 1;
      figures.revenueCents += sale.priceCents;
      if (draw.returned.has(sale.leadPointId)) {
        figures.returned += 1;
        if (record) record.returns += 1;
      } else {
        figures.netMarginCents += sale.marginCents;
      }
    }
  }
  return figures;
}

const dollars = (cents: number) => (cents / 100).toFixed(2);

describe("expected-value ranking against price ranking, simulated", () => {
  const leads = drawLeads(20261202);

  test.each([
    { scenario: "bids good for 1 s (the slow refusal leaves little time to fall back)", bidTtlMs: 1_000, evWins: true },
    { scenario: "bids good for 10 s (falling back always works)", bidTtlMs: 10_000, evWins: false },
  ])("$scenario", async ({ scenario, bidTtlMs, evWins }) => {
    const price = await simulate("price", leads, bidTtlMs);
    const value = await simulate("expected_value", leads, bidTtlMs);
    const line = (name: string, f: Figures) =>
      `| ${name} | ${f.sold} | ${f.returned} | $${dollars(f.revenueCents)} | $${dollars(f.netMarginCents)} | $${dollars(f.netMarginCents / LEADS)} |`;
    console.log([`${LEADS} leads, ${scenario}:`, line("price", price), line("expected_value", value)].join("\n"));
    expect(value.netMarginCents > price.netMarginCents, JSON.stringify({ price, value })).toBe(evWins);
  });
});
