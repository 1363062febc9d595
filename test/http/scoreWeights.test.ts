/** The score's weights through the Worker: fit refused and done, compare, activate, a lead scored with the new version, rollback. */
import { describe, expect, it } from "vitest";
import { HAND_SET_POINTS } from "../../src/core/score";
import { admin, expectOperatorOnly, expectStatus, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";
import { seedLabelledLeads, type SeededLead } from "../support/scoreWeights";

interface Summary {
  version: number;
  handSet: boolean;
  active: boolean;
  stats?: { rows: number; positives: number; negatives: number; auc: number; handSetAuc: number };
  points: Record<string, number>;
}
interface Detail extends Summary {
  comparedWith?: number;
  signals: { name: string; points: number; handSetPoints: number; comparedPoints?: number; weight?: number; rows?: number }[];
}
interface Listing {
  activeVersion: number;
  items: Summary[];
}

/** 400 sold leads of January 2020: without an address most were returned, with one few were. */
function outcomes(): SeededLead[] {
  const leads: SeededLead[] = [];
  for (let n = 0; n < 400; n += 1) {
    const missingAddress = n % 2 === 1;
    const bad = missingAddress ? n % 20 < 14 : n % 20 < 2;
    leads.push({
      id: unique("seed"),
      receivedAt: new Date(Date.UTC(2020, 0, 1 + (n % 28), 12, 0, n % 60)).toISOString(),
      signals: missingAddress ? ["address_missing"] : [],
      outcome: bad ? "returned" : n % 3 === 0 ? "converted" : "kept",
    });
  }
  return leads;
}
const january = "from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z";

async function scoredLead(treeId: string, apiKey: string) {
  const answer = expectStatus(await submitLead(treeId, apiKey, validLead({ address: "" })), 200);
  const lead = await leadDetail(String(answer.leadId));
  return lead as typeof lead & { scoreWeightsVersion: number; signals: { name: string; points: number }[] };
}

describe("operator auth on the score weights", () => {
  it.each([
    ["GET", "/score-weights"],
    ["GET", "/score-weights/0"],
    ["POST", "/score-weights/fit"],
    ["POST", "/score-weights/0/activate"],
    ["POST", "/score-weights/rollback"],
  ])("%s %s refuses a missing or wrong token with 401", (method, path) => expectOperatorOnly(method, path));
});

describe("score weights", () => {
  it("refuses to fit too few labelled leads, and has nothing to roll back to, while the hand-set weights stand", async () => {
    const refused = await admin("POST", "/score-weights/fit?from=2019-01-01T00:00:00Z&to=2019-02-01T00:00:00Z");
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(JSON.stringify(refused.body)).toContain("at least 200 labelled leads");
    expect(expectStatus(await admin("POST", "/score-weights/rollback"), 409)).toMatchObject({ error: { code: "conflict" } });
    const listing = expectStatus(await admin<Listing>("GET", "/score-weights"), 200);
    expect(listing.activeVersion).toBe(0);
    expect(listing.items.at(-1)).toMatchObject({ version: 0, handSet: true, active: true, points: HAND_SET_POINTS });
  });

  it("fits the outcomes deterministically, compares, activates, scores a new lead with it, and rolls back", async () => {
    await seedLabelledLeads(outcomes());
    const fitted = expectStatus(await admin<Detail>("POST", `/score-weights/fit?${january}`), 201);
    expect(fitted).toMatchObject({ handSet: false, active: false, stats: { rows: 400, positives: 240, negatives: 160 } });
    const missing = fitted.points.address_missing ?? 0;
    expect(missing).toBeLessThan(HAND_SET_POINTS.address_missing);
    expect(fitted.points.age_minor).toBe(HAND_SET_POINTS.age_minor);
    const again = expectStatus(await admin<Detail>("POST", `/score-weights/fit?${january}`), 201);
    expect(again.version).toBe(fitted.version + 1);
    expect(again.points).toEqual(fitted.points);

    const compared = expectStatus(await admin<Detail>("GET", `/score-weights/${fitted.version}?compare=0`), 200);
    expect(compared.comparedWith).toBe(0);
    expect(compared.signals.find((s) => s.name === "address_missing")).toMatchObject({ points: missing, comparedPoints: HAND_SET_POINTS.address_missing, rows: 200 });
    const listing = expectStatus(await admin<Listing>("GET", "/score-weights"), 200);
    expect(listing.items.map((item) => [item.version, item.active])).toEqual([[again.version, false], [fitted.version, false], [0, true]]);

    const point = await newLeadPoint(unique("sw"), { bid: 300 });
    const [treeId, publisher] = await Promise.all([newTree([{ leadPointId: point.id }], { scoreFloor: 0 }), newPublisher()]);
    const handSet = await scoredLead(treeId, publisher.apiKey);
    expect(handSet.scoreWeightsVersion).toBe(0);

    expect(expectStatus(await admin<Detail>("POST", `/score-weights/${fitted.version}/activate`), 200)).toMatchObject({ version: fitted.version, active: true });
    const scored = await scoredLead(treeId, publisher.apiKey);
    expect(scored.scoreWeightsVersion).toBe(fitted.version);
    expect(scored.signals).toEqual([{ name: "address_missing", points: missing, detail: "no street address given" }]);
    expect(scored.score).toBe(100 + missing);

    expect(expectStatus(await admin<Detail>("POST", "/score-weights/rollback"), 200)).toMatchObject({ version: 0, active: true });
    const rolledBack = await scoredLead(treeId, publisher.apiKey);
    expect(rolledBack.scoreWeightsVersion).toBe(0);
    expect(rolledBack.signals).toEqual([{ name: "address_missing", points: HAND_SET_POINTS.address_missing, detail: "no street address given" }]);
  });

  it.each([
    { name: "an unknown version", path: "/score-weights/999999/activate", status: 404 },
    { name: "a version that is no number", path: "/score-weights/first/activate", status: 400 },
  ])("activating $name is $status", async ({ path, status }) => {
    expect((await admin("POST", path)).status).toBe(status);
  });

  it("comparing with an unknown version is 404", async () => {
    expect((await admin("GET", "/score-weights/0?compare=999999")).status).toBe(404);
  });
});
