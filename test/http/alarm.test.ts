/**
 * The gate schedules its own alarm: these tests read what it set, and fire it
 * only when they must (STYLE.md, "Testing objects that act on their own").
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { leaseMsOf, RUN_CEILING_MS } from "../../src/core/config";
import { buyerLog, expectStatus, finishedLead, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, treeGate, unique, validLead } from "../support/exchange";

const alarmOf = (gate: ReturnType<typeof treeGate>) => runInDurableObject(gate, (_instance, state) => state.storage.getAlarm());
const sql = (gate: ReturnType<typeof treeGate>, query: string) => runInDurableObject(gate, (_instance, state) => void state.storage.sql.exec(query));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the gate's alarm, as the gate sets it", () => {
  it("is set to the run's lease while a lead runs, and after the run to the next thing due: the key's expiry", async () => {
    const name = unique("lease");
    const point = await newLeadPoint(name, { bid: 900, delay: 300 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { maxRuntimeSeconds: 5, uniqueLead: { durationSeconds: 7200, pattern: ["clickId", "treeId"] } });
    const gate = treeGate(treeId);
    const started = Date.now();
    const pending = submitLead(treeId, publisher.apiKey);
    while ((await buyerLog(name)).length === 0) await sleep(10);
    // Lease: every call of a run ends by its ceiling (a started position keeps its whole timeout past the runtime), plus slack.
    const lease = leaseMsOf({ maxRuntimeSeconds: 5 });
    expect(lease).toBe(RUN_CEILING_MS + 5_000);
    const duringRun = await alarmOf(gate);
    expect(duringRun).toBeGreaterThanOrEqual(started + lease);
    expect(duringRun).toBeLessThanOrEqual(Date.now() + lease);
    expectStatus(await pending, 200);

    await runDurableObjectAlarm(gate);
    const after = await alarmOf(gate);
    // Nothing running, nothing held, nothing owed: the next work is the end of the key's two-hour window.
    expect(after).toBeGreaterThanOrEqual(started + 7_200_000);
    expect(after).toBeLessThanOrEqual(Date.now() + 7_200_000);
  });

  it("wakes at a held lead's cycle delay, not the 30 s backstop, and runs its next cycle then", async () => {
    const name = unique("cycle");
    const point = await newLeadPoint(name, { bid: 700, declineFirst: 1 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 2, delaySeconds: 1 } });
    const gate = treeGate(treeId);
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    const answered = Date.now();
    expect(answer.status).toBe("pending");
    const alarm = await alarmOf(gate);
    expect(alarm).not.toBeNull();
    expect(alarm as number).toBeLessThanOrEqual(answered + 1000);
    // The alarm fires on its own once the delay has passed.
    const detail = await finishedLead(String(answer.leadId));
    expect(detail.status).toBe("accepted");
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "ping", "post"]);
  });

  it("backstops an owed D1 write at 30 s", async () => {
    const point = await newLeadPoint(unique("backstop"), { bid: 700 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { maxRuntimeSeconds: 25, uniqueLead: { durationSeconds: 7200, pattern: ["clickId", "treeId"] } });
    const gate = treeGate(treeId);
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    while ((await gate.pendingWrites()).length > 0) await sleep(10);
    // As if the object had lost its memory before the flush: the row is owed and the alarm is all that is left.
    await sql(gate, `UPDATE lead_log SET d1_due_at = ${Date.now() + 30_000} WHERE lead_id = '${String(answer.leadId)}'`);
    await runDurableObjectAlarm(gate);
    const alarm = await alarmOf(gate);
    expect(alarm).toBeGreaterThanOrEqual(Date.now() + 28_000);
    expect(alarm).toBeLessThanOrEqual(Date.now() + 30_000);
  });
});

describe("the gate's alarm, when it fires", () => {
  it("leaves a run that is still alive in the object alone, though its lease ran out", async () => {
    const name = unique("alive");
    const point = await newLeadPoint(name, { bid: 900, delay: 400 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const gate = treeGate(treeId);
    const pending = submitLead(treeId, publisher.apiKey);
    while ((await buyerLog(name)).length === 0) await sleep(10);
    await sql(gate, "UPDATE lead_keys SET lease_until = 0 WHERE state = 'running'");
    await runDurableObjectAlarm(gate);
    const answer = expectStatus(await pending, 200);
    expect(answer.status).toBe("accepted");
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
    expect((await leadDetail(String(answer.leadId))).sales).toHaveLength(1);
  });

  it("does every other lead's work and plans its next wake-up when one lead's work fails", async () => {
    const name = unique("survivor");
    const point = await newLeadPoint(name, { bid: 600, declineFirst: 2 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 2, delaySeconds: 60 } });
    const gate = treeGate(treeId);
    const [broken, held] = await Promise.all([validLead(), validLead()].map(async (lead) => expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200)));
    expect([broken?.status, held?.status]).toEqual(["pending", "pending"]);
    // One held lead's log row cannot be read any more: its re-run throws.
    await sql(gate, `UPDATE lead_log SET lead = '{not json' WHERE lead_id = '${String(broken?.leadId)}'`);
    await sql(gate, "UPDATE lead_log SET next_run_at = 0 WHERE state = 'held'");
    await runDurableObjectAlarm(gate);
    expect((await finishedLead(String(held?.leadId))).status).toBe("accepted");
    expect(await alarmOf(gate)).not.toBeNull();
    // Later files share this runtime: leave no lead whose work fails at every alarm.
    await sql(gate, `DELETE FROM lead_log WHERE lead_id = '${String(broken?.leadId)}'`);
  });
});
