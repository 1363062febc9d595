/**
 * Duplicate consumers through the real Worker, with loopback buyers: a
 * tree's duplicate rule declines (cause `duplicate`) or flags a lead whose
 * phone or email an earlier lead of the tree had; a lead point with
 * `dedupeDays` is never pinged with a consumer its buyer bought, from any
 * publisher or tree, and the trace says why; the consumer objects keep no
 * plaintext and purge what no window needs.
 */
import { env } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { consumerObjectName, VELOCITY_COUNT_CAP } from "../../src/core/consumers";
import { withEarlierSales } from "../../src/exchange/consumers";
import type { ConsumerLedger } from "../../src/objects/consumers";
import { buyerLog, expectStatus, fireGateNow, gateOfLead, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, treeGate, unique, validLead } from "../support/exchange";
import { holdGateWrites } from "../support/faults";

/** A consumer no other test has: its own email and phone. */
function consumer(): Record<string, string> {
  const digits = String(Math.floor(Math.random() * 1e7)).padStart(7, "0");
  return { email: `${unique("dup")}@gmail.com`, phone: `(212) 7${digits.slice(0, 2)}-${digits.slice(2, 6)}` };
}

/** The one consumer object of the tests (CONSUMER_SHARDS is 1). */
const consumers = () => env.CONSUMERS.getByName(consumerObjectName(0));

/** Whether the consumer object knows of the lead's sale, noted in memory or written. */
function knowsSale(stub: DurableObjectStub<ConsumerLedger>, leadId: string): Promise<boolean> {
  return runInDurableObject(stub, (instance, state) => {
    const noted = (instance as unknown as { pendingPurchases: Map<string, { leadId: string }[]> }).pendingPurchases;
    return [...noted.values()].flat().some((purchase) => purchase.leadId === leadId) || state.storage.sql.exec("SELECT 1 FROM purchases WHERE lead_id = ?", leadId).toArray().length > 0;
  });
}

const duplicateLead = { leadId: expect.any(String), receivedAt: expect.any(String), field: expect.any(String) };

describe("a tree's duplicate rule", () => {
  it("declines a lead whose email an earlier lead of the tree had, from another publisher, as unsold with cause duplicate", async () => {
    const name = unique("dupdecline");
    const point = await newLeadPoint(name, { bid: 500 });
    const treeId = await newTree([{ leadPointId: point.id }], { duplicates: { fields: ["phone", "email"], days: 30, action: "decline" } });
    const person = consumer();
    const first = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, validLead(person)), 200);
    expect(first.status, JSON.stringify(first)).toBe("accepted");

    const again = validLead({ ...person, email: `  ${person.email?.toUpperCase()} `, phone: "(646) 555-0142" });
    const second = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, again), 200);
    expect(second.status, JSON.stringify(second)).toBe("declined");
    const detail = (await leadDetail(String(second.leadId))) as Awaited<ReturnType<typeof leadDetail>> & { cause?: string; duplicateOf?: unknown };
    expect(detail.cause).toBe("duplicate");
    expect(detail.duplicateOf).toEqual({ ...duplicateLead, leadId: first.leadId, field: "email", action: "decline" });
    expect((await buyerLog(name)).map((entry) => entry.type)).toEqual(["ping", "post"]);
  });

  it("lets a duplicate through flagged with the earlier lead, and another tree's leads never count", async () => {
    const name = unique("dupflag");
    const point = await newLeadPoint(name, { bid: 500 });
    const [treeId, otherTree] = await Promise.all([
      newTree([{ leadPointId: point.id }], { duplicates: { fields: ["phone"], days: 30, action: "flag" } }),
      newTree([{ leadPointId: point.id }]),
    ]);
    const publisher = await newPublisher();
    const person = consumer();
    const elsewhere = expectStatus(await submitLead(otherTree, publisher.apiKey, validLead(person)), 200);
    const first = expectStatus(await submitLead(treeId, publisher.apiKey, validLead(person)), 200);
    expect((await leadDetail(String(first.leadId))) as object).not.toHaveProperty("duplicateOf");

    const second = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ ...person, phone: `+1 ${person.phone}` })), 200);
    expect(second.status, JSON.stringify(second)).toBe("accepted");
    const detail = (await leadDetail(String(second.leadId))) as Awaited<ReturnType<typeof leadDetail>> & { duplicateOf?: { leadId: string } };
    expect(detail.duplicateOf).toEqual({ ...duplicateLead, leadId: first.leadId, field: "phone", action: "flag" });
    expect(detail.duplicateOf?.leadId).not.toBe(elsewhere.leadId);
  });

  it("never calls a lead the duplicate of one intake refused as not valid", async () => {
    const point = await newLeadPoint(unique("dupinvalid"), { bid: 500 });
    const filters = [{ field: "firstName", op: "ne", value: "Refused", action: "error", message: "not this name" }];
    const treeId = await newTree([{ leadPointId: point.id }], { filters, duplicates: { fields: ["email"], days: 30, action: "decline" } });
    const publisher = await newPublisher();
    const person = consumer();
    expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ ...person, firstName: "Refused" })), 400);
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, validLead(person)), 200);
    expect(answer.status, JSON.stringify(answer)).toBe("accepted");
  });

  it("declines exactly one of two leads of one consumer submitted at once", async () => {
    const point = await newLeadPoint(unique("dupconcurrent"), { bid: 500 });
    const treeId = await newTree([{ leadPointId: point.id }], { duplicates: { fields: ["email"], days: 30, action: "decline" } });
    const publisher = await newPublisher();
    const person = consumer();
    const answers = await Promise.all([0, 1].map(() => submitLead(treeId, publisher.apiKey, validLead(person))));
    const statuses = answers.map((answer) => String(expectStatus(answer, 200).status)).sort();
    expect(statuses).toEqual(["accepted", "declined"]);
  });
});

