import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/buyers/sign";
import { dbOf } from "../../src/store/db";
import { hashKey } from "../../src/store/ids";
import { conversions } from "../../src/store/schema";
import {
  admin,
  asBuyer,
  buyerLog,
  buyerUrl,
  call,
  expectBuyerOnly,
  expectStatus,
  leadDetail,
  leadInD1,
  newBuyer,
  newLeadPoint,
  newTree,
  submitLead,
  unique,
  validLead,
} from "../support/exchange";

interface BoughtLead {
  leadId: string;
  fields: Record<string, unknown>;
  consent: Record<string, unknown>;
  sale: { leadPointId: string; priceCents: number; soldAt: string; buyerLeadId?: string };
  return?: { returnedAt: string; reason: string };
}
type Page = { items: BoughtLead[]; nextCursor?: string };

/** A buyer with one lead point bidding `bid`, a publisher paid half with a postback URL, and a tree selling to it. */
async function market(bid = 1000) {
  const buyer = await newBuyer();
  const postback = unique("postback");
  const point = await newLeadPoint(unique("bought"), { bid, buyerLeadId: "crm-77" }, { buyerId: buyer.id });
  const publisher = expectStatus(
    await admin<{ id: string; apiKey: string }>("POST", "/publishers", { name: unique("pub"), payout: { type: "revshare", percent: 50 }, postbackUrl: buyerUrl(postback) }),
    201,
  );
  const treeId = await newTree([{ leadPointId: point.id }]);
  const sell = async (lead = validLead()) => {
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    expect(answer.status, JSON.stringify(answer)).toBe("accepted");
    const leadId = String(answer.leadId);
    await leadInD1(leadId);
    return leadId;
  };
  return { buyer, point, publisher, postback, sell };
}

async function postbacksOf(name: string, type: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = (await buyerLog(name)).filter((request) => request.body["type"] === type);
    if (found.length) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return [];
}

async function expectQueryRefused(pathAndQuery: string, parameter: string) {
  const buyer = await newBuyer();
  const body = expectStatus(await asBuyer(buyer.apiKey, "GET", pathAndQuery), 400);
  expect(body).toMatchObject({ error: { code: "validation_failed", fields: [expect.objectContaining({ path: parameter }) as unknown] } });
}

describe("buyer authentication", () => {
  it.each([
    ["GET", "/leads"],
    ["POST", "/leads/ld_x/return", { reason: "wrong number" }],
    ["POST", "/leads/ld_x/conversion", { event: "contacted" }],
    ["GET", "/statement"],
  ])("%s %s refuses a missing, made-up or operator credential with 401", (method, path, body?: unknown) => expectBuyerOnly(method, path, body));

  it("refuses a disabled buyer's key, and a key rotated away, with 401", async () => {
    const [disabled, rotated] = await Promise.all([newBuyer(), newBuyer()]);
    expectStatus(await asBuyer(disabled.apiKey, "GET", "/leads"), 200);
    expectStatus(await admin("DELETE", `/buyers/${disabled.id}`), 200);
    expect(expectStatus(await asBuyer(disabled.apiKey, "GET", "/leads"), 401)).toMatchObject({ error: { code: "unauthorized" } });

    expectStatus(await admin("POST", `/buyers/${rotated.id}/rotate-key`), 200);
    expectStatus(await asBuyer(rotated.apiKey, "GET", "/leads"), 401);
  });

  it("refuses a publisher's key with 401", async () => {
    const { publisher } = await market();
    expectStatus(await asBuyer(publisher.apiKey, "GET", "/leads"), 401);
  });
});

