/**
 * Tier and position semantics of API.md through the real Worker, with
 * loopback buyers: round robin by identity, tier flags in an auction, the
 * allowed response time, the runtime, dynamic direct posts, copies, filters
 * on the publisher, sub-ids and local time, the reserve, and a tree's notes.
 */
import { describe, expect, it } from "vitest";
import { admin, buyerLog, buyerUrl, expectStatus, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead, type LeadDetail } from "../support/exchange";

const sold = (lead: LeadDetail) => lead.sales.map((s) => s.leadPointId);
const skips = (lead: LeadDetail) => lead.trace.filter((t) => t.outcome === "skipped").map((t) => [t.leadPointId, t.phase, t.reason]);

async function submitted(treeId: string, apiKey: string, lead = validLead()): Promise<LeadDetail> {
  const answer = expectStatus(await submitLead(treeId, apiKey, lead), 200);
  return leadDetail(String(answer.leadId));
}

/** A lead point that is posted without a ping. */
function directPoint(name: string, behaviour: Record<string, string | number>, pricing: Record<string, unknown>, kind = "direct_post") {
  return newLeadPoint(name, behaviour, { kind, ping: undefined, pricing });
}

describe("round robin", () => {
  it("rotates over the listed positions across two concurrent clients, passing a capped one without skewing the turn", async () => {
    const names = ["a", "b", "c", "d"].map((n) => unique(`rr-${n}`));
    const [a, b, c, d] = await Promise.all(names.map((name, i) => newLeadPoint(name, { bid: 100 }, i === 0 ? { caps: { timezone: "America/New_York", total: 1 } } : {})));
    const ids = [a, b, c, d].map((p) => p?.id);
    const treeId = await newTree([], { tiers: [{ name: "rotation", mode: "round_robin", runWhich: "all", positions: ids.map((leadPointId) => ({ leadPointId, timeoutSeconds: 2 })) }] });
    const [first, second] = await Promise.all([newPublisher(), newPublisher()]);

    const sequential: string[][] = [];
    for (let i = 0; i < 5; i++) sequential.push(sold(await submitted(treeId, first.apiKey)));
    // The fifth run starts at a, whose one allowed sale is gone: a is refused at its post and b buys.
    expect(sequential).toEqual([[ids[0]], [ids[1]], [ids[2]], [ids[3]], [ids[1]]]);

    // Two clients at once: the rotation object gives each run its own start, after a (the last starter), skipping a.
    const concurrent = await Promise.all([submitted(treeId, first.apiKey), submitted(treeId, second.apiKey)]);
    expect(concurrent.map(sold).flat().sort()).toEqual([ids[1], ids[2]].sort());
    // a is known full now: it is skipped before any ping, with the cap's reason.
    for (const lead of concurrent) {
      expect(lead.trace.filter((t) => t.leadPointId === ids[0]).map((t) => [t.phase, t.outcome, t.reason]), JSON.stringify(lead.trace)).toEqual([["ping", "skipped", "total cap of 1 reached"]]);
    }
  });
});

