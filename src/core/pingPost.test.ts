import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FakeIO, accepted, bid, lead, noBid, point, pointsMap, position, rejected, tier, tree, type FakeScripts } from "./testing/fixtures";
import { NOT_RESERVABLE, PRICED_BY_ANSWER, pingExpiresAt, pingMismatch, postReserved, reservePing, type PingReservation } from "./pingPost";
import type { Tree } from "./config";
import type { TreePoint } from "./tree";

async function ping(t: Tree, points: TreePoint[], scripts: FakeScripts = {}) {
  const io = new FakeIO(scripts);
  const reservation = await reservePing({ tree: t, lead: lead(), points: pointsMap(points), io });
  return { reservation, io };
}

async function post(t: Tree, points: TreePoint[], reservation: PingReservation, scripts: FakeScripts = {}, l = lead()) {
  const io = new FakeIO(scripts);
  const outcome = await postReserved({ tree: t, lead: l, points: pointsMap(points), io, reservation });
  return { outcome, io };
}

const auction = (ids: string[]) => tree([tier("auction", ids.map((id) => position(id)))]);

describe("reservePing: the auction stopped before its first post", () => {
  test("pings every eligible point, ranks the bids best first with their ping tokens, and posts nothing", async () => {
    const t = auction(["a", "b", "c"]);
    const { reservation, io } = await ping(t, [point("a"), point("b"), point("c")], { pings: { a: bid(500), b: { kind: "bid", ms: 10, bidCents: 900, pingToken: "tok-b" }, c: noBid() } });
    expect(reservation.offers).toEqual([{ leadPointId: "b", priceCents: 900, pingToken: "tok-b" }, { leadPointId: "a", priceCents: 500 }]);
    expect(reservation.tierName).toBe("auction tier");
    expect(io.posted()).toEqual([]);
    expect(reservation.trace.map((entry) => [entry.leadPointId, entry.phase, entry.outcome])).toEqual([
      ["a", "ping", "accepted"],
      ["b", "ping", "accepted"],
      ["c", "ping", "declined"],
    ]);
  });

  test("reserves the first tier with a priced bid; a later tier is not pinged", async () => {
    const t = tree([tier("auction", [position("a")], { name: "first" }), tier("auction", [position("b")], { name: "second" })]);
    const { reservation, io } = await ping(t, [point("a"), point("b")], { pings: { a: noBid(), b: bid(700) } });
    expect(reservation).toMatchObject({ tierName: "second", offers: [{ leadPointId: "b", priceCents: 700 }] });
    const again = await ping(t, [point("a"), point("b")], { pings: { a: bid(300), b: bid(700) } });
    expect(again.reservation.offers.map((o) => o.leadPointId)).toEqual(["a"]);
    expect(again.io.pinged()).toEqual(["a"]);
    expect(io.pinged()).toEqual(["a", "b"]);
  });

  test("passes by tiers of other modes and offers priced by their answer, saying why", async () => {
    const t = tree([tier("ordered", [position("o")]), tier("auction", [position("d"), position("a")])]);
    const direct = point("d", { kind: "direct_post", ping: undefined });
    const { reservation, io } = await ping(t, [point("o"), direct, point("a")], { pings: { a: bid(400) } });
    expect(io.pinged()).toEqual(["a"]);
    expect(reservation.offers).toEqual([{ leadPointId: "a", priceCents: 400 }]);
    expect(reservation.trace).toEqual(expect.arrayContaining([
      expect.objectContaining({ leadPointId: "o", outcome: "skipped", reason: NOT_RESERVABLE }),
      expect.objectContaining({ leadPointId: "d", phase: "post", outcome: "skipped", reason: PRICED_BY_ANSWER }),
    ]));
  });

  test("reserves nothing when no buyer bids", async () => {
    const { reservation } = await ping(auction(["a"]), [point("a")], { pings: { a: noBid() } });
    expect(reservation.offers).toEqual([]);
  });

  test("leaves one-to-one consent to the post, where the consent text is", async () => {
    const t = tree([tier("auction", [position("a")])], { consent: { requireBuyerNamed: true } });
    const named = point("a", { consentNames: ["Acme"] });
    const { reservation } = await ping(t, [named], { pings: { a: bid(400) } });
    expect(reservation.offers).toHaveLength(1);
    const refused = await post(t, [named], reservation);
    expect(refused.outcome.sales).toEqual([]);
    const sold = await post(t, [named], reservation, {}, lead({ consent: { ...lead().consent, text: "I agree to be called by Acme." } }));
    expect(sold.outcome.sales.map((sale) => sale.leadPointId)).toEqual(["a"]);
  });
});

