/** The unique-lead key: whose lead it is, how its accepts add up, and where its gate is when the gate count changes. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { gateAddressOfLead } from "../../src/core/gateAddress";
import { admin, buyerLog, expectStatus, finishedLead, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, treeGate, unique, validLead } from "../support/exchange";

describe("the unique-lead key", () => {
  it("keeps another publisher's lead with the same click id as its own lead, run and sold on its own", async () => {
    const name = unique("both");
    const point = await newLeadPoint(name, { bid: 1200, redirect: "https://buyer.example/a" });
    const [first, second] = await Promise.all([newPublisher(), newPublisher()]);
    const treeId = await newTree([{ leadPointId: point.id }]);
    const clickId = unique("shared");
    const answerA = expectStatus(await submitLead(treeId, first.apiKey, validLead({ clickId })), 200);
    const answerB = expectStatus(await submitLead(treeId, second.apiKey, validLead({ clickId })), 200);
    expect(answerB.leadId).not.toBe(answerA.leadId);
    expect(answerB).toMatchObject({ status: "accepted" });
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post", "ping", "post"]);
    expect(await leadDetail(String(answerB.leadId))).toMatchObject({ publisherId: second.id, clickId });
  });

  it("adds a key's accepts up across its runs and never offers it again to a buyer that bought it (maxAcceptsPerLead 2)", async () => {
    const [a, b, c] = [unique("first"), unique("refuses"), unique("later")];
    const points = await Promise.all([
      newLeadPoint(a, { bid: 1000 }),
      newLeadPoint(b, { bid: 900, post: "reject" }),
      newLeadPoint(c, { bid: 500, declineFirst: 1 }),
    ]);
    const publisher = await newPublisher();
    const treeId = await newTree(points.map((p) => ({ leadPointId: p.id })), { maxAcceptsPerLead: 2 });
    const lead = validLead();

    const run1 = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(run1).toMatchObject({ status: "accepted" });
    const run2 = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(run2).toMatchObject({ status: "accepted" });
    expect(run2.leadId).not.toBe(run1.leadId);
    const detail2 = await leadDetail(String(run2.leadId));
    expect(detail2.sales.map((s) => s.leadPointId)).toEqual([points[2]?.id]);
    expect(detail2.trace.find((t) => t.leadPointId === points[0]?.id)).toMatchObject({ outcome: "skipped", reason: "the buyer already bought this lead" });

    // Two accepts: the key is sold out, and a third submit replays the last answer.
    expect(expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200)).toEqual(run2);
    expect((await buyerLog(a)).map((r) => r.type)).toEqual(["ping", "post"]);
    expect((await buyerLog(b)).map((r) => r.type)).toEqual(["ping", "post", "ping", "post"]);
    expect((await buyerLog(c)).map((r) => r.type)).toEqual(["ping", "ping", "post"]);
  });
});

describe("the tree's gate count", () => {
  it("is recorded with the tree version, and a duplicate inside its window meets the gate that admitted the first lead after the count changes", async () => {
    const name = unique("moved");
    const point = await newLeadPoint(name, { bid: 800 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    // Under one gate every key is on gate 0.
    const leads = Array.from({ length: 8 }, () => validLead());
    const before = await Promise.all(leads.map(async (lead) => expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200)));
    expect(before.map((answer) => gateAddressOfLead(String(answer.leadId))?.index)).toEqual(Array(8).fill(0));

    const tree = expectStatus(await admin<{ version: number; gateShards: number }>("GET", `/ping-trees/${treeId}`), 200);
    expect(tree).toMatchObject({ version: 1, gateShards: 1 });
    const document = { name: treeId, vertical: "auto_insurance", gateShards: 64, tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: point.id, timeoutSeconds: 2 }] }] };
    expect(expectStatus(await admin("PUT", `/ping-trees/${treeId}`, document), 200)).toMatchObject({ version: 2, gateShards: 64, gateShardHistory: [{ shards: 1 }] });

    const again = await Promise.all(leads.map(async (lead) => expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200)));
    expect(again).toEqual(before);
    expect((await buyerLog(name)).filter((r) => r.type === "post")).toHaveLength(8);

    // New keys spread over the new count.
    const fresh = await Promise.all(Array.from({ length: 8 }, async () => expectStatus(await submitLead(treeId, publisher.apiKey, validLead()), 200)));
    expect(new Set(fresh.map((answer) => gateAddressOfLead(String(answer.leadId))?.index)).size).toBeGreaterThan(1);
  });
});

describe("a held lead whose key's window has ended", () => {
  it("runs its next cycle on its own: a new lead of the same key runs apart, and its waiters get its answer, not the old lead's", async () => {
    const name = unique("oldheld");
    const point = await newLeadPoint(name, { bid: 900, declineFirst: 1, delay: 300 });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }], { cycles: { max: 2, delaySeconds: 60 }, uniqueLead: { durationSeconds: 1, pattern: ["clickId", "treeId"] } });
    const lead = validLead();
    const held = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(held.status).toBe("pending");
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // The old lead's next cycle starts first, then two submits of the same click arrive while it runs.
    const gate = treeGate(treeId);
    await runInDurableObject(gate, async (_instance, state) => {
      state.storage.sql.exec("UPDATE lead_log SET next_run_at = 0 WHERE state = 'held'");
      await state.storage.setAlarm(Date.now());
    });
    const rerun = runDurableObjectAlarm(gate);
    while ((await buyerLog(name)).length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const [first, second] = await Promise.all([submitLead(treeId, publisher.apiKey, lead), submitLead(treeId, publisher.apiKey, lead)]);
    await rerun;
    const answers = [expectStatus(first, 200), expectStatus(second, 200)];
    expect(answers[0]?.leadId).not.toBe(held.leadId);
    expect(answers[1], JSON.stringify(answers)).toEqual(answers[0]);
    expect((await finishedLead(String(held.leadId))).status).toBe("accepted");
  });
});
