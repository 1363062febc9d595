import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withLocalTime } from "../../src/core/eligibility";
import { dbOf } from "../../src/store/db";
import { leadWithTrace } from "../../src/store/leadRead";
import { admin, expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, validLead } from "../support/exchange";

/**
 * API.md's "+$5 on California leads after 6 PM", with the hour condition
 * chosen around the current hour in the point's zone (New York: it names no
 * other) so the test fires the rule whenever it runs: the hour now and the
 * next (a run that crosses the hour still matches), and a rule six hours away
 * that never fires.
 */
function hourRules() {
  const hour = Number(withLocalTime({}, "America/New_York", new Date())["hour"]);
  const hours = (from: number) => [from % 24, (from + 1) % 24];
  const ca = { field: "state", op: "eq", value: "CA" };
  return [
    { name: "ca-evening", when: [ca, { field: "hour", op: "in", value: hours(hour) }], adjustCents: 500 },
    { name: "ca-night", when: [ca, { field: "hour", op: "in", value: hours(hour + 6) }], adjustCents: 9_000 },
    { when: [], multiplier: 2 },
  ];
}

describe("the trace names the bid rules that fired", () => {
  it("shows them on the ping, from the gate's log and from D1 alike, and prices the sale by them", async () => {
    const point = await newLeadPoint("rules", { bid: 1_000 }, { bidRules: hourRules() });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ zip: "94105" })), 200);
    const leadId = String(answer["leadId"]);
    const fired = [
      { index: 0, name: "ca-evening", beforeCents: 1_000, afterCents: 1_500 },
      { index: 2, beforeCents: 1_500, afterCents: 3_000 },
    ];
    const pingOf = (trace: { phase: string }[]) => trace.find((entry) => entry.phase === "ping");

    // Read as soon as the publisher has the answer: from the gate's log unless D1 already has it.
    expect(pingOf((await leadDetail(leadId)).trace)).toMatchObject({ bidCents: 1_000, bidRules: fired });
    await leadInD1(leadId);
    const stored = await leadWithTrace(dbOf(env.DB), leadId);
    expect(pingOf(stored?.trace ?? [])).toMatchObject({ bidCents: 1_000, bidRules: fired });
    const detail = await leadDetail(leadId);
    expect(pingOf(detail.trace)).toMatchObject({ bidCents: 1_000, bidRules: fired });
    expect(detail.trace.find((entry) => entry.phase === "post")).not.toHaveProperty("bidRules");
    expect(detail.sales.map((sale) => sale.priceCents)).toEqual([3_000]);
  });

  it("shows none when no rule fires (a lead from New York)", async () => {
    const point = await newLeadPoint("norules", { bid: 1_000 }, { bidRules: hourRules().slice(0, 2) });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const leadId = String(expectStatus(await submitLead(treeId, publisher.apiKey, validLead()), 200)["leadId"]);
    await leadInD1(leadId);
    const detail = await leadDetail(leadId);
    expect(detail.trace.every((entry) => !("bidRules" in entry))).toBe(true);
    expect(detail.sales.map((sale) => sale.priceCents)).toEqual([1_000]);
  });

  it("refuses a rule name over 100 characters with 400", async () => {
    const response = await admin("POST", "/lead-points", {
      buyerId: "any",
      name: "long",
      kind: "ping_post",
      ping: { url: "https://buyer.example/ping" },
      post: { url: "https://buyer.example/post" },
      pricing: { type: "dynamic" },
      bidRules: [{ name: "x".repeat(101), when: [], adjustCents: 1 }],
    });
    expect(expectStatus(response, 400)).toMatchObject({ error: { code: "validation_failed" } });
  });
});

/**
 * The clock is injected: vitest's fake Date reaches the Worker and its
 * objects, which run in the test's isolate. The instant is in the past so
 * that the alarms the gates set from it (the D1 flush) fire at once.
 */
describe("bid rules on time, publisher, sub-ID and score, with an injected clock", () => {
  afterEach(() => vi.useRealTimers());
  // Tuesday 1 December 2026, 7:30 PM in New York (0:30 UTC on the 2nd).
  const tuesdayEvening = new Date("2026-12-02T00:30:00Z");
  const ca = { field: "state", op: "eq", value: "CA" };

  async function pricedAt(now: Date, bidRules: unknown[], lead: Record<string, unknown>, publisher?: { id: string; apiKey: string }) {
    vi.useFakeTimers({ toFake: ["Date"], now });
    const point = await newLeadPoint("clock", { bid: 1_000 }, { bidRules });
    const seller = publisher ?? (await newPublisher());
    const treeId = await newTree([{ leadPointId: point.id }]);
    const leadId = String(expectStatus(await submitLead(treeId, seller.apiKey, validLead(lead)), 200)["leadId"]);
    // Read once the gate's background write is done, so nothing of this lead runs on after the test.
    await leadInD1(leadId);
    const detail = await leadDetail(leadId);
    const ping = detail.trace.find((entry) => entry.phase === "ping") as { bidRules?: { name?: string }[] } | undefined;
    return { price: detail.sales[0]?.priceCents, fired: (ping?.bidRules ?? []).map((rule) => rule.name) };
  }

  it("API.md's +$5 on California leads after 6 PM fires at 7:30 PM and not at 5:30 PM", async () => {
    const rule = { name: "ca-after-6pm", when: [ca, { field: "hour", op: "gte", value: 18 }], adjustCents: 500 };
    expect(await pricedAt(tuesdayEvening, [rule], { zip: "94105" })).toEqual({ price: 1_500, fired: ["ca-after-6pm"] });
    const tuesdayAfternoon = new Date("2026-12-01T22:30:00Z");
    expect(await pricedAt(tuesdayAfternoon, [rule], { zip: "94105" })).toEqual({ price: 1_000, fired: [] });
  });

  it("reads the weekday in the lead point's own zone: Tuesday in New York is still Tuesday, Wednesday in Tokyo", async () => {
    const tuesday = { name: "tuesday", when: [{ field: "weekday", op: "eq", value: 2 }], adjustCents: 200 };
    expect(await pricedAt(tuesdayEvening, [tuesday], {})).toEqual({ price: 1_200, fired: ["tuesday"] });
    const tokyo = { caps: { timezone: "Asia/Tokyo", total: 1_000 } };
    vi.useFakeTimers({ toFake: ["Date"], now: tuesdayEvening });
    const point = await newLeadPoint("tokyo", { bid: 1_000 }, { bidRules: [tuesday], ...tokyo });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const leadId = String(expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, validLead()), 200)["leadId"]);
    await leadInD1(leadId);
    expect((await leadDetail(leadId)).sales[0]?.priceCents).toBe(1_000);
  });

  it("fires on the publisher, a sub-ID and the lead's score", async () => {
    const publisher = await newPublisher();
    const rules = [
      { name: "this-publisher", when: [{ field: "publisherId", op: "eq", value: publisher.id }], adjustCents: 100 },
      { name: "sub-search", when: [{ field: "subId2", op: "eq", value: "search" }], adjustCents: 10 },
      { name: "good-score", when: [{ field: "score", op: "gte", value: 80 }], multiplier: 2 },
      { name: "other-publisher", when: [{ field: "publisherId", op: "eq", value: "pub_other" }], adjustCents: 5_000 },
    ];
    const priced = await pricedAt(tuesdayEvening, rules, { subId2: "search" }, publisher);
    expect(priced).toEqual({ price: 2_220, fired: ["this-publisher", "sub-search", "good-score"] });
  });
});

