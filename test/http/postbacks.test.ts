/**
 * Publisher postbacks through their PostbackSender: recorded, retried with
 * backoff until a 2xx, given up after 24 hours, and every attempt listed for
 * the operator. Time passes by moving the object's stored times back, and
 * the alarm is fired by the test once it has checked what was scheduled.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifySignature } from "../../src/buyers/sign";
import { postbackSenderName } from "../../src/exchange/postback";
import { hashKey } from "../../src/store/ids";
import { admin, buyerLog, buyerUrl, expectOperatorOnly, expectStatus, newLeadPoint, newTree, submitLead, unique } from "../support/exchange";

interface Attempt {
  postbackId: string;
  leadId: string;
  type: string;
  attempt: number;
  at: string;
  httpStatus?: number;
  error?: string;
  outcome: string;
}

type Sender = ReturnType<typeof senderOf>;

const senderOf = (publisherId: string) => env.POSTBACK_SENDER.getByName(postbackSenderName(publisherId));
const alarmOf = (sender: Sender) => runInDurableObject(sender, (_instance, state) => state.storage.getAlarm());

/** As if `ms` had passed: the postback's first attempt and next attempt move that far into the past. */
const timePasses = (sender: Sender, ms: number) =>
  runInDurableObject(sender, (_instance, state) => void state.storage.sql.exec("UPDATE postbacks SET first_at = first_at - ?, due_at = due_at - ?", ms, ms));

/** A publisher whose postback endpoint behaves as `behaviour` says, with one lead sold. */
async function saleWithPostback(behaviour: Record<string, string | number>) {
  const endpoint = unique("postback");
  const publisher = expectStatus(
    await admin<{ id: string; apiKey: string }>("POST", "/publishers", { name: unique("pub"), payout: { type: "fixed", amountCents: 300 }, postbackUrl: buyerUrl(endpoint, behaviour) }),
    201,
  );
  const point = await newLeadPoint(unique("buys"), { bid: 900 });
  const treeId = await newTree([{ leadPointId: point.id }]);
  const answer = expectStatus(await submitLead(treeId, publisher.apiKey), 200);
  expect(answer.status).toBe("accepted");
  return { endpoint, publisher, leadId: String(answer.leadId), sender: senderOf(publisher.id) };
}