describe("tier flags in an auction", () => {
  it("abortTreeIfNotAccepted: a flagged position that declines stops the posts of its tier and every later tier", async () => {
    const [flagged, bidder, later] = [unique("abort-a"), unique("abort-b"), unique("abort-c")];
    const [a, b, c] = await Promise.all([newLeadPoint(flagged, { decline: 1 }), newLeadPoint(bidder, { bid: 500 }), newLeadPoint(later, { bid: 300 })]);
    const treeId = await newTree([], {
      tiers: [
        { name: "auction", mode: "auction", positions: [{ leadPointId: a?.id, abortTreeIfNotAccepted: true }, { leadPointId: b?.id }] },
        { name: "fallback", mode: "ordered", positions: [{ leadPointId: c?.id }] },
      ],
    });
    const lead = await submitted(treeId, (await newPublisher()).apiKey);
    expect(lead.status).toBe("unsold");
    const reason = `tree aborted: ${a?.id} did not accept (abortTreeIfNotAccepted)`;
    expect(skips(lead)).toEqual([
      [b?.id, "post", reason],
      [c?.id, "ping", reason],
    ]);
    expect((await buyerLog(bidder)).map((r) => r.type)).toEqual(["ping"]);
    expect(await buyerLog(later)).toEqual([]);
  });

  it("exitOnMaxAccepts false: past the accepts, the remaining bids go only to positions that do not count towards quota", async () => {
    const names = [unique("exit-a"), unique("exit-b"), unique("exit-d")];
    const [a, b, d] = await Promise.all([newLeadPoint(names[0] ?? "", { bid: 900 }), newLeadPoint(names[1] ?? "", { bid: 800 }), newLeadPoint(names[2] ?? "", { bid: 700 })]);
    const positions = [{ leadPointId: a?.id }, { leadPointId: b?.id }, { leadPointId: d?.id, countTowardsQuota: false }];
    const treeId = await newTree([], { tiers: [{ name: "main", mode: "auction", exitOnMaxAccepts: false, positions }] });
    const lead = await submitted(treeId, (await newPublisher()).apiKey);
    expect(sold(lead)).toEqual([a?.id, d?.id]);
    expect(skips(lead)).toEqual([[b?.id, "post", "the tree's accepts are met and this position counts towards them"]]);
    expect(lead.ledger.filter((l) => l.kind === "buyer_charge").map((l) => l.amountCents).sort()).toEqual([700, 900]);
  });
});

describe("time", () => {
  it("tells the buyer its timeoutSeconds, never the grace, in ${lpi.Allowed Response Time}", async () => {
    const name = unique("allowed");
    const url = buyerUrl(name, { bid: 400 });
    const template = (type: string) => `{"type":"${type}","allowed":\${lpi.Allowed Response Time}}`;
    const point = await newLeadPoint(name, {}, { ping: { url, template: template("ping") }, post: { url, template: template("post") } });
    const treeId = await newTree([{ leadPointId: point.id, timeoutSeconds: 2, timeoutGraceMs: 900 }]);
    expect((await submitted(treeId, (await newPublisher()).apiKey)).status).toBe("accepted");
    expect((await buyerLog(name)).map((r) => r.body)).toEqual([
      { type: "ping", allowed: 2 },
      { type: "post", allowed: 2 },
    ]);
  });

  it("checks maxRuntimeSeconds before a position starts: one that started keeps its whole timeout, the next is skipped", async () => {
    const [slow, next] = [unique("runtime-slow"), unique("runtime-next")];
    const [a, b] = await Promise.all([newLeadPoint(slow, { bid: 400, delay: 1200 }), newLeadPoint(next, { bid: 900 })]);
    const treeId = await newTree([], {
      maxRuntimeSeconds: 1,
      tiers: [{ name: "one by one", mode: "ordered", positions: [{ leadPointId: a?.id, timeoutSeconds: 3 }, { leadPointId: b?.id, timeoutSeconds: 3 }] }],
    });
    const publisher = await newPublisher();
    // The slow buyer answers after the 1 s runtime and still sells: it started inside it.
    expect(sold(await submitted(treeId, publisher.apiKey))).toEqual([a?.id]);

    const declining = unique("runtime-declines");
    const c = await newLeadPoint(declining, { decline: 1, delay: 1200 });
    const treeId2 = await newTree([], {
      maxRuntimeSeconds: 1,
      tiers: [{ name: "one by one", mode: "ordered", positions: [{ leadPointId: c.id, timeoutSeconds: 3 }, { leadPointId: b?.id, timeoutSeconds: 3 }] }],
    });
    const lead = await submitted(treeId2, publisher.apiKey);
    expect(lead.status).toBe("unsold");
    expect(skips(lead)).toEqual([[b?.id, "ping", "the tree's maxRuntimeSeconds (1 s) was spent before its turn"]]);
    expect(await buyerLog(next), "the next position was never started, in either tree").toEqual([]);
  });
});

