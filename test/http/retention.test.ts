import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { expect, it } from "vitest";
import type { Lead } from "../../src/core/lead";
import type { SealedLead } from "../../src/core/piiSeal";
import { createApp } from "../../src/http/app";
import { dbOf } from "../../src/store/db";
import { writeLeadLog } from "../../src/store/leadLog";
import { ADMIN_TOKEN, asBuyer, expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead, type LeadDetail } from "../support/exchange";
import { newReturningLeadPoint, returnLead } from "../support/returns";

/** A buyer that bids highest and refuses the post quoting the consumer, and one that buys it and answers a prefilled page (its key kept, to return the lead). */
async function buyersThatQuote(name: string) {
  const refusing = await newLeadPoint(unique(`${name}ref`), { bid: 500, post: "reject", reason: "we have {email} already" });
  const buying = await newReturningLeadPoint(unique(name), { bid: 300, redirect: "https://buyer.example/welcome?email={email}" });
  return { positions: [{ leadPointId: refusing.id }, { leadPointId: buying.id }], buyerKey: buying.buyerKey };
}

async function boughtLead(buyerKey: string, leadId: string): Promise<Record<string, unknown> | undefined> {
  const page = expectStatus(await asBuyer<{ items: { leadId: string }[] }>(buyerKey, "GET", "/leads"), 200);
  return page.items.find((item) => item.leadId === leadId);
}

it("removes a lead's personal fields, and what its buyers answered quoting the consumer, once it is past the retention period, and keeps the rest", async () => {
  const publisher = await newPublisher();
  const buyers = await buyersThatQuote("ret");
  const treeId = await newTree(buyers.positions);
  const sent = validLead();
  const answer = expectStatus(await submitLead(treeId, publisher.apiKey, sent), 200);
  await leadInD1(String(answer.leadId));
  await returnLead(buyers.buyerKey, String(answer.leadId), `${String(sent.email)} never asked`);
  expect(await boughtLead(buyers.buyerKey, String(answer.leadId))).toMatchObject({ return: { reason: `${String(sent.email)} never asked` } });
  const before = await leadDetail(String(answer.leadId));
  expect(before).toMatchObject({ redirectUrl: `https://buyer.example/welcome?email=${String(sent.email)}`, sales: [{ redirectUrl: expect.any(String) }] });
  expect(before.trace).toContainEqual(expect.objectContaining({ phase: "post", outcome: "declined", reason: `we have ${String(sent.email)} already` }));

  const days = Number(env.PII_RETENTION_DAYS);
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days + 1) * 86_400_000, cron: "17 3 * * *" }), env);

  const lead = await leadDetail(String(answer.leadId));
  expect(lead.fields).toEqual({ zip: "10001", city: "New York", state: "NY" });
  expect(lead).toMatchObject({ status: "accepted", consent: { ip: (sent.consent as { ip: string }).ip } });
  expect(lead).not.toHaveProperty("redirectUrl");
  expect(lead.sales).toEqual([expect.not.objectContaining({ redirectUrl: expect.anything() })]);
  expect(lead.trace.map((entry) => [entry.phase, entry.outcome, entry.reason])).toContainEqual(["post", "declined", undefined]);
  expect(lead.trace).toHaveLength(before.trace.length);
  expect(await boughtLead(buyers.buyerKey, String(answer.leadId))).toMatchObject({ return: { reason: "" } });
});

it("removes the fields a tree marks pii as well (sealed at rest until then), and leaves the ledger and younger leads alone", async () => {
  const point = await newLeadPoint(unique("retpii"), { bid: 300 });
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }], {
    fields: [
      { name: "income", type: "number", pii: true },
      { name: "vehicles", type: "number" },
    ],
  });
  const sent = validLead({ income: 85_000, vehicles: 2 });
  const old = expectStatus(await submitLead(treeId, publisher.apiKey, sent), 200);
  await leadInD1(String(old.leadId));
  const stored = await env.DB.prepare("SELECT fields FROM leads WHERE id = ?").bind(String(old.leadId)).first<{ fields: string }>();
  expect(JSON.parse(stored?.fields ?? "{}")).toMatchObject({ income: expect.stringMatching(/^enc:v1:/), vehicles: 2 });
  const ledgerBefore = await env.DB.prepare("SELECT * FROM ledger_entries WHERE lead_id = ? ORDER BY id").bind(String(old.leadId)).all();

  const days = Number(env.PII_RETENTION_DAYS);
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days + 1) * 86_400_000, cron: "17 3 * * *" }), env);

  const lead = await leadDetail(String(old.leadId));
  expect(lead.fields).toEqual({ zip: "10001", city: "New York", state: "NY", vehicles: 2 });
  expect(lead.consent).toMatchObject({ text: "I agree to be contacted by insurance partners.", ip: (sent.consent as { ip: string }).ip });
  const ledgerAfter = await env.DB.prepare("SELECT * FROM ledger_entries WHERE lead_id = ? ORDER BY id").bind(String(old.leadId)).all();
  expect(ledgerAfter.results).toEqual(ledgerBefore.results);
  expect(ledgerAfter.results).toHaveLength(3);

  // A lead inside the period keeps every field.
  const young = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ income: 40_000, vehicles: 1 })), 200);
  await leadInD1(String(young.leadId));
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days - 1) * 86_400_000, cron: "17 3 * * *" }), env);
  expect((await leadDetail(String(young.leadId))).fields).toMatchObject({ firstName: "John", income: 40_000, vehicles: 1 });
});

