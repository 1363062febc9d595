import { describe, expect, it } from "vitest";
import { admin, expectStatus, newBuyer, newLeadPoint, unique } from "../support/exchange";

type Refusal = { error: { code: string; fields: { path: string; message: string }[] } };

const backreference = "^(\\d)\\1{4}$";
const lookahead = "^(?=.*\\d)";
const notSupported = /are not supported: patterns run in linear time \(RE2\)/;

describe("saving a pattern RE2 cannot run in linear time is a 400 naming the field", () => {
  it.each([
    ["a filter", { filters: [{ field: "zip", op: "regex", value: backreference }] }, "filters.0.value"],
    ["a bid rule's condition", { pricing: { type: "dynamic" }, bidRules: [{ when: [{ field: "state", op: "regex", value: lookahead }], adjustCents: 100 }] }, "bidRules.0.when.0.value"],
    ["a post answer's accept regex", { post: { url: "https://b.example/post", response: { accept: { regex: "(?<=OK)\\d+" } } } }, "post.response.accept.regex"],
    ["a ping answer's accept regex", { ping: { url: "https://b.example/ping", response: { accept: { regex: "(a)\\1" } } } }, "ping.response.accept.regex"],
  ])("on a lead point: %s", async (_case, extra, field) => {
    const buyer = await newBuyer();
    const point = { buyerId: buyer.id, name: "x", kind: "ping_post", ping: { url: "https://b.example/ping" }, post: { url: "https://b.example/post" }, pricing: { type: "dynamic" }, ...extra };
    const refusal = expectStatus(await admin<Refusal>("POST", "/lead-points", point), 400);
    expect(refusal.error.code).toBe("validation_failed");
    expect(refusal.error.fields.find((f) => f.path === field)?.message, JSON.stringify(refusal)).toMatch(notSupported);
  });

  it.each([
    ["a tree filter", (id: string) => ({ filters: [{ field: "zip", op: "regex", value: backreference }], tiers: [{ name: "a", mode: "auction", positions: [{ leadPointId: id }] }] }), "filters.0.value"],
    ["a tier filter", (id: string) => ({ tiers: [{ name: "a", mode: "auction", filters: [{ field: "zip", op: "regex", value: lookahead }], positions: [{ leadPointId: id }] }] }), "tiers.0.filters.0.value"],
  ])("on a tree: %s", async (_case, document, field) => {
    const point = await newLeadPoint(unique("pat"), { bid: 100 });
    const refusal = expectStatus(await admin<Refusal>("PUT", `/ping-trees/${unique("t")}`, { name: "x", vertical: "v", ...document(point.id) }), 400);
    expect(refusal.error.fields.find((f) => f.path === field)?.message, JSON.stringify(refusal)).toMatch(notSupported);
  });

  it("saves a pattern that uses RE2's own syntax", async () => {
    const point = await newLeadPoint(unique("pat"), { bid: 100 }, { filters: [{ field: "zip", op: "regex", value: "^(?P<area>[[:digit:]]{3})\\d{2}$" }] });
    expect(point.id).toMatch(/^lp_/);
  });
});
