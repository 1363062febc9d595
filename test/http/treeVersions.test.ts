/** A tree's history through the Worker: list its versions, read one whole, compare two, restore an old one by PUT. */
import { describe, expect, it } from "vitest";
import { admin, expectOperatorOnly, expectStatus, newLeadPoint, newPublisher, submitLead, leadDetail, unique } from "../support/exchange";

interface VersionSummary {
  version: number;
  createdAt: string;
  gateShards: number;
  name: string;
  enabled: boolean;
}
interface Version {
  treeId: string;
  version: number;
  gateShards: number;
  document: Record<string, unknown>;
}
interface Diff {
  from: number;
  to: number;
  changes: { path: string; before?: unknown; after?: unknown }[];
}

/** A tree saved three times: a new name, then a longer timeout and a second position. */
async function treeWithHistory() {
  const [a, b] = await Promise.all([newLeadPoint(unique("va"), { bid: 500 }), newLeadPoint(unique("vb"), { bid: 700 })]);
  const treeId = unique("hist");
  const first = { name: "Auto v1", vertical: "auto_insurance", tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: a.id, timeoutSeconds: 2 }] }] };
  const second = { ...first, name: "Auto v2" };
  const third = { ...second, tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: a.id, timeoutSeconds: 3 }, { leadPointId: b.id, timeoutSeconds: 2 }] }] };
  for (const document of [first, second, third]) expectStatus(await admin("PUT", `/ping-trees/${treeId}`, document), document === first ? 201 : 200);
  return { treeId, a, b };
}

describe("operator auth on a tree's history", () => {
  it.each([["/ping-trees/t/versions"], ["/ping-trees/t/versions/1"], ["/ping-trees/t/versions/2/diff"]])("GET %s refuses a missing or wrong token with 401", (path) =>
    expectOperatorOnly("GET", path),
  );
});

describe("GET /v1/admin/ping-trees/:id/versions", () => {
  it("lists every version newest first, with its name, switch and gate count", async () => {
    const { treeId } = await treeWithHistory();
    const { items } = expectStatus(await admin<{ items: VersionSummary[] }>("GET", `/ping-trees/${treeId}/versions`), 200);
    expect(items.map(({ version, name, enabled, gateShards }) => ({ version, name, enabled, gateShards }))).toEqual([
      { version: 3, name: "Auto v2", enabled: true, gateShards: 1 },
      { version: 2, name: "Auto v2", enabled: true, gateShards: 1 },
      { version: 1, name: "Auto v1", enabled: true, gateShards: 1 },
    ]);
    for (const item of items) expect(Date.parse(item.createdAt), JSON.stringify(item)).not.toBeNaN();
  });

  it("answers 404 for a tree that does not exist", async () => {
    expect(expectStatus(await admin("GET", `/ping-trees/${unique("none")}/versions`), 404)).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("GET /v1/admin/ping-trees/:id/versions/:n", () => {
  it("reads a version whole, as PUT validated it, defaults filled in", async () => {
    const { treeId, a } = await treeWithHistory();
    const version = expectStatus(await admin<Version>("GET", `/ping-trees/${treeId}/versions/1`), 200);
    expect(version).toMatchObject({ treeId, version: 1, gateShards: 1 });
    expect(version.document).toMatchObject({ name: "Auto v1", scoreFloor: 50, tiers: [{ positions: [{ leadPointId: a.id, timeoutSeconds: 2, weight: 1 }] }] });
  });

  it.each([
    ["a version past the newest", "/versions/9", 404],
    ["version 0", "/versions/0", 400],
    ["a version that is not a number", "/versions/latest", 400],
  ])("answers %s with %i", async (_case, path, status) => {
    const { treeId } = await treeWithHistory();
    expectStatus(await admin("GET", `/ping-trees/${treeId}${path}`), status);
  });

  it("answers 404 for a tree that does not exist", async () => {
    expectStatus(await admin("GET", `/ping-trees/${unique("none")}/versions/1`), 404);
  });
});

describe("GET /v1/admin/ping-trees/:id/versions/:n/diff", () => {
  it("lists the changed paths from the version before, or from the one named", async () => {
    const { treeId, b } = await treeWithHistory();
    const renamed = expectStatus(await admin<Diff>("GET", `/ping-trees/${treeId}/versions/2/diff`), 200);
    expect(renamed).toMatchObject({ from: 1, to: 2, changes: [{ path: "name", before: "Auto v1", after: "Auto v2" }] });

    const widened = expectStatus(await admin<Diff>("GET", `/ping-trees/${treeId}/versions/3/diff?from=2`), 200);
    expect(widened.changes).toEqual([
      { path: "tiers.0.positions.0.timeoutSeconds", before: 2, after: 3 },
      { path: "tiers.0.positions.1", after: expect.objectContaining({ leadPointId: b.id }) },
    ]);

    const backwards = expectStatus(await admin<Diff>("GET", `/ping-trees/${treeId}/versions/1/diff?from=3`), 200);
    expect(backwards.changes.map((change) => change.path)).toEqual(["name", "tiers.0.positions.0.timeoutSeconds", "tiers.0.positions.1"]);
    expect(expectStatus(await admin<Diff>("GET", `/ping-trees/${treeId}/versions/2/diff?from=2`), 200).changes).toEqual([]);
  });

  it.each([
    ["version 1 without a from", "/versions/1/diff", 400],
    ["a from that is not a number", "/versions/2/diff?from=first", 400],
    ["a from past the newest", "/versions/2/diff?from=7", 404],
    ["a version past the newest", "/versions/8/diff?from=1", 404],
  ])("answers %s with %i", async (_case, path, status) => {
    const { treeId } = await treeWithHistory();
    expect(expectStatus(await admin("GET", `/ping-trees/${treeId}${path}`), status)).toHaveProperty("error");
  });
});

describe("restoring an old version", () => {
  it("re-PUTs its document as the newest version, which the next lead runs on", async () => {
    const { treeId } = await treeWithHistory();
    const first = expectStatus(await admin<Version>("GET", `/ping-trees/${treeId}/versions/1`), 200);
    expect(expectStatus(await admin("PUT", `/ping-trees/${treeId}`, first.document), 200)).toMatchObject({ version: 4, name: "Auto v1" });

    expect(expectStatus(await admin<Diff>("GET", `/ping-trees/${treeId}/versions/4/diff?from=1`), 200).changes).toEqual([]);
    expect(expectStatus(await admin<Diff>("GET", `/ping-trees/${treeId}/versions/4/diff`), 200).changes.map((change) => change.path)).toEqual([
      "name",
      "tiers.0.positions.0.timeoutSeconds",
      "tiers.0.positions.1",
    ]);
    const publisher = await newPublisher();
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
    const detail = await leadDetail(String(answer.leadId));
    expect(detail).toMatchObject({ treeVersion: 4, status: "accepted" });
    expect(detail.trace.map((entry) => entry.leadPointId), "only version 1's one position was pinged").toHaveLength(2);
  });
});
