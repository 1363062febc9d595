/**
 * Inbound ping-post through the real Worker: a publisher pings with the lead
 * minus its PII, the exchange reserves the ranked bids in the ping's gate,
 * and the post of the whole lead sells to them in order, exactly once.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gateName, pingAddress } from "../../src/core/gateAddress";
import { PING_KEPT_MS, PingLog } from "../../src/objects/gate/pings";
import {
  buyerLog,
  call,
  expectStatus,
  leadDetail,
  leadInD1,
  newLeadPoint,
  newPublisher,
  newTree,
  submitLead,
  unique,
  validLead,
} from "../support/exchange";

interface PingAnswer {
  pingId: string;
  status: string;
  payoutCents: number;
  expiresAt: string;
}

const PII = ["firstName", "lastName", "email", "phone", "address", "consent"];

/** The lead's fields a ping may carry: validLead without its PII and consent. */
function pingOf(lead: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(lead).filter(([name]) => !PII.includes(name)));
}

function send<T>(treeId: string, path: "pings" | "posts", apiKey: string, body: Record<string, unknown>) {
  return call<T>(`/v1/trees/${treeId}/${path}`, { method: "POST", headers: { "x-api-key": apiKey, "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** A tree whose best bidder (1500) refuses every post, the next (1000) takes it, and a third declines the ping; the publisher is paid half. */
async function market(treeExtra: Record<string, unknown> = {}) {
  const names = { refuses: unique("pp-refuses"), takes: unique("pp-takes"), declines: unique("pp-declines") };
  const refuses = await newLeadPoint(names.refuses, { bid: 1500, token: "tok-best", post: "reject", reason: "not in our footprint" });
  const takes = await newLeadPoint(names.takes, { bid: 1000, token: "tok-next" });
  const declines = await newLeadPoint(names.declines, { decline: 1 });
  const publisher = await newPublisher({ type: "revshare", percent: 50 });
  const treeId = await newTree([{ leadPointId: refuses.id }, { leadPointId: takes.id }, { leadPointId: declines.id }], treeExtra);
  return { names, refuses, takes, declines, publisher, treeId };
}

async function pinged(treeId: string, apiKey: string, lead: Record<string, unknown>): Promise<PingAnswer> {
  return expectStatus(await send<PingAnswer>(treeId, "pings", apiKey, pingOf(lead)), 200);
}

describe("POST /v1/trees/:treeId/pings then /posts", () => {
  it("reserves the ranked bids at the ping, and the post falls through the reserved buyer's refusal to the next bid", async () => {
    const { names, refuses, takes, publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    expect(ping).toMatchObject({ status: "accepted", payoutCents: 750 });
    expect(Date.parse(ping.expiresAt) - Date.now()).toBeGreaterThan(30_000);
    const [buyerPing] = await buyerLog(names.refuses);
    expect(buyerPing?.type).toBe("ping");
    expect(Object.keys((buyerPing?.body["fields"] ?? {}) as Record<string, unknown>).sort()).toEqual(["city", "state", "zip"]);

    const answer = expectStatus(await send<Record<string, unknown>>(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 200);
    expect(answer).toMatchObject({ leadId: pingAddress(ping.pingId)?.leadId, status: "accepted", payoutCents: 500 });
    const leadId = String(answer.leadId);

    // Each buyer was pinged once, at the ping; the post carried each buyer's own ping token and the whole lead.
    const [best, next] = await Promise.all([buyerLog(names.refuses), buyerLog(names.takes)]);
    expect(best.map((request) => request.type)).toEqual(["ping", "post"]);
    expect(next.map((request) => request.type)).toEqual(["ping", "post"]);
    expect(best[1]?.body).toMatchObject({ type: "post", leadId, pingToken: "tok-best", priceCents: 1500 });
    expect(next[1]?.body).toMatchObject({ type: "post", leadId, pingToken: "tok-next", priceCents: 1000, fields: { email: lead.email } });

    await leadInD1(leadId);
    const detail = await leadDetail(leadId);
    expect(detail.trace.map((entry) => [entry.leadPointId, entry.phase, entry.outcome])).toEqual(
      expect.arrayContaining([
        [refuses.id, "ping", "accepted"],
        [takes.id, "ping", "accepted"],
        [refuses.id, "post", "declined"],
        [takes.id, "post", "accepted"],
      ]),
    );
    const phases = detail.trace.map((entry) => entry.phase);
    expect(phases.lastIndexOf("ping")).toBeLessThan(phases.indexOf("post"));
    expect(detail.sales).toEqual([expect.objectContaining({ leadPointId: takes.id, priceCents: 1000, payoutCents: 500 })]);
    expect(detail.ledger.map((line) => [line.kind, line.amountCents]).sort()).toEqual([["buyer_charge", 1000], ["margin", 500], ["publisher_payout", 500]].sort());
  });

  it("answers a ping no buyer bids on as declined, holding nothing, and refuses its post with 409", async () => {
    const declines = await newLeadPoint(unique("pp-none"), { decline: 1 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: declines.id }]);
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    expect(ping).toMatchObject({ status: "declined", payoutCents: 0 });
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 409)).toMatchObject({ error: { code: "conflict" } });
  });

  it("refuses a ping carrying PII with 400 naming each field, and validates the rest as intake does", async () => {
    const { publisher, treeId } = await market();
    const withPii = expectStatus(await send(treeId, "pings", publisher.apiKey, { zip: "10001", email: "a@gmail.com", phone: "2127364100", consent: {} }), 400);
    expect(withPii).toMatchObject({ error: { code: "validation_failed" } });
    expect((withPii as { error: { fields: { path: string }[] } }).error.fields.map((field) => field.path)).toEqual(["email", "phone", "consent"]);
    const badZip = expectStatus(await send(treeId, "pings", publisher.apiKey, { zip: "00000" }), 400);
    expect(badZip).toMatchObject({ error: { code: "validation_failed", fields: [{ path: "zip" }] } });
  });

  it("refuses an expired ping with 409 ping_expired, and sells nothing", async () => {
    const { names, publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const address = pingAddress(ping.pingId);
    if (!address) throw new Error(`no address in ${ping.pingId}`);
    await runInDurableObject(env.LEAD_GATE.getByName(gateName(address.address)), (_instance, state) => {
      state.storage.sql.exec("UPDATE pings SET expires_at = ? WHERE ping_id = ?", Date.now() - 1_000, ping.pingId);
    });
    const refused = expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 409);
    expect(refused).toMatchObject({ error: { code: "ping_expired" } });
    expect((await buyerLog(names.takes)).map((request) => request.type)).toEqual(["ping"]);
  });

  it.each([
    ["a malformed ping id", () => "not-a-ping"],
    ["a well-formed ping id never issued", (treeId: string) => `pg_00112233445566778899.${treeId}.0`],
    ["a ping id of another tree", () => "pg_00112233445566778899.another-tree.0"],
  ])("refuses %s with 404", async (_case, idOf) => {
    const { publisher, treeId } = await market();
    const refused = expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: idOf(treeId), ...validLead() }), 404);
    expect(refused).toMatchObject({ error: { code: "not_found" } });
  });

  it("refuses another publisher's ping with 404, and a post without a ping id with 400", async () => {
    const { publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const stranger = await newPublisher();
    expect(expectStatus(await send(treeId, "posts", stranger.apiKey, { pingId: ping.pingId, ...lead }), 404)).toMatchObject({ error: { code: "not_found" } });
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, lead), 400)).toMatchObject({ error: { code: "validation_failed", fields: [{ path: "pingId" }] } });
  });

  it("spends none of the tree's daily submit limit on posts it refuses: the limit's one unit goes to the post that sells", async () => {
    const { publisher, treeId } = await market({ dailyLimits: { timezone: "UTC", submits: 1 } });
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const found = pingAddress(ping.pingId);
    if (!found) throw new Error(`not a ping id: ${ping.pingId}`);
    // A well-formed id of the same gate that no ping has, and a post of the real ping by another publisher: both refused.
    const madeUp = `pg_${"0".repeat(found.token.length)}.${found.address.treeId}.${found.address.index}`;
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: madeUp, ...lead }), 404)).toMatchObject({ error: { code: "not_found" } });
    const stranger = await newPublisher();
    expectStatus(await send(treeId, "posts", stranger.apiKey, { pingId: ping.pingId, ...lead }), 404);
    expect(expectStatus(await send<{ status: string }>(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 200).status).toBe("accepted");
    // A repeat of the sold post is refused and gives nothing back: the unit stays spent, and the next lead meets the limit.
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 409)).toMatchObject({ error: { code: "ping_used" } });
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200).status).toBe("declined");
  });

  it("refuses a post whose non-PII fields differ from its ping's with 422 naming them, and keeps the reservation for a corrected post", async () => {
    const { publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const mismatch = expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead, zip: "90210" }), 422);
    expect(mismatch).toMatchObject({ error: { code: "ping_mismatch" } });
    expect((mismatch as { error: { fields: { path: string }[] } }).error.fields.map((field) => field.path)).toEqual(["city", "state", "zip"]);
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 200)).toMatchObject({ status: "accepted" });
  });

  it("validates the post's whole lead as intake does: a post without consent is refused naming it, the ping kept", async () => {
    const { publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const { consent: _consent, ...withoutConsent } = lead;
    const refused = expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...withoutConsent }), 400);
    expect(JSON.stringify(refused)).toContain("consent");
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 200)).toMatchObject({ status: "accepted" });
  });

  it("sells a ping once: of two concurrent posts one is answered and the other is 409 ping_used, and a later repeat is 409 naming the lead", async () => {
    const { names, publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const answers = await Promise.all([0, 1].map(() => send<Record<string, unknown>>(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead })));
    expect(answers.map((answer) => answer.status).sort(), JSON.stringify(answers.map((answer) => answer.body))).toEqual([200, 409]);
    const sold = answers.find((answer) => answer.status === 200)?.body;
    expect(sold).toMatchObject({ status: "accepted" });
    expect(answers.find((answer) => answer.status === 409)?.body).toMatchObject({ error: { code: "ping_used" } });

    const again = expectStatus(await send<{ error: { code: string; message: string } }>(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 409);
    expect(again.error.code).toBe("ping_used");
    expect(again.error.message).toContain(String(sold?.leadId));
    expect((await buyerLog(names.takes)).filter((request) => request.type === "post")).toHaveLength(1);
  });

  it("answers a post whose click id was sold meanwhile through /leads with that lead's answer, as a resubmit, selling nothing more", async () => {
    const { names, publisher, treeId } = await market();
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    const first = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(first).toMatchObject({ status: "accepted" });
    const answer = expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 200);
    expect(answer).toEqual(first);
    expect((await buyerLog(names.takes)).filter((request) => request.type === "post")).toHaveLength(1);
    expect(expectStatus(await send(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 409)).toMatchObject({ error: { code: "ping_used" } });
  });

  it("skips a reserved buyer whose cap filled after the ping and sells to the next bid", async () => {
    const capped = await newLeadPoint(unique("pp-capped"), { bid: 2000 }, { caps: { timezone: "America/New_York", total: 1 } });
    const next = await newLeadPoint(unique("pp-after-cap"), { bid: 800 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: capped.id }, { leadPointId: next.id }]);
    const lead = validLead();
    const ping = await pinged(treeId, publisher.apiKey, lead);
    expect(ping.payoutCents).toBe(1000);
    // Another lead takes the capped buyer's only unit meanwhile.
    expect(expectStatus(await submitLead(treeId, publisher.apiKey, validLead()), 200)).toMatchObject({ status: "accepted", payoutCents: 1000 });
    const answer = expectStatus(await send<Record<string, unknown>>(treeId, "posts", publisher.apiKey, { pingId: ping.pingId, ...lead }), 200);
    expect(answer).toMatchObject({ status: "accepted", payoutCents: 400 });
    const detail = await leadDetail(String(answer.leadId));
    expect(detail.trace.find((entry) => entry.leadPointId === capped.id && entry.phase === "post")).toMatchObject({ outcome: "skipped", reason: "total cap of 1 reached" });
  });
});