describe("direct posts priced by their answer", () => {
  it("are posted after the priced bids, offered the floor, and sold at the price they name", async () => {
    const [refuser, direct] = [unique("priced-refuser"), unique("dynamic-direct")];
    const p = await newLeadPoint(refuser, { bid: 500, post: "reject", reason: "full" });
    const d = await directPoint(direct, { postPrice: 900 }, { type: "dynamic" });
    const treeId = await newTree([{ leadPointId: d.id }, { leadPointId: p.id }]);
    const lead = await submitted(treeId, (await newPublisher({ type: "revshare", percent: 50 })).apiKey);
    expect(lead.trace.filter((t) => t.phase === "post").map((t) => [t.leadPointId, t.outcome, t.bidCents])).toEqual([
      [p.id, "declined", 500],
      [d.id, "accepted", 900],
    ]);
    expect(lead.sales.map((s) => [s.leadPointId, s.priceCents, s.payoutCents])).toEqual([[d.id, 900, 450]]);
    expect((await buyerLog(direct)).map((r) => [r.type, r.body.priceCents])).toEqual([["post", 1]]);
  });

  it("an answer under the reserve is no sale, and the trace says why", async () => {
    const direct = unique("cheap-direct");
    const d = await directPoint(direct, { postPrice: 50 }, { type: "dynamic" });
    const treeId = await newTree([{ leadPointId: d.id }], { minBidCents: 100 });
    const lead = await submitted(treeId, (await newPublisher()).apiKey);
    expect(lead.status).toBe("unsold");
    expect(lead.sales).toEqual([]);
    expect(lead.trace.map((t) => [t.phase, t.outcome, t.reason])).toEqual([["post", "declined", "bid of 50 cents is under the tree's reserve (minBidCents) of 100 cents"]]);
    expect((await buyerLog(direct)).map((r) => r.body.priceCents)).toEqual([100]);
  });
});

describe("copy lead points", () => {
  it("get the post of a sold lead after the answer, never billed, and join its trace when they answer", async () => {
    const [buyer, archive] = [unique("copy-buyer"), unique("copy-archive")];
    const a = await newLeadPoint(buyer, { bid: 800 });
    const k = await directPoint(archive, { postDelay: 1500 }, { type: "fixed", priceCents: 0 }, "copy");
    const treeId = await newTree([{ leadPointId: a.id }, { leadPointId: k.id, timeoutSeconds: 5 }]);
    const answer = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey), 200);
    const answeredAt = Date.now();
    expect(answer.status).toBe("accepted");

    let copyEntry: LeadDetail["trace"][number] | undefined;
    let lead: LeadDetail | undefined;
    for (let i = 0; i < 200 && !copyEntry; i++) {
      lead = await leadDetail(String(answer.leadId));
      copyEntry = lead.trace.find((t) => t.leadPointId === k.id);
      if (!copyEntry) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(copyEntry, JSON.stringify(lead)).toMatchObject({ phase: "post", outcome: "accepted", reason: "copy, never billed" });
    expect(copyEntry?.bidCents).toBeUndefined();
    const [received] = await buyerLog(archive);
    // The copy's buyer held its answer 1.5 s after the post reached it; the publisher had its answer before that.
    expect(answeredAt).toBeLessThan((received?.at ?? 0) + 1500);
    expect(received?.body).toMatchObject({ type: "post", priceCents: 0, fields: { firstName: "John" } });
    expect(lead?.sales.map((s) => s.leadPointId)).toEqual([a.id]);
    expect(lead?.ledger.map((l) => l.saleId).every((id) => !id.includes(k.id))).toBe(true);
    expect((await buyerLog(buyer)).map((r) => r.type)).toEqual(["ping", "post"]);
  });
});

