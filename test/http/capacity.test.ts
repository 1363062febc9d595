import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CapacityDeclaration } from "../../src/core/capacity";
import { point as treePoint, T0, tier, tree } from "../../src/core/testing/fixtures";
import { postGuards } from "../../src/exchange/limits";
import { capCounterName } from "../../src/objects/counter";
import {
  admin,
  asBuyer,
  buyerLog,
  expectBuyerOnly,
  expectOperatorOnly,
  expectStatus,
  leadDetail,
  newBuyer,
  newLeadPoint,
  newPublisher,
  newTree,
  submitLead,
  unique,
  type LeadDetail,
} from "../support/exchange";

interface Capacity {
  available: number | null;
  declared?: number;
  until?: string;
  setAt?: string;
}

/** A buyer's lead point bidding high (with `extra` in its document) and another buyer's bidding low, in one auction tier. */
async function routed(extra: Record<string, unknown> = {}) {
  const buyer = await newBuyer();
  const [name, spareName] = [unique("agents"), unique("spare")];
  const [point, spare] = await Promise.all([newLeadPoint(name, { bid: 2000 }, { buyerId: buyer.id, ...extra }), newLeadPoint(spareName, { bid: 500 })]);
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }, { leadPointId: spare.id }]);
  const path = `/lead-points/${point.id}/capacity`;
  return {
    buyer,
    point,
    spare,
    name,
    path,
    declare: async (body: Record<string, unknown>) => expectStatus(await asBuyer<Capacity>(buyer.apiKey, "PUT", path, body), 200),
    capacity: async () => expectStatus(await asBuyer<Capacity>(buyer.apiKey, "GET", path), 200),
    sell: async () => leadDetail(String(expectStatus(await submitLead(treeId, publisher.apiKey), 200).leadId)),
    pings: async () => (await buyerLog(name)).filter((request) => request.type === "ping").length,
  };
}

const buyersOf = (lead: LeadDetail) => lead.sales.map((sale) => sale.leadPointId);
const skipOf = (lead: LeadDetail, leadPointId: string) => lead.trace.find((entry) => entry.leadPointId === leadPointId);