describe("GET /v1/buyer/leads", () => {
  it("lists the leads the buyer bought with their whole payload and sale, and not another buyer's", async () => {
    const { buyer, point, sell } = await market(1250);
    const lead = validLead({ firstName: "Ada" });
    const leadId = await sell(lead);
    const page = expectStatus(await asBuyer<Page>(buyer.apiKey, "GET", "/leads"), 200);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      leadId,
      fields: { firstName: "Ada", email: lead["email"], phone: expect.any(String) as unknown },
      consent: { text: (lead["consent"] as { text: string }).text },
      sale: { leadPointId: point.id, priceCents: 1250, buyerLeadId: "crm-77" },
    });
    expect(page.items[0]?.return).toBeUndefined();

    const other = await newBuyer();
    expect(expectStatus(await asBuyer<Page>(other.apiKey, "GET", "/leads"), 200)).toEqual({ items: [] });
  });

  it("pages newest sale first with a cursor, and bounds by when the lead was sold", async () => {
    const { buyer, sell } = await market();
    const first = await sell();
    const second = await sell();
    const firstPage = expectStatus(await asBuyer<Page>(buyer.apiKey, "GET", "/leads?limit=1"), 200);
    expect(firstPage.items.map((item) => item.leadId)).toEqual([second]);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    const secondPage = expectStatus(await asBuyer<Page>(buyer.apiKey, "GET", `/leads?limit=1&cursor=${firstPage.nextCursor}`), 200);
    expect(secondPage).toEqual({ items: [expect.objectContaining({ leadId: first }) as unknown] });

    const soldAt = firstPage.items[0]?.sale.soldAt ?? "";
    const upToFirst = expectStatus(await asBuyer<Page>(buyer.apiKey, "GET", `/leads?to=${encodeURIComponent(secondPage.items[0]?.sale.soldAt ?? "")}`), 200);
    expect(upToFirst.items.map((item) => item.leadId)).toEqual([first]);
    const fromSecond = expectStatus(await asBuyer<Page>(buyer.apiKey, "GET", `/leads?from=${encodeURIComponent(soldAt)}`), 200);
    expect(fromSecond.items.map((item) => item.leadId)).toEqual([second]);
  });

  it.each([
    ["a cursor this API never gave", "cursor=nonsense", "cursor"],
    ["a from that is not a time", "from=yesterday", "from"],
    ["a limit past 500", "limit=501", "limit"],
  ])("refuses %s with 400 naming the parameter", (_case, query, path) => expectQueryRefused(`/leads?${query}`, path));
});

