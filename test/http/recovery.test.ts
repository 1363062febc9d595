/**
 * Runs cut off at each step of the write-ahead log. The steps are played
 * directly on the gate's tables and then left unfinished, as a crash would
 * leave them; the gate's alarm (or a resubmit) must finish the lead sold once
 * or safely in review, with every effect of a finished run, and D1 must
 * converge to the gate's log.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SealedLead } from "../../src/core/piiSeal";
import { capCounterName } from "../../src/objects/counter";
import { migrateGateSchema } from "../../src/objects/gate/schema";
import { dbOf } from "../../src/store/db";
import { writeLeadLog, type LeadLogEntry } from "../../src/store/leadLog";
import { cutOffRun, inLog } from "../support/cutOff";
import { buyerLog, expectStatus, finishedLead, leadDetail, unique } from "../support/exchange";

/** The log entry of a lead the cut-off run's buyer bought at 1500 ¢ (publisher 400 ¢). */
function acceptedEntry(lead: SealedLead, point: { id: string; buyerId: string }): LeadLogEntry {
  return {
    lead,
    status: "accepted",
    ms: 12,
    completedAt: new Date().toISOString(),
    trace: [{ leadPointId: point.id, phase: "post", startedAt: new Date().toISOString(), ms: 5, outcome: "accepted", bidCents: 1500 }],
    sales: [{ leadPointId: point.id, buyerId: point.buyerId, priceCents: 1500, payoutCents: 400, marginCents: 1100 }],
  };
}

/**
 * The lease runs out (as it does when the Worker that held it is gone) and the
 * alarm fires. The alarm may fire on its own before runDurableObjectAlarm
 * does, so tests wait for the lead to reach D1 before they read buyer logs.
 */
