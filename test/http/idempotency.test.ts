/**
 * Idempotency-Key on intake, at its edges: a record is held under a lease
 * like a run, answers a client could act on are kept, our own failures are
 * not, and a record ends with its day.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { IdempotencyStore } from "../../src/objects/gate/idempotency";
import { buyerLog, call, expectStatus, newLeadPoint, newPublisher, newTree, treeGate, unique, validLead } from "../support/exchange";

async function openTree(behaviour: Record<string, string | number> = { bid: 800 }) {
  const name = unique("idem");
  const point = await newLeadPoint(name, behaviour);
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }]);
  const key = unique("order-");
  const send = (body: Record<string, unknown>) =>
    call(`/v1/trees/${treeId}/leads`, {
      method: "POST",
      headers: { "x-api-key": publisher.apiKey, "content-type": "application/json", "idempotency-key": key },
      body: JSON.stringify(body),
    });
  const scope = `idempotency|${publisher.id}|${key}`;
  const onRecord = (query: string) => runInDurableObject(treeGate(treeId), (_instance, state) => void state.storage.sql.exec(query, scope));
  return { name, treeId, send, scope, onRecord };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an Idempotency-Key", () => {
  it("is refused with 409 while its first request is in flight, and replays its answer after", async () => {
    const { name, send } = await openTree({ bid: 800, delay: 400 });
    const lead = validLead({ clickId: undefined });
    const first = send(lead);
    while ((await buyerLog(name)).length === 0) await sleep(10);
    expect(expectStatus(await send(lead), 409)).toMatchObject({ error: { code: "conflict", message: expect.stringContaining("still being processed") } });
    const answer = expectStatus(await first, 200);
    expect(expectStatus(await send(lead), 200)).toEqual(answer);
  });

  it("whose first request died before it ended runs again once the record's lease has run out, instead of 409 for a day", async () => {
    const { name, send, onRecord } = await openTree();
    const lead = validLead({ clickId: undefined });
    const answer = expectStatus(await send(lead), 200);
    // What a request that began and never ended leaves (client gone, deploy): a record without an answer, its lease live…
    await onRecord(`UPDATE idempotency SET status = NULL, response = NULL, lease_until = ${Date.now() + 60_000} WHERE scope_key = ?1`);
    expectStatus(await send(lead), 409);
    // …then over.
    await onRecord("UPDATE idempotency SET lease_until = 0 WHERE scope_key = ?1");
    const retried = expectStatus(await send(lead), 200);
    expect(retried.leadId).not.toBe(answer.leadId);
    expect((await buyerLog(name)).filter((r) => r.type === "post")).toHaveLength(2);
  });

  it("keeps a 4xx answer for replay: the same bad lead gets the same 400", async () => {
    const { send } = await openTree();
    const bad = validLead({ email: "not an email", clickId: undefined });
    const first = expectStatus(await send(bad), 400);
    const again = await send(bad);
    expect(expectStatus(again, 400)).toEqual(first);
    expect(again.headers.get("idempotent-replay")).toBe("true");
  });

  it("keeps no answer of ours that failed: after a 5xx, the key runs again", async () => {
    const { scope, treeId } = await openTree();
    await runInDurableObject(treeGate(treeId), (_instance, state) => {
      const store = new IdempotencyStore(state.storage.sql);
      const now = Date.now();
      expect(store.begin(scope, "h", 30_000, now)).toEqual({ kind: "new" });
      store.end(scope, 503, null);
      expect(store.begin(scope, "h", 30_000, now)).toEqual({ kind: "new" });
    });
  });

  it("ends with its day: an expired record is a new key", async () => {
    const { send, onRecord } = await openTree();
    const lead = validLead({ clickId: undefined });
    const first = expectStatus(await send(lead), 200);
    await onRecord("UPDATE idempotency SET expires_at = 0 WHERE scope_key = ?1");
    const second = expectStatus(await send(lead), 200);
    expect(second.leadId).not.toBe(first.leadId);
  });
});