describe("POST /v1/buyer/leads/:leadId/return", () => {
  it("refunds the charge and reverses payout and margin in the lead's ledger, and posts a signed return back to the publisher", async () => {
    const { buyer, publisher, postback, sell } = await market(1000);
    const leadId = await sell();
    const returned = expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "disconnected number" }), 200);
    expect(returned).toEqual({ leadId, returnedAt: expect.any(String) as unknown, reason: "disconnected number", refundCents: 1000 });

    const detail = await leadDetail(leadId);
    const lines = detail.ledger.map((line) => [line.kind, line.partyId, line.amountCents]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ["buyer_charge", buyer.id, 1000],
        ["buyer_refund", buyer.id, -1000],
        ["publisher_payout", publisher.id, 500],
        ["payout_reversal", publisher.id, -500],
        ["margin", "exchange", 500],
        ["margin_reversal", "exchange", -500],
      ]),
    );
    expect(detail.ledger).toHaveLength(6);
    expect(detail.ledger.reduce((sum, line) => sum + line.amountCents, 0)).toBe(0);

    const [notice] = await postbacksOf(postback, "return");
    expect(notice?.body).toMatchObject({ type: "return", leadId, status: "returned", payoutCents: -500, reason: "disconnected number" });
    const secret = await hashKey(publisher.apiKey);
    expect(await verifySignature(secret, notice?.headers["x-leadtree-signature"] ?? "", notice?.raw ?? "", Math.floor(Date.now() / 1000))).toBe(true);

    const page = expectStatus(await asBuyer<Page>(buyer.apiKey, "GET", "/leads"), 200);
    expect(page.items[0]?.return).toEqual({ returnedAt: returned["returnedAt"], reason: "disconnected number" });
  });

  it("returns a lead once: a second return is 409 and writes nothing", async () => {
    const { buyer, sell } = await market();
    const leadId = await sell();
    expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "duplicate" }), 200);
    expect(expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "duplicate" }), 409)).toMatchObject({ error: { code: "conflict" } });
    expect((await leadDetail(leadId)).ledger).toHaveLength(6);
  });

  it("records exactly one of many returns sent at once", async () => {
    const { buyer, sell } = await market();
    const leadId = await sell();
    const statuses = await Promise.all(Array.from({ length: 6 }, () => asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "raced" }).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 409, 409, 409, 409, 409]);
    const detail = await leadDetail(leadId);
    expect(detail.ledger.filter((line) => line.amountCents < 0)).toHaveLength(3);
  });

  it("refuses a return once the buyer's return window has closed with 409", async () => {
    const { buyer, sell } = await market();
    const leadId = await sell();
    expectStatus(await admin("PATCH", `/buyers/${buyer.id}`, { returnWindowHours: 0 }), 200);
    const refused = expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "too late" }), 409);
    expect(refused).toMatchObject({ error: { code: "conflict", message: expect.stringContaining("return window") as unknown } });
    expect((await leadDetail(leadId)).ledger).toHaveLength(3);
  });

  it("answers 404 for a lead another buyer bought, and for one that does not exist", async () => {
    const { sell } = await market();
    const leadId = await sell();
    const stranger = await newBuyer();
    expect(expectStatus(await asBuyer(stranger.apiKey, "POST", `/leads/${leadId}/return`, { reason: "not mine" }), 404)).toMatchObject({ error: { code: "not_found" } });
    expectStatus(await asBuyer(stranger.apiKey, "POST", "/leads/ld_nothing/return", { reason: "not mine" }), 404);
    expect((await leadDetail(leadId)).ledger).toHaveLength(3);
  });

  it.each([
    ["no reason", {}, "reason"],
    ["an empty reason", { reason: "  " }, "reason"],
    ["an unknown field", { reason: "x", refundCents: 5 }, "(body)"],
  ])("refuses a body with %s with 400", async (_case, body, path) => {
    const buyer = await newBuyer();
    const refused = expectStatus(await asBuyer(buyer.apiKey, "POST", "/leads/ld_x/return", body), 400);
    expect(refused).toMatchObject({ error: { code: "validation_failed", fields: [expect.objectContaining({ path }) as unknown] } });
  });

  it("refuses a body that is not JSON with 400 and one of another type with 415", async () => {
    const buyer = await newBuyer();
    const send = (contentType: string, body: string) =>
      call(`/v1/buyer/leads/ld_x/return`, { method: "POST", headers: { authorization: `Bearer ${buyer.apiKey}`, "content-type": contentType }, body });
    expect((await send("application/json", "{nope")).status).toBe(400);
    expect((await send("text/plain", "reason")).status).toBe(415);
  });
});

interface Statement {
  lines: { createdAt: string; kind: string; leadId: string; amountCents: number }[];
  totals: { chargesCents: number; refundsCents: number };
  netCents: number;
}