describe("postReserved: the reserved bids posted in order", () => {
  const reservation: PingReservation = {
    tierName: "auction tier",
    offers: [{ leadPointId: "a", priceCents: 900, pingToken: "tok-a" }, { leadPointId: "b", priceCents: 500 }],
    trace: [],
  };
  const t = auction(["a", "b"]);

  test("a refused post falls through to the next bid, at its reserved price, with its ping token", async () => {
    const { outcome, io } = await post(t, [point("a"), point("b")], reservation, { posts: { a: rejected(), b: accepted() } });
    expect(io.pinged()).toEqual([]);
    expect(io.posts.map((call) => [call.target.point.id, call.target.priceCents, call.target.pingToken])).toEqual([
      ["a", 900, "tok-a"],
      ["b", 500, undefined],
    ]);
    expect(outcome.sales.map((sale) => [sale.leadPointId, sale.priceCents])).toEqual([["b", 500]]);
  });

  test("a buyer whose cap filled since the ping is skipped and the next bid posted", async () => {
    const { outcome } = await post(t, [point("a"), point("b")], reservation, { refused: { a: "daily cap of 1 reached" } });
    expect(outcome.trace[0]).toMatchObject({ leadPointId: "a", phase: "post", outcome: "skipped", reason: "daily cap of 1 reached" });
    expect(outcome.sales.map((sale) => sale.leadPointId)).toEqual(["b"]);
  });

  test("a bid whose lead point was disabled, or left the tree, since the ping is not posted", async () => {
    const { outcome, io } = await post(auction(["b"]), [point("a", { enabled: false }), point("b")], reservation);
    expect(io.posted()).toEqual(["b"]);
    expect(outcome.trace[0]).toMatchObject({ leadPointId: "a", outcome: "skipped", reason: "reserved bid not posted: no longer in the tree's tier" });
    const disabled = await post(t, [point("a", { enabled: false }), point("b")], reservation);
    expect(disabled.outcome.trace[0]).toMatchObject({ leadPointId: "a", reason: "reserved bid not posted: lead point disabled" });
  });

  test("nothing sells when every reserved buyer refuses", async () => {
    const { outcome } = await post(t, [point("a"), point("b")], reservation, { posts: { a: rejected(), b: rejected() } });
    expect(outcome).toMatchObject({ sales: [], reason: "no buyer accepted the lead" });
  });
});

describe("pingMismatch", () => {
  const pinged = { fields: { zip: "10001", state: "NY", homeowner: true }, meta: { clickId: "c1" } };
  test.each([
    { name: "the same fields and ids match", post: pinged, paths: [] },
    { name: "another ZIP", post: { ...pinged, fields: { ...pinged.fields, zip: "10002" } }, paths: ["zip"] },
    { name: "a field the ping did not have", post: { ...pinged, fields: { ...pinged.fields, vehicleYear: 2020 } }, paths: ["vehicleYear"] },
    { name: "a field the post lacks", post: { ...pinged, fields: { zip: "10001", state: "NY" } }, paths: ["homeowner"] },
    { name: "another click id", post: { ...pinged, meta: { clickId: "c2" } }, paths: ["clickId"] },
  ])("$name", ({ post: p, paths }) => {
    expect(pingMismatch(pinged, p).map((error) => error.path)).toEqual(paths);
  });
});

test("pingMismatch names exactly the names whose values differ, whichever side is the ping", () => {
  const value = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 9 }), fc.boolean());
  const fields = fc.dictionary(fc.constantFrom("zip", "state", "homeowner", "vehicleYear"), value);
  fc.assert(
    fc.property(fields, fields, (a, b) => {
      const paths = pingMismatch({ fields: a, meta: {} }, { fields: b, meta: {} }).map((error) => error.path);
      const differing = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((name) => a[name] !== b[name]).sort();
      expect(paths).toEqual(differing);
      expect(pingMismatch({ fields: b, meta: {} }, { fields: a, meta: {} }).map((error) => error.path)).toEqual(paths);
      expect(pingMismatch({ fields: a, meta: {} }, { fields: a, meta: {} })).toEqual([]);
    }),
  );
});

test("a ping holds its bids for the tree's pingPost.expiresSeconds, 60 s by default", () => {
  expect(pingExpiresAt(tree([tier("auction", [position("a")])]), 1_000)).toBe(61_000);
  expect(pingExpiresAt(tree([tier("auction", [position("a")])], { pingPost: { expiresSeconds: 15 } }), 1_000)).toBe(16_000);
});