describe("PUT /v1/buyer/lead-points/:id/capacity", () => {
  it("refuses a missing, made-up or operator credential with 401", async () => {
    await expectBuyerOnly("PUT", "/lead-points/lp_x/capacity", { available: 1 });
    await expectBuyerOnly("GET", "/lead-points/lp_x/capacity");
    await expectOperatorOnly("GET", "/lead-points/lp_x/capacity");
  });

  it("sells capacity 2 twice, then skips the lead point without a ping and sells to another; a new declaration starts the count afresh", async () => {
    const lane = await routed();
    expect(await lane.capacity()).toEqual({ available: null });
    const declared = await lane.declare({ available: 2 });
    expect(declared).toMatchObject({ available: 2, declared: 2 });
    expect(Date.parse(String(declared.setAt))).toBeGreaterThan(Date.now() - 60_000);

    for (let sale = 0; sale < 2; sale++) expect(buyersOf(await lane.sell())).toEqual([lane.point.id]);
    expect(await lane.capacity()).toMatchObject({ available: 0, declared: 2, setAt: declared.setAt });

    const pinged = await lane.pings();
    const third = await lane.sell();
    expect(buyersOf(third)).toEqual([lane.spare.id]);
    expect(skipOf(third, lane.point.id)).toMatchObject({ phase: "ping", outcome: "skipped", reason: `no free agents: the capacity of 2 declared at ${declared.setAt} is taken` });
    expect(await lane.pings()).toBe(pinged);

    expect(await lane.declare({ available: 1 })).toMatchObject({ available: 1, declared: 1 });
    expect(buyersOf(await lane.sell())).toEqual([lane.point.id]);
    expect(buyersOf(await lane.sell())).toEqual([lane.spare.id]);
    expect(expectStatus(await admin<Capacity>("GET", lane.path), 200)).toMatchObject({ available: 0, declared: 1 });
  });

  it("sells exactly 3 of 6 concurrent leads to a lead point with 3 agents free; the rest go to the other buyer", async () => {
    const lane = await routed();
    await lane.declare({ available: 3 });
    const leads = await Promise.all(Array.from({ length: 6 }, () => lane.sell()));
    expect(leads.filter((lead) => buyersOf(lead).includes(lane.point.id))).toHaveLength(3);
    expect(leads.filter((lead) => buyersOf(lead).includes(lane.spare.id))).toHaveLength(3);
    expect((await buyerLog(lane.name)).filter((request) => request.type === "post")).toHaveLength(3);
    expect(await lane.capacity()).toMatchObject({ available: 0, declared: 3 });
  });

  it("closes a lead point declared at 0 until the declaration ends; then routes it as if none had been made", async () => {
    const lane = await routed();
    const until = Date.now() + 1_000;
    const declared = await lane.declare({ available: 0, until: new Date(until).toISOString() });
    expect(declared).toMatchObject({ available: 0, declared: 0, until: new Date(until).toISOString() });
    const closed = await lane.sell();
    expect(buyersOf(closed)).toEqual([lane.spare.id]);
    expect(skipOf(closed, lane.point.id)).toMatchObject({ phase: "ping", outcome: "skipped" });
    expect(await lane.pings()).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now() + 10)));
    expect(buyersOf(await lane.sell())).toEqual([lane.point.id]);
    expect(await lane.capacity()).toEqual({ available: null });
  });

  it("prices by the agents free when the lead arrives: a bid rule on capacity lowers the bid of the last agent", async () => {
    const lane = await routed({ bidRules: [{ name: "last agent", when: [{ field: "capacity", op: "lte", value: 1 }], adjustCents: -400 }] });
    await lane.declare({ available: 2 });
    const [first, second] = [await lane.sell(), await lane.sell()];
    expect([first.sales, second.sales].map((sales) => sales.map((sale) => [sale.leadPointId, sale.priceCents]))).toEqual([[[lane.point.id, 2000]], [[lane.point.id, 1600]]]);
  });

  it.each([
    ["a negative count", { available: -1 }, "available"],
    ["a fraction", { available: 1.5 }, "available"],
    ["no count", { until: "2099-01-01T00:00:00Z" }, "available"],
    ["a count in words", { available: "three" }, "available"],
    ["an until that is not a time", { available: 2, until: "tomorrow" }, "until"],
    ["an until in the past", { available: 2, until: "2020-01-01T00:00:00Z" }, "until"],
    ["an unknown field", { available: 2, agents: 4 }, "(body)"],
  ])("refuses %s with 400 naming what is wrong", async (_case, body, path) => {
    const lane = await routed();
    const refused = expectStatus(await asBuyer<{ error: { code: string; fields?: { path: string }[] } }>(lane.buyer.apiKey, "PUT", lane.path, body), 400);
    expect(refused.error.code).toBe("validation_failed");
    expect(refused.error.fields?.map((field) => field.path)).toContain(path);
    expect(await lane.capacity()).toEqual({ available: null });
  });

  it("answers no 5xx whatever the body", async () => {
    const lane = await routed();
    const value = fc.oneof(fc.jsonValue(), fc.string(), fc.integer(), fc.double(), fc.date({ noInvalidDate: true }).map((date) => date.toISOString()));
    const body = fc.oneof(fc.jsonValue(), fc.record({ available: value, until: value }, { requiredKeys: [] }));
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const response = await asBuyer(lane.buyer.apiKey, "PUT", lane.path, sent);
        expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
      }),
      { numRuns: 30 },
    );
  });

  it("answers 404 for another buyer's lead point, and declares nothing on it, and for one that does not exist", async () => {
    const lane = await routed();
    const stranger = await newBuyer();
    expect(expectStatus(await asBuyer(stranger.apiKey, "PUT", lane.path, { available: 0 }), 404)).toMatchObject({ error: { code: "not_found" } });
    expectStatus(await asBuyer(stranger.apiKey, "GET", lane.path), 404);
    expectStatus(await asBuyer(stranger.apiKey, "PUT", "/lead-points/lp_nothing/capacity", { available: 1 }), 404);
    expectStatus(await admin("GET", "/lead-points/lp_nothing/capacity"), 404);
    expect(await lane.capacity()).toEqual({ available: null });
    expect(buyersOf(await lane.sell())).toEqual([lane.point.id]);
  });
});