/**
 * One buyer with two lead points that keep dedupeDays: `bought` alone in the
 * first tree (answering as `first` says), `again` in the second beside
 * another buyer's `other`, which bids less.
 */
async function boughtTwice(first: Record<string, string | number> = { bid: 900 }) {
  const names = { deduped: unique("dedupe"), deduped2: unique("dedupe2"), other: unique("other") };
  const bought = await newLeadPoint(names.deduped, first, { dedupeDays: 30 });
  const [again, other] = await Promise.all([
    newLeadPoint(names.deduped2, { bid: 900 }, { buyerId: bought.buyerId, dedupeDays: 30 }),
    newLeadPoint(names.other, { bid: 300 }),
  ]);
  const [firstTree, secondTree] = await Promise.all([newTree([{ leadPointId: bought.id }]), newTree([{ leadPointId: again.id }, { leadPointId: other.id }])]);
  return { names, again, other, firstTree, secondTree };
}

describe("a lead point's dedupeDays", () => {
  it("never pings a buyer with a consumer it bought, from another publisher and another tree, and traces why", async () => {
    const { names, again, other, firstTree, secondTree } = await boughtTwice();
    const person = consumer();
    const first = expectStatus(await submitLead(firstTree, (await newPublisher()).apiKey, validLead(person)), 200);
    expect(first.status, JSON.stringify(first)).toBe("accepted");
    // Here the sale is recorded for good: the gate's D1 batch, just after the answer, carries it too.
    const gate = gateOfLead(String(first.leadId));
    for (let attempt = 0; attempt < 200 && (await gate.pendingWrites()).includes(String(first.leadId)); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));

    const second = expectStatus(await submitLead(secondTree, (await newPublisher()).apiKey, validLead({ phone: person.phone })), 200);
    expect(second.status, JSON.stringify(second)).toBe("accepted");
    const detail = await leadDetail(String(second.leadId));
    expect(detail.sales.map((sale) => sale.leadPointId)).toEqual([other.id]);
    const skipped = detail.trace.find((entry) => entry.leadPointId === again.id);
    expect(skipped, JSON.stringify(detail.trace)).toMatchObject({ phase: "ping", outcome: "skipped" });
    expect(skipped?.reason).toMatch(/^the buyer bought this consumer on \S+, inside its dedupeDays \(30\)$/);
    expect(await buyerLog(names.deduped2)).toEqual([]);
  });

  it("never pings a buyer with a consumer it bought a moment ago, while the sale's D1 write is still owed", async () => {
    const { names, again, other, firstTree, secondTree } = await boughtTwice();
    // The first tree's gate holds its D1 batch, so its sale reaches the consumer object by the notice alone.
    const gate = treeGate(firstTree);
    const held = await holdGateWrites(gate);
    try {
      const person = consumer();
      const first = expectStatus(await submitLead(firstTree, (await newPublisher()).apiKey, validLead(person)), 200);
      expect(first.status, JSON.stringify(first)).toBe("accepted");
      const firstId = String(first.leadId);
      for (let attempt = 0; attempt < 200 && !(await knowsSale(consumers(), firstId)); attempt++) await new Promise((resolve) => setTimeout(resolve, 5));

      const second = expectStatus(await submitLead(secondTree, (await newPublisher()).apiKey, validLead({ email: person.email })), 200);
      expect(await gate.pendingWrites()).toContain(firstId);
      expect(second.status, JSON.stringify(second)).toBe("accepted");
      const detail = await leadDetail(String(second.leadId));
      expect(detail.sales.map((sale) => sale.leadPointId)).toEqual([other.id]);
      expect(detail.trace.find((entry) => entry.leadPointId === again.id)?.reason).toMatch(/^the buyer bought this consumer on \S+, inside its dedupeDays \(30\)$/);
      expect(await buyerLog(names.deduped2)).toEqual([]);
    } finally {
      // Later files share this runtime: the gate writes what it owes.
      await held.release();
    }
  });
});