/** The publisher's attempts as the operator lists them, once there are `count`. */
async function attemptsOf(publisherId: string, count: number): Promise<Attempt[]> {
  for (let i = 0; i < 250; i++) {
    const page = expectStatus(await admin<{ items: Attempt[] }>("GET", `/postbacks?publisherId=${publisherId}`), 200);
    if (page.items.length >= count) return page.items;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} postback attempts for ${publisherId}`);
}

describe("a publisher's postback", () => {
  it("is retried a minute, then two minutes, after failures, until the publisher answers 2xx, with every attempt listed", async () => {
    const { endpoint, publisher, leadId, sender } = await saleWithPostback({ failFirst: 2 });
    const [first] = await attemptsOf(publisher.id, 1);
    expect(first).toMatchObject({ postbackId: `${leadId}:sale`, attempt: 1, httpStatus: 500, outcome: "retry" });
    const firstRetry = await alarmOf(sender);
    expect(firstRetry).toBeGreaterThanOrEqual(Date.parse(first?.at ?? "") + 60_000);
    expect(firstRetry).toBeLessThanOrEqual(Date.now() + 60_000);

    await timePasses(sender, 60_000);
    expect(await runDurableObjectAlarm(sender)).toBe(true);
    const [second] = await attemptsOf(publisher.id, 2);
    expect(second).toMatchObject({ attempt: 2, httpStatus: 500, outcome: "retry" });
    const secondRetry = await alarmOf(sender);
    expect(secondRetry).toBeGreaterThanOrEqual(Date.parse(second?.at ?? "") + 120_000);
    expect(secondRetry).toBeLessThanOrEqual(Date.now() + 120_000);

    await timePasses(sender, 120_000);
    expect(await runDurableObjectAlarm(sender)).toBe(true);
    const attempts = await attemptsOf(publisher.id, 3);
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [3, 200, "delivered"],
      [2, 500, "retry"],
      [1, 500, "retry"],
    ]);
    expect(await alarmOf(sender)).toBeNull();

    // Each attempt is the same notice, signed anew with the publisher's key hash.
    const received = await buyerLog(endpoint);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.raw)).size).toBe(1);
    const secret = await hashKey(publisher.apiKey);
    const last = received[2];
    expect(await verifySignature(secret, last?.headers["x-leadtree-signature"] ?? "", last?.raw ?? "", Math.floor(Date.now() / 1000))).toBe(true);
  });

  it("is sent once when the publisher answers 2xx at once, and a repeated hand-off sends nothing more", async () => {
    const { endpoint, publisher, leadId, sender } = await saleWithPostback({});
    const [only] = await attemptsOf(publisher.id, 1);
    expect(only).toMatchObject({ leadId, type: "sale", attempt: 1, httpStatus: 200, outcome: "delivered" });
    expect(await alarmOf(sender)).toBeNull();

    const received = await buyerLog(endpoint);
    await sender.deliver({ id: `${leadId}:sale`, publisherId: publisher.id, leadId, type: "sale", url: buyerUrl(endpoint), body: received[0]?.raw ?? "" });
    expect(await buyerLog(endpoint)).toHaveLength(1);
    expect(await attemptsOf(publisher.id, 1)).toHaveLength(1);
  });

  it("is given up, and the give-up recorded, when it still fails 24 hours after the first attempt", async () => {
    const { endpoint, publisher, sender } = await saleWithPostback({ status: 503 });
    await attemptsOf(publisher.id, 1);
    expect(await alarmOf(sender)).not.toBeNull();

    await timePasses(sender, 24 * 3_600_000);
    expect(await runDurableObjectAlarm(sender)).toBe(true);
    const attempts = await attemptsOf(publisher.id, 2);
    expect(attempts.map((a) => [a.attempt, a.httpStatus, a.outcome])).toEqual([
      [2, 503, "gave_up"],
      [1, 503, "retry"],
    ]);
    expect(await alarmOf(sender)).toBeNull();
    expect(await buyerLog(endpoint)).toHaveLength(2);
  });

  it("records an endpoint that gives no answer as an error, without a status", async () => {
    const { publisher } = await saleWithPostback({ close: 1 });
    const [only] = await attemptsOf(publisher.id, 1);
    expect(only?.httpStatus).toBeUndefined();
    expect(only?.error).toBeTruthy();
    expect(only?.outcome).toBe("retry");
  });
});

describe("GET /v1/admin/postbacks", () => {
  it("is the operator's only, and refuses a cursor it did not give", async () => {
    await expectOperatorOnly("GET", "/postbacks");
    const refused = await admin<{ error: { code: string } }>("GET", "/postbacks?cursor=nonsense");
    expect(refused.status).toBe(400);
  });

  it("pages newest first and keeps to the time window", async () => {
    const { publisher, sender } = await saleWithPostback({ failFirst: 1 });
    await attemptsOf(publisher.id, 1);
    await timePasses(sender, 60_000);
    await runDurableObjectAlarm(sender);
    const [newest, oldest] = await attemptsOf(publisher.id, 2);
    const first = expectStatus(await admin<{ items: Attempt[]; nextCursor?: string }>("GET", `/postbacks?publisherId=${publisher.id}&limit=1`), 200);
    expect(first.items).toEqual([newest]);
    const second = expectStatus(await admin<{ items: Attempt[]; nextCursor?: string }>("GET", `/postbacks?publisherId=${publisher.id}&limit=1&cursor=${first.nextCursor}`), 200);
    expect(second.items).toEqual([oldest]);
    expect(second.nextCursor).toBeUndefined();
    const windowed = expectStatus(await admin<{ items: Attempt[] }>("GET", `/postbacks?publisherId=${publisher.id}&to=${encodeURIComponent(oldest?.at ?? "")}`), 200);
    expect(windowed.items).toEqual([oldest]);
  });
});