describe("filters on the publisher, sub-ids and local time", () => {
  it("a lead point filtered to one publisher and a sub-id is skipped for others, with the reason", async () => {
    const [mine, theirs] = await Promise.all([newPublisher(), newPublisher()]);
    const name = unique("publisher-only");
    const point = await newLeadPoint(name, { bid: 300 }, {
      filters: [
        { field: "publisherId", op: "eq", value: mine.id },
        { field: "subId", op: "eq", value: "spring", message: "spring campaign only" },
      ],
    });
    const treeId = await newTree([{ leadPointId: point.id }]);
    expect((await submitted(treeId, mine.apiKey, validLead({ subId: "SPRING" }))).status).toBe("accepted");
    expect(skips(await submitted(treeId, mine.apiKey, validLead({ subId: "autumn" })))).toEqual([[point.id, "ping", "spring campaign only"]]);
    const other = await submitted(treeId, theirs.apiKey, validLead({ subId: "spring" }));
    expect(skips(other)).toEqual([[point.id, "ping", `filter publisherId eq ${JSON.stringify(mine.id)} not met`]]);
  });

  it("a tree filter on the hour reads the dailyLimits zone", async () => {
    const zone = "Asia/Tokyo";
    const hour = Number(new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "numeric", hourCycle: "h23" }).format(new Date())) % 24;
    // The next hour too, in case the clock turns between here and the run.
    const now = [hour, (hour + 1) % 24];
    const point = await newLeadPoint(unique("hourly"), { bid: 300 });
    const treeAt = (op: "in" | "nin") => newTree([{ leadPointId: point.id }], { dailyLimits: { timezone: zone }, filters: [{ field: "hour", op, value: now }] });
    const publisher = await newPublisher();
    expect((await submitted(await treeAt("in"), publisher.apiKey)).status).toBe("accepted");
    expect((await submitted(await treeAt("nin"), publisher.apiKey)).status).toBe("rejected");
  });
});

describe("the reserve", () => {
  it("declines bids under minBidCents and under a fixed publisher payout, each with its reason", async () => {
    const [low, high] = await Promise.all([newLeadPoint(unique("under-reserve"), { bid: 500 }), newLeadPoint(unique("over-reserve"), { bid: 700 })]);
    const treeId = await newTree([{ leadPointId: low.id }, { leadPointId: high.id }], { minBidCents: 600 });
    const lead = await submitted(treeId, (await newPublisher()).apiKey);
    expect(sold(lead)).toEqual([high.id]);
    expect(skips(lead)).toEqual([[low.id, "post", "bid of 500 cents is under the tree's reserve (minBidCents) of 600 cents"]]);

    const fixed = await newPublisher({ type: "fixed", amountCents: 800 });
    const atLoss = await submitted(treeId, fixed.apiKey);
    expect(atLoss.status).toBe("unsold");
    expect(atLoss.sales).toEqual([]);
    expect(skips(atLoss).map((s) => s[2])).toEqual([
      "bid of 500 cents is under the publisher's fixed payout of 800 cents",
      "bid of 700 cents is under the publisher's fixed payout of 800 cents",
    ]);
  });
});

describe("tree documents", () => {
  it("keeps a tree's notes and reads back the reserve's default", async () => {
    const point = await newLeadPoint(unique("notes"), { bid: 100 });
    const treeId = await newTree([{ leadPointId: point.id }], { notes: "Carrier One asked for CA only from March." });
    const tree = expectStatus(await admin("GET", `/ping-trees/${treeId}`), 200);
    expect(tree).toMatchObject({ notes: "Carrier One asked for CA only from March.", minBidCents: 1 });
  });

  it("refuses a position whose timeout and grace do not fit in a run, naming the field", async () => {
    const point = await newLeadPoint(unique("too-slow"), { bid: 100 });
    const response = await admin("PUT", `/ping-trees/${unique("tree")}`, {
      name: "too slow",
      vertical: "auto_insurance",
      tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: point.id, timeoutSeconds: 25, timeoutGraceMs: 5000 }] }],
    });
    const body = expectStatus(response, 400) as { error: { fields: { path: string; message: string }[] } };
    expect(body.error.fields).toEqual([{ path: "tiers.0.positions.0.timeoutGraceMs", message: "timeoutSeconds plus timeoutGraceMs must fit in the 28 s a run has" }]);
  });
});