it("after a key rotation, re-seals under the new key what the old one sealed, buyers' answers included, so the old key can be dropped", async () => {
  const publisher = await newPublisher();
  const buyers = await buyersThatQuote("rot");
  const treeId = await newTree(buyers.positions);
  const sent = validLead({ firstName: "Rosalind" });
  const answer = expectStatus(await submitLead(treeId, publisher.apiKey, sent), 200);
  const leadId = String(answer.leadId);
  await leadInD1(leadId);
  await returnLead(buyers.buyerKey, leadId, `${String(sent.email)} never asked`);
  const next = "next2:9CZSUmJHklAIoH86iR9P5p44AUgbq/2epC56eoaOQ1w=";
  const stored = async () => {
    const [lead, sales, attempts, returns] = await env.DB.batch([
      env.DB.prepare("SELECT fields, consent, signals, redirect_url FROM leads WHERE id = ?").bind(leadId),
      env.DB.prepare("SELECT redirect_url FROM sales WHERE lead_id = ?").bind(leadId),
      env.DB.prepare("SELECT reason FROM lead_attempts WHERE lead_id = ? AND phase = 'post'").bind(leadId),
      env.DB.prepare("SELECT reason FROM returns WHERE lead_id = ?").bind(leadId),
    ]);
    return [lead, sales, attempts, returns].flatMap((result) => (result?.results ?? []).flatMap((row) => Object.values(row as Record<string, string>))).join("");
  };
  const oldId = String(env.PII_KEY).split(":")[0];
  expect(await stored()).toContain(`enc:v1:${oldId}:`);

  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 3 * * *" }), { ...env, PII_KEY: `${next},${env.PII_KEY}` });

  expect(await stored()).toContain("enc:v1:next2:");
  expect(await stored()).not.toContain(`enc:v1:${oldId}:`);
  const read = await createApp().request(`/v1/admin/leads/${leadId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, { ...env, PII_KEY: next });
  expect(read.status).toBe(200);
  const lead = (await read.json()) as LeadDetail;
  expect(lead).toMatchObject({ fields: { firstName: "Rosalind", zip: "10001" }, consent: { ip: (sent.consent as { ip: string }).ip } });
  expect(lead).toMatchObject({ redirectUrl: `https://buyer.example/welcome?email=${String(sent.email)}`, sales: [{ redirectUrl: `https://buyer.example/welcome?email=${String(sent.email)}` }] });
  expect(lead.trace).toContainEqual(expect.objectContaining({ phase: "post", reason: `we have ${String(sent.email)} already` }));
  const bought = await createApp().request("/v1/buyer/leads", { headers: { authorization: `Bearer ${buyers.buyerKey}` } }, { ...env, PII_KEY: next });
  expect(((await bought.json()) as { items: { leadId: string }[] }).items.find((item) => item.leadId === leadId)).toMatchObject({ return: { reason: `${String(sent.email)} never asked` } });
});

it("seals the PII of a lead D1 holds in the clear from before sealing existed, its tree's pii fields included", async () => {
  const point = await newLeadPoint(unique("legacy"), { bid: 300 });
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }], { fields: [{ name: "income", type: "number", pii: true }] });
  const leadId = `ld_legacy${unique("")}`;
  const legacy: Lead = {
    id: leadId,
    treeId,
    treeVersion: 1,
    vertical: "auto_insurance",
    publisherId: publisher.id,
    fields: { firstName: "Perpetua", email: "perpetua.legacy@gmail.com", zip: "10001", income: 71_234 },
    consent: { text: "I agreed long ago.", textSha256: "00", ip: "198.51.100.77", timestamp: new Date().toISOString() },
    score: 90,
    signals: [{ name: "consent_ip_mismatch", points: -10, detail: "consent came from 198.51.100.77, the lead from 198.51.100.78" }],
    receivedAt: new Date().toISOString(),
  };
  // Written as the exchange wrote leads before it sealed them.
  await writeLeadLog(dbOf(env.DB), { lead: legacy as SealedLead, status: "unsold", ms: 1, completedAt: new Date().toISOString(), trace: [], sales: [] });

  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 3 * * *" }), env);

  const row = await env.DB.prepare("SELECT fields, consent, signals FROM leads WHERE id = ?").bind(leadId).first<Record<string, string>>();
  expect(Object.values(row ?? {}).join("")).not.toMatch(/Perpetua|perpetua\.legacy|71234|198\.51\.100\.7|agreed long ago/);
  expect(JSON.parse(row?.fields ?? "{}")).toMatchObject({ zip: "10001", income: expect.stringMatching(/^enc:v1:/) });
  expect(await leadDetail(leadId)).toMatchObject({ fields: legacy.fields, consent: { text: "I agreed long ago.", ip: "198.51.100.77" }, signals: legacy.signals });
});
