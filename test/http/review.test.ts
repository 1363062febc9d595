/**
 * Leads in review: a post left and its answer was lost when the run stopped.
 * The operator lists them and resolves each exactly once; the resolution
 * writes the sale (or none), its ledger lines, the cap count and the postback.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { capCounterName } from "../../src/objects/counter";
import { cutOffRun, inLog } from "../support/cutOff";
import {
  admin,
  buyerLog,
  expectStatus,
  finishedLead,
  gateOfLead,
  leadInD1,
  newLeadPoint,
  newPublisher,
  newTree,
  submitLead,
  unique,
  type LeadDetail,
} from "../support/exchange";

/** A lead whose post to a buyer left and whose answer was lost: the gate's alarm puts it in review. */
async function leadInReview() {
  const postback = unique("postback");
  const caps = { timezone: "UTC", daily: 5 };
  const { point, treeId, gate, lead } = await cutOffRun({ bid: 2000, point: { caps }, payout: { type: "revshare", percent: 40 }, postback, leaseUntil: 0 });
  await env.COUNTER.getByName(capCounterName(point.id)).reserve(`${lead.id}:${point.id}`, caps, Date.now(), 3_600_000);
  await inLog(gate, (log) => log.recordIntent(lead.id, point.id, 2000, Date.now()));
  await runInDurableObject(gate, (_instance, state) => state.storage.setAlarm(Date.now()));
  await runDurableObjectAlarm(gate);
  expect((await finishedLead(lead.id)).status).toBe("review");
  return { point, treeId, lead, postback };
}

const resolve = (leadId: string, body: unknown) => admin<LeadDetail>("POST", `/leads/${leadId}/resolve`, body);

describe("leads in review", () => {
  it("are listed by status, and one resolved as sold gets its sale, ledger, cap count and postback exactly once", async () => {
    const { point, treeId, lead, postback } = await leadInReview();
    await leadInD1(lead.id);
    const listed = expectStatus(await admin<{ items: { id: string; status: string }[] }>("GET", `/leads?status=review&treeId=${treeId}`), 200);
    expect(listed.items).toEqual([expect.objectContaining({ id: lead.id, status: "review" })]);

    const resolved = expectStatus(await resolve(lead.id, { outcome: "sold", leadPointId: point.id, priceCents: 2000 }), 200);
    expect(resolved).toMatchObject({ status: "accepted", priceCents: 2000, payoutCents: 800 });
    expect(resolved.sales).toEqual([expect.objectContaining({ leadPointId: point.id, priceCents: 2000, payoutCents: 800, marginCents: 1200 })]);
    expect(resolved.ledger.map((e) => [e.kind, e.amountCents])).toEqual([["buyer_charge", 2000], ["margin", 1200], ["publisher_payout", 800]]);
    expect(resolved.trace.at(-1)).toMatchObject({ leadPointId: point.id, phase: "post", outcome: "accepted", reason: expect.stringContaining("operator") });

    const again = await resolve(lead.id, { outcome: "unsold" });
    expect(expectStatus(again, 409)).toMatchObject({ error: { code: "conflict" } });
    expect((await finishedLead(lead.id)).sales).toHaveLength(1);

    for (let i = 0; i < 100 && (await buyerLog(postback)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await buyerLog(postback)).map((r) => r.body)).toEqual([expect.objectContaining({ type: "sale", leadId: lead.id, payoutCents: 800 })]);
    expect(await env.COUNTER.getByName(capCounterName(point.id)).used("UTC")).toMatchObject({ daily: 1, total: 1 });
    // D1 has the resolution once the gate's next batch is written: the lead leaves the review list.
    await gateOfLead(lead.id).flush();
    expect(expectStatus(await admin<{ items: unknown[] }>("GET", `/leads?status=review&treeId=${treeId}`), 200).items).toEqual([]);
  });

  it("resolved as unsold: no sale, no ledger line, and its cap unit is given back", async () => {
    const { point, lead, postback } = await leadInReview();
    const resolved = expectStatus(await resolve(lead.id, { outcome: "unsold" }), 200);
    expect(resolved).toMatchObject({ status: "unsold", priceCents: 0, sales: [], ledger: [] });
    expect(await env.COUNTER.getByName(capCounterName(point.id)).used("UTC")).toMatchObject({ daily: 0, total: 0 });
    expect(await buyerLog(postback)).toEqual([]);
  });

  it.each([
    { name: "a lead point with no post awaiting review is a 400 naming leadPointId", body: (point: string) => ({ outcome: "sold", leadPointId: `${point}x`, priceCents: 100 }), status: 400 },
    { name: "a negative price is a 400", body: (point: string) => ({ outcome: "sold", leadPointId: point, priceCents: -1 }), status: 400 },
    { name: "an unknown outcome is a 400", body: () => ({ outcome: "maybe" }), status: 400 },
  ])("$name, and the lead stays in review", async ({ body, status }) => {
    const { point, lead } = await leadInReview();
    const refused = expectStatus(await resolve(lead.id, body(point.id)), status);
    expect(refused).toMatchObject({ error: { code: "validation_failed" } });
    expect((await finishedLead(lead.id)).status).toBe("review");
  });

  it("a lead that is not in review is a 409, and an unknown lead a 404", async () => {
    const point = await newLeadPoint(unique("fine"), { bid: 500 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const publisher = await newPublisher();
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(expectStatus(await resolve(String(answer.leadId), { outcome: "unsold" }), 409)).toMatchObject({ error: { code: "conflict" } });
    expectStatus(await resolve(`ld_00000000000000000000.${treeId}.0`, { outcome: "unsold" }), 404);
  });
});