async function leaseRunsOut(gate: DurableObjectStub): Promise<void> {
  await runInDurableObject(gate, async (_instance, state) => {
    state.storage.sql.exec("UPDATE lead_keys SET lease_until = 0 WHERE state = 'running'");
    await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(gate);
}

describe("a run cut off", () => {
  it("after the lead is logged: the gate runs it again and sells it once", async () => {
    const { name, gate, lead, resubmit } = await cutOffRun();
    await leaseRunsOut(gate);
    const detail = await finishedLead(lead.id);
    const posted = await buyerLog(name);
    expect(posted.map((r) => r.type)).toEqual(["ping", "post"]);
    // The log holds the lead sealed; the re-run opens it: the ping has no PII, the post all of it, in the clear.
    expect(posted[0]?.body.fields).not.toHaveProperty("email");
    expect(posted[1]?.body).toMatchObject({ fields: { firstName: "Ann", email: "ann.reyes@gmail.com", phone: "+12127341188" }, consent: { text: "I agree.", ip: "203.0.113.9" } });
    expect(detail).toMatchObject({ status: "accepted", priceCents: 1500, payoutCents: 400 });
    expect(detail.sales).toHaveLength(1);
    expect(expectStatus(await resubmit(), 200)).toEqual({ leadId: lead.id, status: "accepted", payoutCents: 400 });
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
  });

  it("after the post intent: nothing is posted again and the lead waits for review", async () => {
    const { name, point, gate, lead, resubmit } = await cutOffRun();
    await inLog(gate, (log) => log.recordIntent(lead.id, point.id, 1500, Date.now()));
    await leaseRunsOut(gate);
    // The alarm may have fired on its own and be recovering still: wait for its outcome.
    const detail = await finishedLead(lead.id);
    expect(await buyerLog(name)).toEqual([]);
    expect(detail).toMatchObject({ status: "review", sales: [], ledger: [] });
    expect(detail.trace).toEqual([expect.objectContaining({ leadPointId: point.id, phase: "post", outcome: "error", reason: expect.stringContaining("review") })]);
    expect(expectStatus(await resubmit(), 200)).toEqual({ leadId: lead.id, status: "pending" });
    expect(await buyerLog(name)).toEqual([]);
  });

  it("after the buyer accepted: the sale is settled from the journal, without calling the buyer again", async () => {
    const { name, point, gate, lead, resubmit } = await cutOffRun();
    await inLog(gate, (log) => {
      log.recordIntent(lead.id, point.id, 1500, Date.now());
      log.recordPostAnswer(lead.id, point.id, { kind: "accepted", sale: { leadPointId: point.id, buyerId: point.buyerId, priceCents: 1500, countsTowardsQuota: true } });
    });
    await leaseRunsOut(gate);
    const detail = await finishedLead(lead.id);
    expect(await buyerLog(name)).toEqual([]);
    expect(detail).toMatchObject({ status: "accepted", priceCents: 1500, payoutCents: 400 });
    expect(detail.ledger.map((e) => [e.kind, e.amountCents])).toEqual([
      ["buyer_charge", 1500],
      ["margin", 1100],
      ["publisher_payout", 400],
    ]);
    expect(expectStatus(await resubmit(), 200)).toMatchObject({ leadId: lead.id, status: "accepted" });
  });

  it("before D1 has the batch: the alarm writes it, and a second write doubles nothing", async () => {
    const { point, gate, lead } = await cutOffRun();
    const entry = acceptedEntry(lead, point);
    const queue = () =>
      runInDurableObject(gate, (_instance, state) => {
        const { lead: _lead, trace, ...outcome } = entry;
        state.storage.sql.exec("UPDATE lead_log SET trace = ?, outcome = ?, d1_due_at = 0 WHERE lead_id = ?", JSON.stringify(trace), JSON.stringify(outcome), lead.id);
      });
    await queue();
    await runDurableObjectAlarm(gate);
    await queue();
    await gate.flush();
    await writeLeadLog(dbOf(env.DB), entry);
    const detail = await leadDetail(lead.id);
    expect(detail.sales).toHaveLength(1);
    expect(detail.ledger).toHaveLength(3);
    expect(detail.trace).toHaveLength(1);
    expect(await gate.pendingWrites()).toEqual([]);
  });
});

describe("a recovery settled from the journal", () => {
  it("has every effect of a finished run: the publisher's postback, and the cap reservation committed once", async () => {
    const postback = unique("postback");
    const caps = { timezone: "UTC", daily: 3 };
    const { point, gate, lead } = await cutOffRun({ point: { caps }, postback });
    const token = `${lead.id}:${point.id}`;
    const counter = env.COUNTER.getByName(capCounterName(point.id));
    await counter.reserve(token, caps, Date.now(), 60_000);
    await inLog(gate, (log) => {
      log.recordIntent(lead.id, point.id, 1500, Date.now());
      log.recordPostAnswer(lead.id, point.id, { kind: "accepted", sale: { leadPointId: point.id, buyerId: point.buyerId, priceCents: 1500, countsTowardsQuota: true } });
    });
    // The run had also committed the unit before it stopped: the recovery's commit must not count it twice.
    await counter.commit(token);
    await leaseRunsOut(gate);
    expect(await finishedLead(lead.id)).toMatchObject({ status: "accepted" });
    for (let i = 0; i < 100 && (await buyerLog(postback)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await buyerLog(postback)).map((r) => r.body)).toEqual([expect.objectContaining({ type: "sale", leadId: lead.id, payoutCents: 400 })]);
    expect(await counter.used("UTC")).toMatchObject({ daily: 1, total: 1 });
  });
});

describe("a stopped run met by resubmits", () => {
  it("is recovered by a resubmit once its lease has run out, and sold once however many resubmit at the same time", async () => {
    const { name, lead, resubmit } = await cutOffRun({ leaseUntil: Date.now() - 1 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => resubmit()));
    const bodies = answers.map((answer) => expectStatus(answer, 200));
    expect(bodies.every((body) => body.leadId === lead.id && body.status === "accepted"), JSON.stringify(bodies)).toBe(true);
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
    expect((await finishedLead(lead.id)).sales).toHaveLength(1);
  });

  it("is told to retry while the run's lease is still live and no run of it is in the object", async () => {
    const { name, resubmit } = await cutOffRun();
    const refused = await resubmit();
    expect(expectStatus(refused, 409)).toMatchObject({ error: { code: "conflict", message: expect.stringContaining("retry") } });
    expect(await buyerLog(name)).toEqual([]);
  });
});

describe("a gate whose tables predate the current log", () => {
  it("gains the missing columns and keeps every D1 write its old outbox owed", async () => {
    const { point, gate, lead } = await cutOffRun();
    const entry = acceptedEntry(lead, point);
    const tables = await runInDurableObject(gate, (_instance, state) => {
      const { sql } = state.storage;
      // The first gate's shape: a bare lead log and intents, and a full copy of each finished entry in an outbox.
      sql.exec(`
        DROP TABLE lead_log;
        DROP TABLE post_intents;
        CREATE TABLE lead_log (lead_id TEXT PRIMARY KEY, key TEXT NOT NULL, lead TEXT NOT NULL, state TEXT NOT NULL, received_at INTEGER NOT NULL);
        CREATE TABLE post_intents (lead_id TEXT NOT NULL, lead_point_id TEXT NOT NULL, price_cents INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (lead_id, lead_point_id));
        CREATE TABLE outbox (lead_id TEXT PRIMARY KEY, entry TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL);
      `);
      sql.exec("INSERT INTO lead_log (lead_id, key, lead, state, received_at) VALUES (?, 'k', ?, 'done', 0)", lead.id, JSON.stringify(lead));
      sql.exec("INSERT INTO outbox (lead_id, entry, attempts, next_at) VALUES (?, ?, 0, 0)", lead.id, JSON.stringify(entry));
      migrateGateSchema(sql);
      const columns = (table: string) => sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().map((row) => row.name);
      return {
        names: sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").toArray().map((row) => row.name),
        log: columns("lead_log"),
        intents: columns("post_intents"),
      };
    });
    expect(tables.names).not.toContain("outbox");
    expect(tables.log).toEqual(expect.arrayContaining(["publisher_id", "cycle", "trace", "next_run_at", "expires_at", "outcome", "log_seq", "d1_due_at", "d1_attempts"]));
    expect(tables.intents).toEqual(expect.arrayContaining(["outcome", "sale"]));
    expect(await gate.pendingWrites()).toEqual([lead.id]);
    await gate.flush();
    expect(await gate.pendingWrites()).toEqual([]);
    const detail = await leadDetail(lead.id);
    expect(detail).toMatchObject({ status: "accepted", priceCents: 1500, payoutCents: 400 });
    expect(detail.trace).toHaveLength(1);
    expect(detail.ledger).toHaveLength(3);
  });
});