describe("GET /v1/buyer/statement", () => {
  it("lists the buyer's charges and the refunds of its returns, with totals and the net, and nothing of another buyer", async () => {
    const { buyer, sell } = await market(1000);
    const kept = await sell();
    const returned = await sell();
    expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${returned}/return`, { reason: "wrong number" }), 200);
    const statement = expectStatus(await asBuyer<Statement>(buyer.apiKey, "GET", "/statement"), 200);
    expect(statement.lines.map((line) => [line.kind, line.leadId, line.amountCents])).toEqual([
      ["buyer_charge", kept, 1000],
      ["buyer_charge", returned, 1000],
      ["buyer_refund", returned, -1000],
    ]);
    expect(statement).toMatchObject({ totals: { chargesCents: 2000, refundsCents: -1000 }, netCents: 1000 });

    const stranger = await newBuyer();
    expect(expectStatus(await asBuyer<Statement>(stranger.apiKey, "GET", "/statement"), 200)).toMatchObject({ lines: [], netCents: 0 });
  });

  it("bounds the period: from inclusive, to exclusive", async () => {
    const { buyer, sell } = await market(700);
    await sell();
    const [charge] = expectStatus(await asBuyer<Statement>(buyer.apiKey, "GET", "/statement"), 200).lines;
    const at = encodeURIComponent(charge?.createdAt ?? "");
    expect(expectStatus(await asBuyer<Statement>(buyer.apiKey, "GET", `/statement?from=${at}`), 200).netCents).toBe(700);
    expect(expectStatus(await asBuyer<Statement>(buyer.apiKey, "GET", `/statement?to=${at}`), 200).netCents).toBe(0);
  });

  it("answers the lines as CSV with format=csv", async () => {
    const { buyer, sell } = await market(1000);
    const leadId = await sell();
    expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "duplicate" }), 200);
    const response = await asBuyer<string>(buyer.apiKey, "GET", "/statement?format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = response.body.trim().split("\r\n").map((row) => row.split(","));
    expect(rows[0]).toEqual(["createdAt", "kind", "leadId", "saleId", "amountCents"]);
    expect(rows.slice(1).map((row) => [row[1], row[2], row[4]])).toEqual([
      ["buyer_charge", leadId, "1000"],
      ["buyer_refund", leadId, "-1000"],
    ]);
  });

  it.each([
    ["a period that ends before it starts", "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from"],
    ["a time that is not one", "to=tomorrow", "to"],
    ["a format it does not write", "format=xlsx", "format"],
  ])("refuses %s with 400 naming the parameter", (_case, query, path) => expectQueryRefused(`/statement?${query}`, path));
});

describe("POST /v1/buyer/leads/:leadId/conversion", () => {
  it("records each event kind once per lead (201), a repeat replacing the earlier record (200), and stores them in D1", async () => {
    const { buyer, point, sell } = await market();
    const leadId = await sell();
    const contacted = expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/conversion`, { event: "contacted" }), 201);
    const saleId = `${leadId}:${point.id}`;
    expect(contacted).toEqual({ id: `${saleId}:contacted`, leadId, saleId, buyerId: buyer.id, leadPointId: point.id, event: "contacted", at: expect.any(String) as unknown });
    expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/conversion`, { event: "sold", valueCents: 40_000 }), 201);
    const corrected = expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/conversion`, { event: "sold", valueCents: 45_000 }), 200);
    expect(corrected).toMatchObject({ id: `${saleId}:sold`, event: "sold", valueCents: 45_000 });

    const rows = await dbOf(env.DB).select().from(conversions).where(eq(conversions.leadId, leadId)).orderBy(conversions.event);
    expect(rows.map((row) => [row.event, row.valueCents, row.buyerId, row.leadPointId])).toEqual([
      ["contacted", null, buyer.id, point.id],
      ["sold", 45_000, buyer.id, point.id],
    ]);
  });

  it("answers 409 for a lead the buyer returned, recording nothing", async () => {
    const { buyer, sell } = await market();
    const leadId = await sell();
    expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/return`, { reason: "disconnected number" }), 200);
    const refused = expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/conversion`, { event: "sold", valueCents: 1_000 }), 409);
    expect(refused).toMatchObject({ error: { code: "conflict", message: expect.stringContaining("returned") as unknown } });
    expect(await dbOf(env.DB).select().from(conversions).where(eq(conversions.leadId, leadId))).toEqual([]);
  });

  it("answers 404 for another buyer's lead and for a lead that does not exist, recording nothing", async () => {
    const { sell } = await market();
    const leadId = await sell();
    const other = await newBuyer();
    for (const id of [leadId, "ld_nosuchlead"]) {
      const body = expectStatus(await asBuyer(other.apiKey, "POST", `/leads/${id}/conversion`, { event: "quoted" }), 404);
      expect(body).toMatchObject({ error: { code: "not_found" } });
    }
    expect(await dbOf(env.DB).select().from(conversions).where(eq(conversions.leadId, leadId))).toEqual([]);
  });

  it.each([
    ["an event that is not one of the three", { event: "called" }, "event"],
    ["no event", { valueCents: 100 }, "event"],
    ["a negative value", { event: "sold", valueCents: -1 }, "valueCents"],
    ["a fractional value", { event: "sold", valueCents: 10.5 }, "valueCents"],
    ["an unknown field", { event: "sold", price: 100 }, "(body)"],
  ])("refuses %s with 400", async (_case, body, path) => {
    const { buyer, sell } = await market();
    const leadId = await sell();
    const refused = expectStatus(await asBuyer(buyer.apiKey, "POST", `/leads/${leadId}/conversion`, body), 400);
    expect(refused).toMatchObject({ error: { code: "validation_failed", fields: [expect.objectContaining({ path }) as unknown] } });
  });
});