describe("two leads of one consumer in two trees at once", () => {
  /** Submits the first lead and, once its buyer has the ping (its auction under way), the second. */
  async function overlapping(first: Record<string, string | number>) {
    const scene = await boughtTwice(first);
    const person = consumer();
    const firstAnswer = submitLead(scene.firstTree, (await newPublisher()).apiKey, validLead(person));
    for (let attempt = 0; attempt < 400 && (await buyerLog(scene.names.deduped)).length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await buyerLog(scene.names.deduped)).toHaveLength(1);
    const second = expectStatus(await submitLead(scene.secondTree, (await newPublisher()).apiKey, validLead({ email: person.email })), 200);
    return { ...scene, first: expectStatus(await firstAnswer, 200), second };
  }

  it("sells the second after the first, so the buyer that bought the first is never offered the second", async () => {
    const { names, again, other, first, second } = await overlapping({ bid: 900, delay: 400 });
    expect(first.status, JSON.stringify(first)).toBe("accepted");
    expect(second.status, JSON.stringify(second)).toBe("accepted");
    const detail = await leadDetail(String(second.leadId));
    expect(detail.sales.map((sale) => sale.leadPointId)).toEqual([other.id]);
    expect(detail.trace.find((entry) => entry.leadPointId === again.id)?.reason).toMatch(/^the buyer bought this consumer on \S+, inside its dedupeDays \(30\)$/);
    expect(await buyerLog(names.deduped2)).toEqual([]);
  });

  it("has each gate answer what its lead sold, and intake add nothing for a lead its gate never admitted", async () => {
    const point = await newLeadPoint(unique("gatesales"), { bid: 700 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const sold = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, validLead(consumer())), 200);
    expect(sold.status).toBe("accepted");
    const gate = gateOfLead(String(sold.leadId));
    expect(await gate.leadSales(String(sold.leadId), 0)).toEqual({ kind: "settled", buyerIds: [point.buyerId], at: expect.any(Number) });
    expect(await gate.leadSales(String(sold.leadId).replace(/^ld_[0-9a-f]+/, "ld_0"), 0)).toEqual({ kind: "unknown" });

    // Intake's side: the sold lead's buyer joins the purchases; a lead its gate never admitted adds nothing once its grace is over.
    const never = { leadId: String(sold.leadId).replace(/^ld_[0-9a-f]+/, "ld_0"), at: Date.now() - 1_950 };
    const facts = { keys: [], purchases: [] };
    expect((await withEarlierSales(env, facts, [never, { leadId: String(sold.leadId), at: Date.now() - 1_000 }])).purchases).toEqual([{ buyerId: point.buyerId, at: expect.any(Number) }]);
    expect(await withEarlierSales(env, facts, [never])).toEqual(facts);
  });

  it("offers the second to that buyer when the first, waited for, did not sell to it", async () => {
    const { names, again, first, second } = await overlapping({ decline: 1, delay: 400 });
    expect(first.status, JSON.stringify(first)).toBe("declined");
    expect(second.status, JSON.stringify(second)).toBe("accepted");
    expect((await leadDetail(String(second.leadId))).sales.map((sale) => sale.leadPointId)).toEqual([again.id]);
    expect((await buyerLog(names.deduped2)).map((request) => request.type)).toEqual(["ping", "post"]);
  });
});

