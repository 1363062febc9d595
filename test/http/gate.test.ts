import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/buyers/sign";
import { hashKey } from "../../src/store/ids";
import { admin, buyerLog, buyerUrl, call, expectStatus, fireGateNow, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, treeGate, unique, validLead } from "../support/exchange";

/** Submits a lead its tree holds (pending), runs its next cycle from the gate's alarm, and answers the lead once that cycle settled. */
async function holdThenRerun(treeId: string, apiKey: string) {
  const lead = validLead();
  const answer = expectStatus(await submitLead(treeId, apiKey, lead), 200);
  expect(answer.status).toBe("pending");
  await leadDetail(String(answer.leadId));
  await fireGateNow(treeGate(treeId));
  let detail = await leadDetail(String(answer.leadId));
  for (let i = 0; i < 50 && detail.status === "pending"; i++) detail = await leadDetail(String(answer.leadId));
  return detail;
}

describe("the unique-lead gate", () => {
  it("answers 50 concurrent submits of one lead with one run: one post, one sale, 50 equal answers", async () => {
    const [name, other] = [unique("dup"), unique("dup2")];
    const points = await Promise.all([newLeadPoint(name, { bid: 1100, delay: 100, redirect: "https://buyer.example/welcome" }), newLeadPoint(other, { bid: 900 })]);
    const publisher = await newPublisher();
    const treeId = await newTree(points.map((p) => ({ leadPointId: p.id })));
    const lead = validLead();

    const answers = await Promise.all(Array.from({ length: 50 }, () => submitLead(treeId, publisher.apiKey, lead)));
    const bodies = answers.map((a) => expectStatus(a, 200));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size, JSON.stringify(bodies[0])).toBe(1);
    expect(bodies[0]).toMatchObject({ status: "accepted", redirectUrl: "https://buyer.example/welcome" });
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
    expect((await buyerLog(other)).map((r) => r.type)).toEqual(["ping"]);
    const detail = await leadDetail(String(bodies[0]?.leadId));
    expect(detail.sales).toHaveLength(1);
  });

  it("lets a declined lead run again, since its accepts are below the maximum", async () => {
    const name = unique("again");
    const point = await newLeadPoint(name, { bid: 700, declineFirst: 1 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const lead = validLead();
    expect(expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200).status).toBe("declined");
    expect(expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200).status).toBe("accepted");
  });

  it("replays an Idempotency-Key's answer and refuses the key with another body", async () => {
    const name = unique("idem");
    const point = await newLeadPoint(name, { bid: 800 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const lead = validLead({ clickId: undefined });
    const send = (body: Record<string, unknown>) =>
      call(`/v1/trees/${treeId}/leads`, {
        method: "POST",
        headers: { "x-api-key": publisher.apiKey, "content-type": "application/json", "idempotency-key": "order-77" },
        body: JSON.stringify(body),
      });
    const first = expectStatus(await send(lead), 200);
    const again = await send(lead);
    expect(expectStatus(again, 200)).toEqual(first);
    expect(again.headers.get("idempotent-replay")).toBe("true");
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
    expect(expectStatus(await send({ ...lead, firstName: "Jane" }), 409)).toMatchObject({ error: { code: "conflict" } });
  });
});

describe("caps", () => {
  it("sells exactly 5 of 40 concurrent leads to a lead point capped at 5 a day; the rest go to the next buyer", async () => {
    const [capped, fallback] = [unique("capped"), unique("fallback")];
    const points = await Promise.all([
      newLeadPoint(capped, { bid: 2000 }, { caps: { timezone: "America/Chicago", daily: 5 } }),
      newLeadPoint(fallback, { bid: 500 }),
    ]);
    const publisher = await newPublisher();
    const treeId = await newTree(points.map((p) => ({ leadPointId: p.id })));

    const answers = await Promise.all(Array.from({ length: 40 }, () => submitLead(treeId, publisher.apiKey)));
    const leads = await Promise.all(answers.map((a) => leadDetail(String(expectStatus(a, 200).leadId))));
    const buyersOf = leads.map((lead) => lead.sales.map((s) => s.leadPointId));
    expect(buyersOf.filter((ids) => ids.includes(points[0]?.id ?? "")).length).toBe(5);
    expect(buyersOf.filter((ids) => ids.includes(points[1]?.id ?? "")).length).toBe(35);
    expect((await buyerLog(capped)).filter((r) => r.type === "post")).toHaveLength(5);
    expect(leads.every((lead) => lead.sales.length === 1)).toBe(true);
  });

  it("resets a daily cap at midnight in the cap's zone, not in UTC", async () => {
    const counter = env.COUNTER.getByName(unique("cap:tz"));
    const limits = { timezone: "America/New_York", daily: 1 };
    // 03:30 UTC on 15 June is 23:30 on 14 June in New York.
    expect(await counter.reserve("a", limits, Date.parse("2026-06-15T03:30:00Z"))).toEqual({ ok: true });
    await counter.commit("a");
    // Same UTC day, but past midnight in New York: a new day there.
    expect(await counter.reserve("b", limits, Date.parse("2026-06-15T04:30:00Z"))).toEqual({ ok: true });
    await counter.commit("b");
    expect(await counter.reserve("c", limits, Date.parse("2026-06-15T05:00:00Z"))).toMatchObject({ ok: false, reason: "daily cap of 1 reached" });
  });

  it("counts open reservations, and gives a released unit back", async () => {
    const counter = env.COUNTER.getByName(unique("cap:res"));
    const limits = { timezone: "UTC", hourly: 1 };
    expect(await counter.reserve("x", limits)).toEqual({ ok: true });
    expect((await counter.reserve("y", limits)).ok).toBe(false);
    await counter.release("x");
    expect(await counter.reserve("y", limits)).toEqual({ ok: true });
  });

  it("lets a reservation lapse with its lease, so a run cut off before settling does not hold the unit for good", async () => {
    const counter = env.COUNTER.getByName(unique("cap:lapse"));
    const limits = { timezone: "UTC", daily: 1 };
    const t0 = Date.now();
    expect(await counter.reserve("stranded", limits, t0, 30_000)).toEqual({ ok: true });
    expect(await counter.reserve("next", limits, t0 + 29_000, 30_000)).toMatchObject({ ok: false, reason: "daily cap of 1 reached" });
    expect(await counter.reserve("next", limits, t0 + 30_001, 30_000)).toEqual({ ok: true });
  });

  it("counts a late commit of a lapsed reservation, and any commit once per token", async () => {
    const counter = env.COUNTER.getByName(unique("cap:late"));
    const limits = { timezone: "UTC", daily: 5 };
    const t0 = Date.now();
    await counter.reserve("sold-late", limits, t0, 1_000);
    await counter.commit("sold-late", t0 + 5_000, "UTC");
    await counter.commit("sold-late", t0 + 6_000, "UTC");
    await counter.commit("never-reserved", t0 + 6_000, "UTC");
    expect(await counter.used("UTC", t0 + 6_000)).toMatchObject({ daily: 2, total: 2 });
    // A committed token reserved again (a recovery re-running the lead) takes no second unit.
    expect(await counter.reserve("sold-late", limits, t0 + 7_000, 1_000)).toEqual({ ok: true });
    expect(await counter.used("UTC", t0 + 7_000)).toMatchObject({ daily: 2, total: 2 });
  });

  it("sells a lead point with a total cap of 2 exactly twice, whatever the day", async () => {
    const [capped, fallback] = [unique("total"), unique("rest")];
    const points = await Promise.all([newLeadPoint(capped, { bid: 2000 }, { caps: { timezone: "UTC", total: 2 } }), newLeadPoint(fallback, { bid: 100 })]);
    const publisher = await newPublisher();
    const treeId = await newTree(points.map((p) => ({ leadPointId: p.id })));
    const answers = await Promise.all(Array.from({ length: 6 }, () => submitLead(treeId, publisher.apiKey)));
    const leads = await Promise.all(answers.map((a) => leadDetail(String(expectStatus(a, 200).leadId))));
    expect(leads.filter((lead) => lead.sales.some((sale) => sale.leadPointId === points[0]?.id))).toHaveLength(2);
    expect(leads.every((lead) => lead.sales.length === 1)).toBe(true);
  });

  it("stops selling past the tree's daily accept limit", async () => {
    const name = unique("accepts");
    const point = await newLeadPoint(name, { bid: 600 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { dailyLimits: { timezone: "UTC", accepts: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(expectStatus(await submitLead(treeId, publisher.apiKey), 200));
    expect(statuses.map((s) => s.status)).toEqual(["accepted", "accepted", "declined"]);
    const refused = await leadDetail(String(statuses[2]?.leadId));
    expect(refused.trace.find((t) => t.phase === "post")).toMatchObject({ outcome: "skipped", reason: "daily cap of 2 reached" });
    expect((await buyerLog(name)).filter((r) => r.type === "post")).toHaveLength(2);
  });

  it("does not ping a lead point outside its schedule", async () => {
    const hour = new Date().getUTCHours();
    const name = unique("closed");
    const closed = await newLeadPoint(name, { bid: 3000 }, { schedule: { timezone: "UTC", days: [0, 1, 2, 3, 4, 5, 6], fromHour: (hour + 2) % 24, toHour: (hour + 3) % 24 } });
    const open = await newLeadPoint(unique("open"), { bid: 100 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: closed.id }, { leadPointId: open.id }]);
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(await buyerLog(name)).toEqual([]);
    const lead = await leadDetail(String(answer.leadId));
    expect(lead.trace[0]).toMatchObject({ leadPointId: closed.id, outcome: "skipped", reason: "outside the lead point's schedule" });
  });

  it("stops taking submits past the tree's daily submit limit", async () => {
    const name = unique("limit");
    const point = await newLeadPoint(name, { bid: 300 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { dailyLimits: { timezone: "UTC", submits: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(expectStatus(await submitLead(treeId, publisher.apiKey), 200).status);
    expect(statuses).toEqual(["accepted", "accepted", "declined"]);
    expect((await buyerLog(name)).filter((r) => r.type === "ping")).toHaveLength(2);
  });
});

describe("held leads", () => {
  it("holds an unsold lead as pending, re-runs it on the gate's alarm, sells it, and posts back to the publisher", async () => {
    const [name, postback] = [unique("later"), unique("postback")];
    const point = await newLeadPoint(name, { bid: 1000, declineFirst: 1 });
    const publisher = expectStatus(
      await admin<{ id: string; apiKey: string }>("POST", "/publishers", { name: "held", payout: { type: "revshare", percent: 50 }, postbackUrl: buyerUrl(postback) }),
      201,
    );
    const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 3, delaySeconds: 60 } });
    const lead = validLead();

    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(answer).toEqual({ leadId: answer.leadId, status: "pending" });
    expect((await leadDetail(String(answer.leadId))).status).toBe("pending");
    const status = () => call(`/v1/leads/${answer.leadId}`, { headers: { "x-api-key": publisher.apiKey } });
    expect(expectStatus(await status(), 200)).toEqual({ leadId: answer.leadId, status: "pending" });
    expect(expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200)).toEqual(answer);

    await fireGateNow(treeGate(treeId));
    let detail = await leadDetail(String(answer.leadId));
    for (let i = 0; i < 50 && detail.status !== "accepted"; i++) detail = await leadDetail(String(answer.leadId));
    expect(detail.status).toBe("accepted");
    expect(detail.trace.map((t) => [t.phase, t.outcome, (t as { cycle?: number }).cycle ?? 1])).toEqual([
      ["ping", "declined", 1],
      ["ping", "accepted", 2],
      ["post", "accepted", 2],
    ]);
    expect(expectStatus(await status(), 200)).toEqual({ leadId: answer.leadId, status: "accepted", payoutCents: 500 });

    const postbacks = await buyerLog(postback);
    expect(postbacks).toHaveLength(1);
    expect(postbacks[0]?.body).toMatchObject({ type: "sale", leadId: answer.leadId, payoutCents: 500 });
    const secret = await hashKey(publisher.apiKey);
    expect(await verifySignature(secret, postbacks[0]?.headers["x-leadtree-signature"] ?? "", postbacks[0]?.raw ?? "", Math.floor(Date.now() / 1000))).toBe(true);
  });

  it("re-runs a held lead over more than six buyers from its alarm, with no submitting Worker to ping from", async () => {
    const names = Array.from({ length: 9 }, (_, i) => unique(`rerun${i}-`));
    // Each buyer passes on its first ping; the best bid sits past the first six and the next six.
    const points = await Promise.all(names.map((name, i) => newLeadPoint(name, { bid: i === 7 ? 2500 : 300 + i, declineFirst: 1 })));
    const publisher = await newPublisher();
    const treeId = await newTree(
      points.map((p) => ({ leadPointId: p.id })),
      { cycles: { max: 2, delaySeconds: 60 } },
    );
    const detail = await holdThenRerun(treeId, publisher.apiKey);
    expect(detail.status).toBe("accepted");
    const pings = (cycle: number) => detail.trace.filter((t) => t.phase === "ping" && ((t as { cycle?: number }).cycle ?? 1) === cycle);
    expect(pings(1).map((t) => t.outcome)).toEqual(Array(9).fill("declined"));
    expect(pings(2).map((t) => t.outcome)).toEqual(Array(9).fill("accepted"));
    expect(detail.sales.map((sale) => [sale.leadPointId, sale.priceCents])).toEqual([[points[7]?.id, 2500]]);
  });

  it("ends unsold and unbilled after the last cycle, with every cycle in the trace", async () => {
    const name = unique("never");
    const point = await newLeadPoint(name, { decline: 1 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 2, delaySeconds: 60 } });
    const detail = await holdThenRerun(treeId, publisher.apiKey);
    expect(detail).toMatchObject({ status: "unsold", priceCents: 0, sales: [], ledger: [] });
    expect(detail.trace.map((t) => (t as { cycle?: number }).cycle ?? 1)).toEqual([1, 2]);
  });

  it("answers another publisher's lead id with 404", async () => {
    const point = await newLeadPoint(unique("own"), { bid: 100 });
    const [owner, stranger] = await Promise.all([newPublisher(), newPublisher()]);
    const treeId = await newTree([{ leadPointId: point.id }]);
    const answer = expectStatus(await submitLead(treeId, owner.apiKey), 200);
    await leadDetail(String(answer.leadId));
    expectStatus(await call(`/v1/leads/${answer.leadId}`, { headers: { "x-api-key": stranger.apiKey } }), 404);
    expectStatus(await call(`/v1/leads/${answer.leadId}`), 401);
  });
});

describe("the unique-lead window", () => {
  it("is purged by the gate's alarm once it ends, and the same click may then run again", async () => {
    const name = unique("window");
    const point = await newLeadPoint(name, { bid: 450 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const lead = validLead();
    const first = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    await leadDetail(String(first.leadId));
    const gate = treeGate(treeId);
    await runInDurableObject(gate, async (_instance, state) => {
      state.storage.sql.exec("UPDATE lead_keys SET expires_at = 0");
      await state.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(gate);
    const left = await runInDurableObject(gate, (_instance, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM lead_keys").one().n);
    expect(left).toBe(0);
    const second = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(second.leadId).not.toBe(first.leadId);
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post", "ping", "post"]);
  });
});
