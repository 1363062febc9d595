import { describe, expect, it } from "vitest";
import { admin, call, expectStatus, leadInD1, newPublisher, newTree, submitLead, validLead } from "../support/exchange";
import { newReturningLeadPoint, returnLead } from "../support/returns";

interface Statement {
  party: string;
  id: string;
  lines: { kind: string; leadId: string; amountCents: number; createdAt: string }[];
  totals: { lines: number; grossCents: number; reversedCents: number; netCents: number };
}

function asPublisher<T>(apiKey: string | undefined, query = "") {
  return call<T>(`/v1/publisher/statement${query}`, { headers: apiKey ? { "x-api-key": apiKey } : {} });
}

/** A publisher paid 60 % of what a buyer bidding 1000 pays, with two sales, one of them returned. */
async function soldTwiceReturnedOnce() {
  const point = await newReturningLeadPoint("pubstatement", { bid: 1000 });
  const publisher = await newPublisher({ type: "revshare", percent: 60 });
  const treeId = await newTree([{ leadPointId: point.id }]);
  const sell = async () => {
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, validLead()), 200);
    expect(answer.status, JSON.stringify(answer)).toBe("accepted");
    await leadInD1(String(answer.leadId));
    return String(answer.leadId);
  };
  const kept = await sell();
  const returned = await sell();
  await returnLead(point.buyerKey, returned);
  return { publisher, kept, returned };
}

describe("GET /v1/publisher/statement", () => {
  it("lists the publisher's payouts and the reversal of a returned lead, with totals and the net, as the operator's statement does", async () => {
    const { publisher, kept, returned } = await soldTwiceReturnedOnce();
    const statement = expectStatus(await asPublisher<Statement>(publisher.apiKey), 200);
    expect(statement.lines.map((line) => [line.kind, line.leadId, line.amountCents])).toEqual([
      ["publisher_payout", kept, 600],
      ["publisher_payout", returned, 600],
      ["payout_reversal", returned, -600],
    ]);
    expect(statement).toMatchObject({ party: "publisher", id: publisher.id, totals: { lines: 3, grossCents: 1200, reversedCents: -600, netCents: 600 } });
    const operators = expectStatus(await admin<Statement>("GET", `/statements?party=publisher&id=${publisher.id}`), 200);
    expect(operators.lines).toEqual(statement.lines);
    expect(operators.totals).toEqual(statement.totals);

    const stranger = await newPublisher();
    expect(expectStatus(await asPublisher<Statement>(stranger.apiKey), 200)).toMatchObject({ lines: [], totals: { netCents: 0 } });
  });

  it("bounds the window (from inclusive, to exclusive) and answers CSV with format=csv", async () => {
    const { publisher, kept } = await soldTwiceReturnedOnce();
    const [first] = expectStatus(await asPublisher<Statement>(publisher.apiKey), 200).lines;
    const at = encodeURIComponent(first?.createdAt ?? "");
    expect(expectStatus(await asPublisher<Statement>(publisher.apiKey, `?to=${at}`), 200).lines).toEqual([]);
    expect(expectStatus(await asPublisher<Statement>(publisher.apiKey, `?from=${at}`), 200).totals.netCents).toBe(600);

    const csv = await asPublisher<string>(publisher.apiKey, "?format=csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = csv.body.trim().split("\r\n").map((row) => row.split(","));
    expect(rows[0]).toEqual(["id", "kind", "saleId", "leadId", "treeId", "amountCents", "createdAt"]);
    expect(rows.slice(1).map((row) => [row[1], row[5]])).toEqual([
      ["publisher_payout", "600"],
      ["publisher_payout", "600"],
      ["payout_reversal", "-600"],
    ]);
    expect(rows[1]?.[3]).toBe(kept);
  });

  it.each([
    ["a window that ends before it starts", "?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from"],
    ["a time that is not one", "?to=tomorrow", "to"],
    ["a format it does not write", "?format=xlsx", "format"],
  ])("refuses %s with 400 naming the parameter", async (_case, query, path) => {
    const publisher = await newPublisher();
    const refused = expectStatus(await asPublisher(publisher.apiKey, query), 400);
    expect(refused).toMatchObject({ error: { code: "validation_failed", fields: [expect.objectContaining({ path }) as unknown] } });
  });

  it("refuses a missing or wrong key with 401", async () => {
    expect(expectStatus(await asPublisher(undefined), 401)).toMatchObject({ error: { code: "unauthorized" } });
    expect(expectStatus(await asPublisher("lt_pub_madeup"), 401)).toMatchObject({ error: { code: "unauthorized" } });
  });
});