describe("a held lead's next cycle", () => {
  it("never offers a buyer the consumer it bought since the lead arrived, and traces why", async () => {
    const names = { held: unique("heldfor"), sold: unique("soldto") };
    // One buyer in two trees: it passes on the held lead's first ping, then bids; in between it buys the consumer elsewhere.
    const held = await newLeadPoint(names.held, { bid: 900, declineFirst: 1 }, { dedupeDays: 30 });
    const sold = await newLeadPoint(names.sold, { bid: 900 }, { buyerId: held.buyerId });
    const [heldTree, soldTree] = await Promise.all([newTree([{ leadPointId: held.id }], { cycles: { max: 2, delaySeconds: 60 } }), newTree([{ leadPointId: sold.id }])]);
    const person = consumer();
    const first = expectStatus(await submitLead(heldTree, (await newPublisher()).apiKey, validLead(person)), 200);
    expect(first.status, JSON.stringify(first)).toBe("pending");
    const second = expectStatus(await submitLead(soldTree, (await newPublisher()).apiKey, validLead({ phone: person.phone })), 200);
    expect(second.status, JSON.stringify(second)).toBe("accepted");

    await fireGateNow(treeGate(heldTree));
    let detail = await leadDetail(String(first.leadId));
    for (let i = 0; i < 50 && detail.status === "pending"; i++) detail = await leadDetail(String(first.leadId));
    expect(detail.status).toBe("unsold");
    const secondCycle = detail.trace.filter((entry) => (entry as { cycle?: number }).cycle === 2);
    expect(secondCycle, JSON.stringify(detail.trace)).toMatchObject([{ leadPointId: held.id, phase: "ping", outcome: "skipped" }]);
    expect(secondCycle[0]?.reason).toMatch(/^the buyer bought this consumer on \S+, inside its dedupeDays \(30\)$/);
    expect((await buyerLog(names.held)).map((request) => request.type)).toEqual(["ping"]);
  });
});

