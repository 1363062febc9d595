/**
 * An Idempotency-Key replays the first answer as it was, whatever the tree's
 * answer mode: the same status, Content-Type, Location and body bytes. JSON
 * mode answers byte for byte as it always has.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buyerLog, newLeadPoint, newPublisher, newTree, treeGate, unique, validLead } from "../support/exchange";
import { postJson, shown, type RawAnswer } from "../support/forms";

const pages = { acceptUrl: "https://publisher.example/thanks", declineUrl: "https://publisher.example/sorry" };
const invalid = { email: "maria@@nowhere", phone: "12345" };

async function openTree(response: Record<string, unknown>) {
  const name = unique("replay");
  const point = await newLeadPoint(name, { bid: 1000 });
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }], { response });
  return { name, publisher, treeId };
}

const headersOf = (answer: RawAnswer) => [...answer.headers].filter(([name]) => name !== "idempotent-replay");

describe("an Idempotency-Key replay", () => {
  it.each([
    { name: "a redirect tree's 302 to the accept page", response: { mode: "redirect", ...pages }, lead: {}, status: 302, posts: 1 },
    { name: "a redirect tree's 302 to the error page with its list", response: { mode: "redirect", errorUrl: "https://publisher.example/form", errorList: { type: "tab" } }, lead: invalid, status: 302, posts: 0 },
    { name: "a redirect tree's built-in error page", response: { mode: "redirect" }, lead: invalid, status: 400, posts: 0 },
    { name: "a redirect tree's built-in thank-you page", response: { mode: "redirect" }, lead: {}, status: 200, posts: 1 },
    { name: "an XML tree's sale", response: { mode: "xml" }, lead: {}, status: 200, posts: 1 },
    { name: "an XML tree's validation errors", response: { mode: "xml" }, lead: invalid, status: 400, posts: 0 },
    { name: "a JSON tree's sale", response: { mode: "json" }, lead: {}, status: 200, posts: 1 },
  ])("is $name, byte for byte", async ({ response, lead, status, posts }) => {
    const { name, publisher, treeId } = await openTree(response);
    const body = validLead({ clickId: undefined, ...lead });
    const key = { "idempotency-key": unique("order-") };
    const first = await postJson(treeId, publisher.apiKey, body, key);
    expect(first.status, shown(first)).toBe(status);
    const again = await postJson(treeId, publisher.apiKey, body, key);
    expect(again.headers.get("idempotent-replay"), shown(again)).toBe("true");
    expect({ status: again.status, headers: headersOf(again), text: again.text }).toEqual({ status: first.status, headers: headersOf(first), text: first.text });
    expect((await buyerLog(name)).filter((r) => r.type === "post")).toHaveLength(posts);
  });

  it("of a record kept before answers kept their headers is its JSON body, as it was then", async () => {
    const { publisher, treeId } = await openTree({ mode: "json" });
    const body = validLead({ clickId: undefined });
    const key = unique("order-");
    expect((await postJson(treeId, publisher.apiKey, body, { "idempotency-key": key })).status).toBe(200);
    const kept = '{"leadId":"ld_kept","status":"declined"}';
    await runInDurableObject(treeGate(treeId), (_instance, state) => {
      state.storage.sql.exec("UPDATE idempotency SET response = ? WHERE scope_key = ?", kept, `idempotency|${publisher.id}|${key}`);
    });
    const again = await postJson(treeId, publisher.apiKey, body, { "idempotency-key": key });
    expect([again.status, again.headers.get("content-type"), again.text]).toEqual([200, "application/json", kept]);
  });
});

describe("a JSON tree", () => {
  it("answers a sale and a lead that is not valid exactly as before answer modes", async () => {
    const { publisher, treeId } = await openTree({ mode: "json", acceptUrl: pages.acceptUrl });
    const sold = await postJson(treeId, publisher.apiKey, validLead());
    const { leadId } = JSON.parse(sold.text) as { leadId: string };
    expect([sold.status, sold.headers.get("content-type"), sold.text]).toEqual([200, "application/json", `{"leadId":"${leadId}","status":"accepted","payoutCents":500,"redirectUrl":"${pages.acceptUrl}"}`]);

    const refused = await postJson(treeId, publisher.apiKey, validLead(invalid));
    expect([refused.status, refused.headers.get("content-type"), refused.text]).toEqual([
      400,
      "application/json",
      '{"status":"error","error":{"code":"validation_failed","message":"The lead is not valid.","fields":[{"path":"email","message":"must be a valid email address"},{"path":"phone","message":"must be a possible US phone number"}]}}',
    ]);
  });
});
