import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { expect, it } from "vitest";
import { expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";

it("removes a lead's personal fields once it is past the retention period, and keeps the rest", async () => {
  const point = await newLeadPoint(unique("ret"), { bid: 300 });
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }]);
  const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
  await leadInD1(String(answer.leadId));

  const days = Number(env.PII_RETENTION_DAYS);
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days + 1) * 86_400_000, cron: "17 3 * * *" }), env);

  const lead = await leadDetail(String(answer.leadId));
  expect(lead.fields).toEqual({ zip: "10001", city: "New York", state: "NY" });
  expect(lead).toMatchObject({ status: "accepted", consent: { ip: "203.0.113.7" } });
  expect(lead.sales).toHaveLength(1);
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
  const old = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ income: 85_000, vehicles: 2 })), 200);
  await leadInD1(String(old.leadId));
  const stored = await env.DB.prepare("SELECT fields FROM leads WHERE id = ?").bind(String(old.leadId)).first<{ fields: string }>();
  expect(JSON.parse(stored?.fields ?? "{}")).toMatchObject({ income: expect.stringMatching(/^enc:v1:/), vehicles: 2 });
  const ledgerBefore = await env.DB.prepare("SELECT * FROM ledger_entries WHERE lead_id = ? ORDER BY id").bind(String(old.leadId)).all();

  const days = Number(env.PII_RETENTION_DAYS);
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days + 1) * 86_400_000, cron: "17 3 * * *" }), env);

  const lead = await leadDetail(String(old.leadId));
  expect(lead.fields).toEqual({ zip: "10001", city: "New York", state: "NY", vehicles: 2 });
  expect(lead.consent).toMatchObject({ text: "I agree to be contacted by insurance partners.", ip: "203.0.113.7" });
  const ledgerAfter = await env.DB.prepare("SELECT * FROM ledger_entries WHERE lead_id = ? ORDER BY id").bind(String(old.leadId)).all();
  expect(ledgerAfter.results).toEqual(ledgerBefore.results);
  expect(ledgerAfter.results).toHaveLength(3);

  // A lead inside the period keeps every field.
  const young = expectStatus(await submitLead(treeId, publisher.apiKey, validLead({ income: 40_000, vehicles: 1 })), 200);
  await leadInD1(String(young.leadId));
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days - 1) * 86_400_000, cron: "17 3 * * *" }), env);
  expect((await leadDetail(String(young.leadId))).fields).toMatchObject({ firstName: "John", income: 40_000, vehicles: 1 });
});