describe("the capacity in the Counter object", () => {
  const declaration = (available: number, setAt: number, until?: number): CapacityDeclaration => ({
    available,
    setAt: new Date(setAt).toISOString(),
    ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
  });
  const limits = (capacity: CapacityDeclaration) => ({ timezone: "UTC", capacity });

  it("counts each sale down, holds agents for posts in flight, and gives a refused post's agent back", async () => {
    const counter = env.COUNTER.getByName(unique("cap:agents"));
    const two = limits(declaration(2, T0));
    expect(await counter.reserve("a", two, T0 + 1)).toEqual({ ok: true });
    expect(await counter.commit("a", T0 + 2)).toEqual({ capacityLeft: 1 });
    expect(await counter.commit("a", T0 + 3)).toEqual({ capacityLeft: 1 });
    expect(await counter.reserve("b", two, T0 + 4)).toEqual({ ok: true });
    expect(await counter.reserve("c", two, T0 + 5)).toMatchObject({ ok: false, reason: expect.stringContaining("no free agents") });
    await counter.release("b");
    expect(await counter.reserve("c", two, T0 + 6)).toEqual({ ok: true });
    expect(await counter.commit("c", T0 + 7)).toEqual({ capacityLeft: 0 });
    expect(await counter.capacity(undefined, T0 + 8)).toEqual({ declaration: two.capacity, left: 0 });
  });

  it("takes a later declaration afresh, keeps it over an earlier one a stale post carries, and lets it end at its until", async () => {
    const counter = env.COUNTER.getByName(unique("cap:renew"));
    const first = limits(declaration(1, T0));
    await counter.reserve("a", first, T0 + 1);
    await counter.commit("a", T0 + 2);
    const renewed = declaration(1, T0 + 10, T0 + 1_000);
    expect(await counter.capacity(renewed, T0 + 11)).toEqual({ declaration: renewed, left: 1 });
    expect(await counter.reserve("b", first, T0 + 12)).toEqual({ ok: true });
    expect(await counter.commit("b", T0 + 13)).toEqual({ capacityLeft: 0 });
    expect((await counter.reserve("c", first, T0 + 14)).ok).toBe(false);
    expect(await counter.reserve("c", { timezone: "UTC" }, T0 + 1_000)).toEqual({ ok: true });
    expect(await counter.commit("c", T0 + 1_001)).toEqual({});
    expect(await counter.capacity(undefined, T0 + 1_002)).toBeUndefined();
  });

  it("reserves exactly the agents declared, however many posts ask at once", async () => {
    const counter = env.COUNTER.getByName(unique("cap:race"));
    const three = limits(declaration(3, T0));
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => counter.reserve(`lead-${i}`, three, T0 + 1)));
    expect(results.filter((result) => result.ok)).toHaveLength(3);
  });

  it("keeps the caps and the capacity in one reservation: either refusing refuses the post", async () => {
    const counter = env.COUNTER.getByName(unique("cap:both"));
    const both = { timezone: "UTC", daily: 1, capacity: declaration(5, T0) };
    expect(await counter.reserve("a", both, T0 + 1)).toEqual({ ok: true });
    await counter.commit("a", T0 + 2);
    expect(await counter.reserve("b", both, T0 + 3)).toMatchObject({ ok: false, reason: "daily cap of 1 reached" });
    expect(await counter.capacity(undefined, T0 + 4)).toMatchObject({ left: 4 });
  });
});

describe("the post guards of a lead point with a capacity declaration", () => {
  it("close the point before the ping once its last agent is sold, and open it when the declaration ends", async () => {
    const id = unique("lp_guarded");
    const point = { ...treePoint(id), capacity: { available: 1, setAt: new Date(T0).toISOString(), until: new Date(T0 + 60_000).toISOString() } };
    let now = T0 + 1;
    const guards = postGuards(env, tree([tier("auction", [{ leadPointId: id }])]), unique("lead"), () => now);
    expect(guards.closedReason(point)).toBeUndefined();
    expect(await guards.reserve(point)).toEqual({ ok: true });
    await guards.closeReservation(point, true);
    expect(guards.closedReason(point)).toBe(`no free agents: the capacity of 1 declared at ${point.capacity.setAt} is taken`);
    now = T0 + 60_000;
    expect(guards.closedReason(point)).toBeUndefined();
    expect(await env.COUNTER.getByName(capCounterName(id)).capacity(undefined, now)).toBeUndefined();
  });

  it("close a point declared at 0 without asking its counter, and leave a point without a declaration to its caps alone", () => {
    const guards = postGuards(env, tree([tier("auction", [{ leadPointId: "p" }])]), unique("lead"), () => T0);
    expect(guards.closedReason({ ...treePoint("p"), capacity: { available: 0, setAt: new Date(T0 - 1).toISOString() } })).toContain("no free agents");
    expect(guards.closedReason(treePoint("p"))).toBeUndefined();
  });
});
