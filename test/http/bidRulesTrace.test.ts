import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
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
