/**
 * A tier with rank "expected_value" through the real Worker: a lead point
 * earns a bad record in real runs (its posts refused), the isolate's records
 * are refreshed, and in the next auction a slightly lower bidder with a good
 * record is posted first; the trace shows the figures each bid ranked by.
 */
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { dbOf } from "../../src/store/db";
import { REFRESH_MS, RankingCache, rankingCache } from "../../src/store/rankingCache";
import { expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique } from "../support/exchange";

interface Ranking {
  postAcceptRate: number;
  posts: number;
  postAccepts: number;
  returnRate: number;
  sales: number;
  returns: number;
  expectedValueCents: number;
}

describe("rank expected_value", () => {
  test("a high bidder with a bad record loses to a slightly lower bidder with a good one, and the trace shows why", async () => {
    const [high, good] = await Promise.all([newLeadPoint(unique("ev-high"), { bid: 1100, post: "reject" }), newLeadPoint(unique("ev-good"), { bid: 1000 })]);
    const positions = [{ leadPointId: high.id }, { leadPointId: good.id }];
    const publisher = await newPublisher();

    // Ranked by price, the high bidder is posted first and refuses every time.
    const byPrice = await newTree(positions);
    const seeded: string[] = [];
    for (let i = 0; i < 3; i++) seeded.push(String(expectStatus(await submitLead(byPrice, publisher.apiKey), 200).leadId));
    await Promise.all(seeded.map(leadInD1));
    const first = await leadDetail(seeded[0] ?? "");
    expect(first.trace.filter((entry) => entry.phase === "post").map((entry) => [entry.leadPointId, entry.outcome])).toEqual([
      [high.id, "declined"],
      [good.id, "accepted"],
    ]);
    expect(first.trace.some((entry) => "ranking" in entry)).toBe(false);

    // What a run's waitUntil does at most once a minute, done now so the next lead reads these records.
    await rankingCache().refresh(dbOf(env.DB), Date.now() + REFRESH_MS);

    const byValue = await newTree(positions, { tiers: [{ name: "main", mode: "auction", rank: "expected_value", positions: positions.map((p) => ({ ...p, timeoutSeconds: 2 })) }] });
    const answer = expectStatus(await submitLead(byValue, publisher.apiKey), 200);
    expect(answer.status).toBe("accepted");
    await leadInD1(String(answer.leadId));
    const lead = await leadDetail(String(answer.leadId));
    expect(lead.trace.filter((entry) => entry.phase === "post").map((entry) => [entry.leadPointId, entry.outcome])).toEqual([[good.id, "accepted"]]);
    const rankOf = (id: string) => (lead.trace.find((entry) => entry.leadPointId === id && entry.phase === "ping") as { ranking?: Ranking } | undefined)?.ranking;
    // The tree's average post-accept rate is 3 of 6; each point's own 3 posts move it from there: (accepts + 20 × 0.5) / (3 + 20).
    expect(rankOf(high.id), JSON.stringify(lead.trace)).toEqual({ posts: 3, postAccepts: 0, postAcceptRate: 0.4348, sales: 0, returns: 0, returnRate: 0, expectedValueCents: 478.26 });
    expect(rankOf(good.id), JSON.stringify(lead.trace)).toEqual({ posts: 3, postAccepts: 3, postAcceptRate: 0.5652, sales: 3, returns: 0, returnRate: 0, expectedValueCents: 565.22 });
  });

  test("an isolate's records start empty and are read from D1 at most once per refresh interval", async () => {
    const taker = await newLeadPoint(unique("ev-taker"), { bid: 900 });
    const treeId = await newTree([{ leadPointId: taker.id }]);
    const publisher = await newPublisher();
    const sell = async () => {
      const leadId = String(expectStatus(await submitLead(treeId, publisher.apiKey), 200).leadId);
      await leadInD1(leadId);
    };
    const db = dbOf(env.DB);
    const cache = new RankingCache();
    expect(cache.current().size).toBe(0);

    await sell();
    const t = Date.now();
    await cache.refresh(db, t);
    expect(cache.current().get(taker.id)).toEqual({ posts: 1, postAccepts: 1, sales: 1, returns: 0 });
    await sell();
    await cache.refresh(db, t + REFRESH_MS - 1);
    expect(cache.current().get(taker.id), "read again within the interval").toEqual({ posts: 1, postAccepts: 1, sales: 1, returns: 0 });
    await cache.refresh(db, t + REFRESH_MS);
    expect(cache.current().get(taker.id)).toEqual({ posts: 2, postAccepts: 2, sales: 2, returns: 0 });
  });
});
