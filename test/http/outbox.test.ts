/**
 * The gate's D1 outbox under a D1 that fails: the lead is readable from its
 * answer on, one refused entry never holds the batch back, failures back
 * off and wake the alarm, and D1 converges to the gate's log.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dbOf } from "../../src/store/db";
import { leadWithTrace } from "../../src/store/leadRead";
import { gateD1, refusingD1 } from "../support/faults";
import { call, expectStatus, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, treeGate, unique, validLead } from "../support/exchange";

async function openTree() {
  const point = await newLeadPoint(unique("outbox"), { bid: 1300, redirect: "https://buyer.example/done" });
  const publisher = await newPublisher({ type: "revshare", percent: 60 });
  const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 2, delaySeconds: 60 } });
  return { point, publisher, treeId, gate: treeGate(treeId) };
}

interface LogRow extends Record<string, SqlStorageValue> {
  lead_id: string;
  d1_due_at: number | null;
  d1_attempts: number;
}

const owedRows = (gate: ReturnType<typeof treeGate>) =>
  runInDurableObject(gate, (_instance, state) => state.storage.sql.exec<LogRow>("SELECT lead_id, d1_due_at, d1_attempts FROM lead_log WHERE d1_due_at IS NOT NULL").toArray());

describe("while D1 refuses the gate's writes", () => {
  it("a lead is readable with its status, trace, sale and ledger from its answer on, by its publisher and the operator, and reaches D1 once D1 is back", async () => {
    const { publisher, treeId, gate } = await openTree();
    const outage = await gateD1(gate, (real) => refusingD1(real, () => true));

    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    const leadId = String(answer.leadId);
    expect(answer).toMatchObject({ status: "accepted", payoutCents: 780, redirectUrl: "https://buyer.example/done" });
    const status = await call(`/v1/leads/${leadId}`, { headers: { "x-api-key": publisher.apiKey } });
    expect(expectStatus(status, 200)).toEqual(answer);
    const detail = await leadDetail(leadId);
    expect(detail).toMatchObject({ id: leadId, status: "accepted", priceCents: 1300, payoutCents: 780 });
    expect(detail.trace.map((t) => [t.phase, t.outcome])).toEqual([["ping", "accepted"], ["post", "accepted"]]);
    expect(detail.sales).toHaveLength(1);
    expect(detail.ledger.map((e) => [e.kind, e.amountCents])).toEqual([["buyer_charge", 1300], ["margin", 520], ["publisher_payout", 780]]);

    // The write failed and backed off; the gate woke its alarm for the retry, not the 30 s backstop.
    let owed = await owedRows(gate);
    for (let i = 0; i < 100 && owed[0]?.d1_attempts !== 1; i++) owed = await owedRows(gate);
    expect(owed).toEqual([expect.objectContaining({ lead_id: leadId, d1_attempts: 1 })]);
    expect(await leadWithTrace(dbOf(env.DB), leadId)).toBeUndefined();
    const alarm = await runInDurableObject(gate, (_instance, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm as number).toBeLessThanOrEqual((owed[0]?.d1_due_at ?? 0) + 1000);

    await outage.restore();
    await runInDurableObject(gate, (_instance, state) => state.storage.sql.exec("UPDATE lead_log SET d1_due_at = 0 WHERE d1_due_at IS NOT NULL"));
    await runDurableObjectAlarm(gate);
    expect(await gate.pendingWrites()).toEqual([]);
    const stored = await leadWithTrace(dbOf(env.DB), leadId);
    expect(stored).toMatchObject({ status: "accepted", priceCents: 1300 });
    expect(stored?.ledger).toHaveLength(3);
  });

  it("a held lead reads as pending, and its publisher's status follows the gate", async () => {
    const point = await newLeadPoint(unique("heldout"), { decline: 1 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 3, delaySeconds: 60 } });
    const gate = treeGate(treeId);
    const outage = await gateD1(gate, (real) => refusingD1(real, () => true));
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(answer).toEqual({ leadId: answer.leadId, status: "pending" });
    expect(expectStatus(await call(`/v1/leads/${answer.leadId}`, { headers: { "x-api-key": publisher.apiKey } }), 200)).toEqual(answer);
    expect(await leadDetail(String(answer.leadId))).toMatchObject({ status: "pending", sales: [], ledger: [] });
    await outage.restore();
  });
});

describe("a D1 batch with one entry D1 refuses", () => {
  it("writes the others, and backs the refused one off alone: 1 s, then 2 s", async () => {
    const { publisher, treeId, gate } = await openTree();
    const poison = unique("poison");
    const outage = await gateD1(gate, (real) => refusingD1(real, (bound) => bound.includes(poison)));
    const answers = await Promise.all([validLead(), validLead({ clickId: poison }), validLead()].map(async (lead) => expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200)));
    const [good1, bad, good2] = answers.map((answer) => String(answer.leadId));

    let owed = await owedRows(gate);
    for (let i = 0; i < 100 && (owed.length !== 1 || owed[0]?.d1_attempts !== 1); i++) owed = await owedRows(gate);
    expect(owed.map((row) => [row.lead_id, row.d1_attempts])).toEqual([[bad, 1]]);
    for (const id of [good1, good2]) expect(await leadWithTrace(dbOf(env.DB), String(id))).toMatchObject({ status: "accepted" });
    const firstDue = owed[0]?.d1_due_at ?? 0;

    await runInDurableObject(gate, (_instance, state) => state.storage.sql.exec("UPDATE lead_log SET d1_due_at = 0 WHERE d1_due_at IS NOT NULL"));
    const before = Date.now();
    await runDurableObjectAlarm(gate);
    const [again] = await owedRows(gate);
    expect(again?.d1_attempts).toBe(2);
    expect(again?.d1_due_at ?? 0).toBeGreaterThanOrEqual(before + 2000);
    expect(firstDue).toBeGreaterThan(0);

    await outage.restore();
    await runInDurableObject(gate, (_instance, state) => state.storage.sql.exec("UPDATE lead_log SET d1_due_at = 0 WHERE d1_due_at IS NOT NULL"));
    await gate.flush();
    expect(await gate.pendingWrites()).toEqual([]);
    expect(await leadWithTrace(dbOf(env.DB), String(bad))).toMatchObject({ status: "accepted" });
  });
});