describe("the consumer objects", () => {
  it("hold keyed hashes only, and purge arrivals and purchases past every window", async () => {
    const stub = env.CONSUMERS.getByName(consumerObjectName(999));
    const longAgo = Date.now() - 500 * 86_400_000;
    await stub.visit({ keys: [{ field: "email", hash: "a".repeat(64) }], treeId: "t", leadId: "ld_old", leadKey: "k", at: longAgo, keepDays: 30 });
    await stub.recordSales([{ hashes: ["a".repeat(64)], leadId: "ld_old", buyerIds: ["buy_x"], at: longAgo }]);
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, async (_instance, state) => {
      const rows = state.storage.sql.exec<{ n: number }>("SELECT (SELECT COUNT(*) FROM arrivals) + (SELECT COUNT(*) FROM purchases) AS n").one();
      expect(rows.n).toBe(0);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("answer a sale noted before it is recorded, write it with the next batch, and keep one row when it is recorded too", async () => {
    const stub = env.CONSUMERS.getByName(consumerObjectName(997));
    const phone = { field: "phone" as const, hash: unique("p") };
    const sale = { hashes: [phone.hash], leadId: unique("ld"), buyerIds: ["buy_noted"], at: Date.now() };
    await stub.noteSales([sale]);
    const seen = await stub.visit({ keys: [phone], treeId: "t", leadId: unique("ld"), leadKey: unique("k"), at: Date.now(), keepDays: 1 });
    expect(seen.purchases).toEqual([{ buyerId: "buy_noted", at: sale.at }]);
    await runInDurableObject(stub, (instance) => instance.flush());
    await stub.recordSales([sale]);
    await runInDurableObject(stub, (_instance, state) => {
      expect(state.storage.sql.exec("SELECT buyer_id, lead_id FROM purchases WHERE hash = ?", phone.hash).toArray()).toEqual([{ buyer_id: "buy_noted", lead_id: sale.leadId }]);
    });
  });

  it("count a consumer's earlier leads for velocity, a resubmit of the same lead not among them, up to the cap", async () => {
    const stub = env.CONSUMERS.getByName(consumerObjectName(998));
    const keys = [{ field: "phone" as const, hash: unique("h") }];
    const visit = (leadId: string, leadKey: string) => stub.visit({ keys, treeId: "t", leadId, leadKey, at: Date.now(), keepDays: 1 });
    expect((await visit("ld_1", "key-1")).counts).toEqual({ phone: 0 });
    expect((await visit("ld_2", "key-1")).counts).toEqual({ phone: 0 });
    expect((await visit("ld_3", "key-2")).counts).toEqual({ phone: 1 });
    const shared = [{ field: "ip" as const, hash: unique("shared") }];
    const last = await runInDurableObject(stub, async (instance) => {
      for (let i = 0; i < VELOCITY_COUNT_CAP + 1; i++) await instance.visit({ keys: shared, treeId: "t", leadId: `ld_s${i}`, leadKey: `s${i}`, at: Date.now(), keepDays: 1 });
      return instance.visit({ keys: shared, treeId: "t", leadId: "ld_last", leadKey: "last", at: Date.now(), keepDays: 1 });
    });
    expect(last.counts).toEqual({ ip: VELOCITY_COUNT_CAP });
  });

  it("read a key seen hundreds of times key by key, and still find the tree's earlier lead behind them", async () => {
    const stub = env.CONSUMERS.getByName(consumerObjectName(997));
    const office = { field: "ip" as const, hash: unique("office") };
    const now = Date.now();
    const day = 86_400_000;
    const answer = await runInDurableObject(stub, async (instance) => {
      const arrive = (treeId: string, leadId: string, at: number) => instance.visit({ keys: [office], treeId, leadId, leadKey: leadId, at, keepDays: 30 });
      for (let i = 0; i < 300; i++) await arrive("t-other", `ld_old${i}`, now - 5 * day + i);
      await arrive("t-mine", "ld_mine", now - 2 * day);
      for (let i = 0; i < 150; i++) await arrive("t-other", `ld_new${i}`, now - 3_600_000 + i);
      instance.flush();
      return instance.visit({ keys: [office], treeId: "t-mine", leadId: "ld_next", leadKey: "next", at: now, keepDays: 30, duplicates: { fields: ["ip"], days: 30 } });
    });
    expect(answer.counts).toEqual({ ip: VELOCITY_COUNT_CAP });
    expect(answer.earlier).toEqual([{ field: "ip", leadId: "ld_mine", at: now - 2 * day }]);
  });

  it("write a burst of arrivals at once when the batch is full, without waiting for its timer", async () => {
    const written = await runInDurableObject(env.CONSUMERS.getByName(consumerObjectName(996)), async (instance, state) => {
      const burst = unique("burst");
      for (let i = 0; i < 700; i++) {
        const keys = (["phone", "email", "ip"] as const).map((field) => ({ field, hash: `${burst}-${field}-${i}` }));
        await instance.visit({ keys, treeId: "t", leadId: `ld_b${i}`, leadKey: `b${i}`, at: Date.now(), keepDays: 1 });
      }
      return state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM arrivals WHERE hash LIKE ?", `${burst}-%`).one().n;
    });
    // The 667th lead's three keys bring the batch past 2,000 and it is written; the rest wait for the timer.
    expect(written).toBe(667 * 3);
  });

  it("store no phone, email or IP in the clear", async () => {
    const person = consumer();
    const point = await newLeadPoint(unique("plain"), { bid: 500 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const sent = validLead(person);
    const answer = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, sent), 200);
    const leadId = String(answer.leadId);
    const rows: unknown[] = [];
    for (let index = 0; index < 8; index++) {
      await runInDurableObject(env.CONSUMERS.getByName(consumerObjectName(index)), (instance, state) => {
        instance.flush();
        rows.push(...state.storage.sql.exec("SELECT * FROM arrivals WHERE lead_id = ?", leadId).toArray());
      });
    }
    expect(rows.map((row) => (row as { field: string }).field).sort()).toEqual(["email", "ip", "phone"]);
    const text = JSON.stringify(rows);
    for (const clear of [String(person.email), String(person.phone).replace(/\D/g, ""), (sent.consent as { ip: string }).ip]) expect(text).not.toContain(clear);
  });
});
