/**
 * Every lead that ends without a sale carries its cause (API.md), read back
 * from GET /v1/admin/leads/:id both from the gate's log and from D1.
 */
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { dbOf } from "../../src/store/db";
import { leadWithTrace } from "../../src/store/leadRead";
import { expectStatus, leadDetail, leadInD1, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";

interface CauseCase {
  name: string;
  buyer: Record<string, string | number>;
  position?: Record<string, unknown>;
  point?: Record<string, unknown>;
  tree?: Record<string, unknown>;
  lead?: Record<string, unknown>;
  want: string | undefined;
}

describe("the cause of an unsold lead", () => {
  test.each<CauseCase>([
    { name: "a sold lead has none", buyer: { bid: 900 }, want: undefined },
    { name: "every buyer declined", buyer: { decline: 1 }, want: "all_declined" },
    { name: "every buyer timed out", buyer: { bid: 900, delay: 1500 }, position: { timeoutSeconds: 1 }, want: "all_timed_out" },
    { name: "the winner refused the post", buyer: { bid: 900, post: "reject" }, want: "post_rejected" },
    { name: "the only bid was under the tree's reserve", buyer: { bid: 100 }, tree: { minBidCents: 500 }, want: "below_floor" },
    { name: "no lead point's filters passed", buyer: { bid: 900 }, point: { filters: [{ field: "state", op: "eq", value: "TX" }] }, want: "no_eligible_buyer" },
    { name: "the tree's filter declined it", buyer: { bid: 900 }, tree: { filters: [{ field: "state", op: "eq", value: "TX" }] }, want: "invalid" },
    { name: "its score was under the tree's floor", buyer: { bid: 900 }, tree: { scoreFloor: 90 }, lead: { email: "jc@example.com" }, want: "below_floor" },
  ])("$name", async ({ buyer, position = {}, point = {}, tree = {}, lead = {}, want }) => {
    const leadPoint = await newLeadPoint(unique("cause"), buyer, point);
    const treeId = await newTree([{ leadPointId: leadPoint.id, ...position }], tree);
    const publisher = await newPublisher();
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, validLead(lead)), 200);
    const leadId = String(answer.leadId);

    const shown = (await leadDetail(leadId)) as unknown as Record<string, unknown>;
    expect(shown.cause, JSON.stringify(shown)).toBe(want);
    await leadInD1(leadId);
    const stored = await leadWithTrace(dbOf(env.DB), leadId);
    expect(stored?.cause, JSON.stringify(stored)).toBe(want);
  });
});
