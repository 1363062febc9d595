import { describe, expect, it } from "vitest";
import { admin, asBuyer, expectBuyerOnly, expectStatus, newBuyer, newLeadPoint, newPublisher, newTree, submitLead, unique } from "../support/exchange";

async function ownPoint(behaviour: Record<string, string | number> = { bid: 800 }) {
  const buyer = await newBuyer();
  const point = await newLeadPoint(unique("own"), behaviour, { buyerId: buyer.id });
  return { buyer, point };
}

describe("PATCH /v1/buyer/lead-points/:id", () => {
  it("refuses a missing, made-up or operator credential with 401", () => expectBuyerOnly("PATCH", "/lead-points/lp_x", { enabled: false }));

  it("changes the pricing, caps, filters, bid rules and schedule it names and keeps the endpoints", async () => {
    const { buyer, point } = await ownPoint();
    const before = expectStatus(await admin<Record<string, unknown>>("GET", `/lead-points/${point.id}`), 200);
    const patch = {
      pricing: { type: "fixed", priceCents: 900 },
      caps: { timezone: "America/Chicago", daily: 40 },
      filters: [{ field: "state", op: "in", value: ["NY", "NJ"] }],
      bidRules: [{ when: [{ field: "hour", op: "gte", value: 18 }], adjustCents: 500 }],
      schedule: { timezone: "America/Chicago", days: [1, 2, 3, 4, 5], fromHour: 8, toHour: 20 },
    };
    const patched = expectStatus(await asBuyer(buyer.apiKey, "PATCH", `/lead-points/${point.id}`, patch), 200);
    expect(patched).toMatchObject({ id: point.id, buyerId: buyer.id, ...patch, ping: before["ping"], post: before["post"] });
    expect(expectStatus(await admin("GET", `/lead-points/${point.id}`), 200)).toMatchObject(patch);

    const uncapped = expectStatus(await asBuyer(buyer.apiKey, "PATCH", `/lead-points/${point.id}`, { caps: null }), 200);
    expect(uncapped["caps"]).toBeUndefined();
    expect(uncapped).toMatchObject({ pricing: patch.pricing, schedule: patch.schedule });
  });

  it("switched off by its buyer, the lead point is not pinged from the next lead; switched on, it buys again", async () => {
    const { buyer, point } = await ownPoint();
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    expectStatus(await asBuyer(buyer.apiKey, "PATCH", `/lead-points/${point.id}`, { enabled: false }), 200);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200)).toMatchObject({ status: "declined" });
    expectStatus(await asBuyer(buyer.apiKey, "PATCH", `/lead-points/${point.id}`, { enabled: true }), 200);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200)).toMatchObject({ status: "accepted" });
  });

  it.each([
    ["the post endpoint", { post: { url: "https://elsewhere.example/post" } }, "(body)"],
    ["the buyer", { buyerId: "buy_other" }, "(body)"],
    ["the name", { name: "renamed" }, "(body)"],
    ["a pricing of no known type", { pricing: { type: "auction" } }, "pricing"],
    ["a negative price", { pricing: { type: "fixed", priceCents: -5 } }, "pricing"],
    ["a filter with no such operator", { filters: [{ field: "state", op: "like", value: "N%" }] }, "filters"],
  ])("refuses a patch of %s with 400 naming what is wrong", async (_case, body, path) => {
    const { buyer, point } = await ownPoint();
    const refused = expectStatus(await asBuyer<{ error: { fields?: { path: string }[] } }>(buyer.apiKey, "PATCH", `/lead-points/${point.id}`, body), 400);
    expect(refused).toMatchObject({ error: { code: "validation_failed" } });
    expect(refused.error.fields?.map((field) => field.path).join(" ")).toContain(path);
  });

  it("answers 404 for another buyer's lead point, and changes nothing of it, and for one that does not exist", async () => {
    const { point } = await ownPoint();
    const stranger = await newBuyer();
    expect(expectStatus(await asBuyer(stranger.apiKey, "PATCH", `/lead-points/${point.id}`, { enabled: false }), 404)).toMatchObject({ error: { code: "not_found" } });
    expect(expectStatus(await admin("GET", `/lead-points/${point.id}`), 200)).toMatchObject({ enabled: true });
    expectStatus(await asBuyer(stranger.apiKey, "PATCH", "/lead-points/lp_nothing", { enabled: false }), 404);
  });
});
