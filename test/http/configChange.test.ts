/**
 * Configuration that changes under traffic: a lead runs on the one snapshot
 * it took when its run started, so it is sold wholly on the old settings or
 * wholly on the new; the next lead uses the new ones; a lead point's cap
 * counts carry across a patch; and a lead records the tree version its run used.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gateName, leadIdAt } from "../../src/core/gateAddress";
import type { Lead } from "../../src/core/lead";
import { getPublisher } from "../../src/store/config";
import { dbOf } from "../../src/store/db";
import { newLeadToken } from "../../src/store/ids";
import { sealed } from "../support/pii";
import { admin, buyerLog, buyerUrl, expectStatus, leadDetail, newBuyer, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";

/** A direct_post lead point at a fixed price, on a simulated buyer that accepts every post. */
async function fixedPricePoint(name: string, priceCents: number, extra: Record<string, unknown> = {}, behaviour: Record<string, string | number> = {}) {
  const buyer = await newBuyer();
  return expectStatus(
    await admin<{ id: string }>("POST", "/lead-points", {
      buyerId: buyer.id,
      name,
      kind: "direct_post",
      post: { url: buyerUrl(name, behaviour) },
      pricing: { type: "fixed", priceCents },
      ...extra,
    }),
    201,
  );
}

const caps = (daily: number) => ({ caps: { timezone: "America/New_York", daily } });

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never: ${what}`);
}

/** What each buyer URL was posted, by lead id. */
async function postsByLead(...names: string[]): Promise<Map<string, { name: string; priceCents: unknown }>> {
  const posts = new Map<string, { name: string; priceCents: unknown }>();
  for (const name of names) {
    for (const request of await buyerLog(name)) {
      const body = request.body as { type: string; leadId: string; priceCents: unknown };
      if (body.type === "post") posts.set(body.leadId, { name, priceCents: body.priceCents });
    }
  }
  return posts;
}

describe("a lead point patched while leads run", () => {
  it("sells each lead wholly on the old settings or wholly on the new, and its daily cap counts the sales on both sides of the patch", async () => {
    const [oldUrl, newUrl] = [unique("mid-old"), unique("mid-new")];
    const cap = 6;
    // Posts to the old URL are held open, so the first wave is mid-run when the patch lands.
    const point = await fixedPricePoint(oldUrl, 1000, caps(cap), { postDelay: 300 });
    const publisher = await newPublisher({ type: "fixed", amountCents: 100 });
    const treeId = await newTree([{ leadPointId: point.id }]);

    const firstWave = Array.from({ length: 3 }, () => submitLead(treeId, publisher.apiKey));
    await until(async () => (await buyerLog(oldUrl)).length === 3, "the first wave's posts reached the buyer");
    expectStatus(await admin("PATCH", `/lead-points/${point.id}`, { post: { url: buyerUrl(newUrl) }, pricing: { type: "fixed", priceCents: 2000 } }), 200);
    const secondWave = Array.from({ length: 6 }, () => submitLead(treeId, publisher.apiKey));
    const answers = (await Promise.all([...firstWave, ...secondWave])).map((response) => expectStatus(response, 200));

    const sold = answers.filter((answer) => answer.status === "accepted");
    expect(sold, "the cap counts the three sold before the patch: three more after it, not six").toHaveLength(cap);
    expect(answers.slice(0, 3).map((answer) => answer.status), "the leads in flight finish on the settings they started with").toEqual(["accepted", "accepted", "accepted"]);
    const posts = await postsByLead(oldUrl, newUrl);
    for (const answer of sold) {
      const detail = await leadDetail(String(answer.leadId));
      const post = posts.get(String(answer.leadId));
      const settings = post?.name === oldUrl ? { name: oldUrl, priceCents: 1000 } : { name: newUrl, priceCents: 2000 };
      expect({ name: post?.name, priceCents: post?.priceCents, sale: detail.sales[0]?.priceCents }, JSON.stringify(detail)).toEqual({ ...settings, sale: settings.priceCents });
    }
    expect([...posts.values()].filter((post) => post.name === newUrl), "every lead after the patch posted to the new URL at the new price").toHaveLength(3);
  });

  it("keeps a full cap full across a patch of other settings, and sells again from the next lead once the cap is raised", async () => {
    const name = unique("cap-carry");
    const point = await fixedPricePoint(name, 1000, caps(2));
    const publisher = await newPublisher({ type: "fixed", amountCents: 100 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const sell = async () => (await leadDetail(String(expectStatus(await submitLead(treeId, publisher.apiKey), 200).leadId))).sales.map((sale) => sale.priceCents);

    expect([await sell(), await sell()]).toEqual([[1000], [1000]]);
    expectStatus(await admin("PATCH", `/lead-points/${point.id}`, { pricing: { type: "fixed", priceCents: 1200 } }), 200);
    expect(await sell(), "the patch did not reset the day's count").toEqual([]);
    expectStatus(await admin("PATCH", `/lead-points/${point.id}`, caps(3)), 200);
    expect(await sell(), "the raised cap is used from the next lead").toEqual([1200]);
    expect(await sell()).toEqual([]);
  });

  it("pays a publisher's new payout from the next lead", async () => {
    const point = await fixedPricePoint(unique("payout"), 1000);
    const publisher = await newPublisher({ type: "revshare", percent: 50 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200).payoutCents).toBe(500);
    expectStatus(await admin("PATCH", `/publishers/${publisher.id}`, { payout: { type: "fixed", amountCents: 150 } }), 200);
    expect(expectStatus(await submitLead(treeId, publisher.apiKey), 200).payoutCents).toBe(150);
  });
});

describe("the tree version a lead records", () => {
  it("is the version its run used, when the tree was saved again after the intake read it", async () => {
    const point = await newLeadPoint(unique("ver"), { bid: 600 });
    const { id: publisherId } = await newPublisher();
    const treeId = await newTree([{ leadPointId: point.id }]);
    const publisher = await getPublisher(dbOf(env.DB), publisherId);
    if (!publisher) throw new Error("the publisher was just created");
    const { clickId: _clickId, consent, ...fields } = validLead();
    const token = newLeadToken();
    const address = { treeId, index: 0 };
    // The lead as the intake built it against version 1 …
    const lead: Lead = {
      id: leadIdAt(token, address),
      treeId,
      treeVersion: 1,
      vertical: "auto_insurance",
      publisherId,
      fields: { ...(fields as Lead["fields"]), city: "New York", state: "NY" },
      consent: consent as Lead["consent"],
      score: 90,
      signals: [],
      receivedAt: new Date().toISOString(),
    };
    // … then the tree is saved again before the gate starts its run.
    const tree = expectStatus(await admin<Record<string, unknown>>("GET", `/ping-trees/${treeId}`), 200);
    expectStatus(await admin("PUT", `/ping-trees/${treeId}`, { name: "renamed", vertical: tree.vertical, tiers: tree.tiers }), 200);

    const admission = await env.LEAD_GATE.getByName(gateName(address)).submit({
      key: `own|${token}`,
      lead,
      stored: await sealed(lead),
      publisherId,
      windowSeconds: 60,
      maxAccepts: 1,
      leaseMs: 30_000,
      publisher,
      screening: { kind: "pass" },
    });
    expect(admission).toMatchObject({ kind: "answered", answer: { status: "accepted" } });
    expect(await leadDetail(lead.id)).toMatchObject({ treeVersion: 2, status: "accepted" });
  });
});
