import { describe, expect, it } from "vitest";
import { buyerLog, expectStatus, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, unique } from "../support/exchange";

describe("auction tier through the real Worker", () => {
  it("sells to the highest bid and sends PII only to the winner", async () => {
    const [low, high, mid] = [unique("low"), unique("high"), unique("mid")];
    const points = await Promise.all([newLeadPoint(low, { bid: 500 }), newLeadPoint(high, { bid: 1500 }), newLeadPoint(mid, { bid: 900 })]);
    const publisher = await newPublisher({ type: "revshare", percent: 40 });
    const treeId = await newTree(points.map((p) => ({ leadPointId: p.id })));

    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(answer).toMatchObject({ status: "accepted", payoutCents: 600 });

    const [lowLog, highLog, midLog] = await Promise.all([buyerLog(low), buyerLog(high), buyerLog(mid)]);
    expect(lowLog.map((r) => r.type)).toEqual(["ping"]);
    expect(midLog.map((r) => r.type)).toEqual(["ping"]);
    expect(highLog.map((r) => r.type)).toEqual(["ping", "post"]);
    for (const log of [lowLog, midLog, highLog]) {
      const ping = log[0]?.raw ?? "";
      for (const pii of ["John", "Carver", "gmail.com", "734", "Fifth Avenue", "203.0.113.7", "I agree"]) expect(ping).not.toContain(pii);
    }
    expect(highLog[1]?.body).toMatchObject({ type: "post", priceCents: 1500, fields: { firstName: "John", lastName: "Carver" } });

    const lead = await leadDetail(String(answer.leadId));
    expect(lead.status).toBe("accepted");
    expect(lead.sales).toHaveLength(1);
    expect(lead.sales[0]).toMatchObject({ leadPointId: points[1]?.id, priceCents: 1500, payoutCents: 600, marginCents: 900 });
  });
});
