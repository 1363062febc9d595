import { describe, expect, it } from "vitest";
import { buyerLog, buyerUrl, expectStatus, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, unique } from "../support/exchange";

const redirectReason = (status: number) => `the buyer answered with a redirect (${status}); redirects are never followed`;

describe("a buyer's redirect is never followed", () => {
  it("a ping answered with a 307 is a pass, and the URL it points to hears nothing", async () => {
    const [redirecting, elsewhere] = [unique("redir-ping"), unique("elsewhere")];
    const point = await newLeadPoint(redirecting, { bid: 900, location: buyerUrl(elsewhere, { bid: 5000 }) });
    const publisher = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);

    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(answer.status, JSON.stringify(answer)).toBe("declined");
    expect((await buyerLog(redirecting)).map((r) => r.type)).toEqual(["ping"]);
    expect(await buyerLog(elsewhere)).toEqual([]);

    const lead = await leadDetail(String(answer.leadId));
    expect(lead.trace, JSON.stringify(lead.trace)).toMatchObject([{ leadPointId: point.id, phase: "ping", outcome: "error", httpStatus: 307, reason: redirectReason(307) }]);
    expect(lead.sales).toEqual([]);
  });

  it("a post answered with a 307 is a pass: the PII goes nowhere else and the next bid is posted", async () => {
    const [redirecting, elsewhere, runnerUp] = [unique("redir-post"), unique("elsewhere"), unique("runnerup")];
    const points = await Promise.all([
      newLeadPoint(redirecting, { bid: 2000, postLocation: buyerUrl(elsewhere) }),
      newLeadPoint(runnerUp, { bid: 1000 }),
    ]);
    const publisher = await newPublisher();
    const treeId = await newTree(points.map((p) => ({ leadPointId: p.id })));

    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    expect(answer.status, JSON.stringify(answer)).toBe("accepted");
    expect((await buyerLog(redirecting)).map((r) => r.type)).toEqual(["ping", "post"]);
    expect(await buyerLog(elsewhere)).toEqual([]);

    const lead = await leadDetail(String(answer.leadId));
    const posts = lead.trace.filter((t) => t.phase === "post");
    expect(posts, JSON.stringify(lead.trace)).toMatchObject([
      { leadPointId: points[0]?.id, outcome: "error", httpStatus: 307, reason: redirectReason(307) },
      { leadPointId: points[1]?.id, outcome: "accepted" },
    ]);
    expect(lead.sales.map((s) => [s.leadPointId, s.priceCents])).toEqual([[points[1]?.id, 1000]]);
  });
});
