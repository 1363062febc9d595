import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { expect, it } from "vitest";
import { expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";

it("removes a lead's personal fields once it is past the retention period, and keeps the rest", async () => {
  const point = await newLeadPoint(unique("ret"), { bid: 300 });
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }]);
  const sent = validLead();
  const answer = expectStatus(await submitLead(treeId, publisher.apiKey, sent), 200);
  await leadInD1(String(answer.leadId));

  const days = Number(env.PII_RETENTION_DAYS);
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now() + (days + 1) * 86_400_000, cron: "17 3 * * *" }), env);

  const lead = await leadDetail(String(answer.leadId));
  expect(lead.fields).toEqual({ zip: "10001", city: "New York", state: "NY" });
  expect(lead).toMatchObject({ status: "accepted", consent: { ip: (sent.consent as { ip: string }).ip } });
  expect(lead.sales).toHaveLength(1);
});