describe("the ping's states in its gate", () => {
  const NOW = Date.UTC(2026, 11, 2, 10, 0, 0);
  const reservation = (bids: number) => ({ tierName: "main", offers: Array.from({ length: bids }, (_, i) => ({ leadPointId: `lp-${i}`, priceCents: 1000 - i })), trace: [] });
  const reserve = (log: PingLog, bids: number) =>
    log.reserve({ pingId: "pg_1", key: "pub|clk|t", publisherId: "pub", lead: { fields: { zip: "10001" }, meta: {} }, reservation: reservation(bids), expiresAt: NOW + 60_000 });

  function onScratchGate<T>(body: (log: PingLog) => T): Promise<T> {
    return runInDurableObject(env.LEAD_GATE.getByName(unique("gate:scratch-pings:")), (_instance, state) => body(new PingLog(state.storage.sql)));
  }

  it.each([
    { name: "(none) --reserve(bids)--> reserved", bids: 2, claims: [], state: "reserved" },
    { name: "(none) --reserve(no bid)--> declined, never claimed", bids: 0, claims: [[NOW, false]], state: "declined" },
    { name: "reserved --claim before expiresAt--> posted, with the lead id", bids: 1, claims: [[NOW, true]], state: "posted" },
    { name: "posted --claim again--> posted: the second claim moves nothing", bids: 1, claims: [[NOW, true], [NOW + 1, false]], state: "posted" },
    { name: "reserved --claim at expiresAt--> reserved: an expired ping is never claimed", bids: 1, claims: [[NOW + 60_000, false]], state: "reserved" },
  ] as { name: string; bids: number; claims: [number, boolean][]; state: string }[])("$name", async ({ bids, claims, state }) => {
    await onScratchGate((log) => {
      reserve(log, bids);
      for (const [at, moved] of claims) expect(log.claim("pg_1", "ld_1", at)).toBe(moved);
      const ping = log.ping("pg_1");
      expect(ping?.state).toBe(state);
      expect(ping?.reservation.offers).toHaveLength(bids);
      if (state === "posted") expect(ping?.leadId).toBe("ld_1");
    });
  });

  it("is forgotten an hour after it expired, and the gate's alarm is due then", async () => {
    await onScratchGate((log) => {
      reserve(log, 1);
      expect(log.nextPurgeAt()).toBe(NOW + 60_000 + PING_KEPT_MS);
      log.purgeExpired(NOW + 60_000 + PING_KEPT_MS - 1);
      expect(log.ping("pg_1")).toBeDefined();
      log.purgeExpired(NOW + 60_000 + PING_KEPT_MS);
      expect(log.ping("pg_1")).toBeUndefined();
      expect(log.nextPurgeAt()).toBeUndefined();
    });
  });
});
