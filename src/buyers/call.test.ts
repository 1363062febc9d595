import { describe, expect, test } from "vitest";
import { LeadPointInputSchema, type LeadPoint } from "../core/config";
import { pingLeadPoint, pingTargetOf, postLeadPoint } from "./call";
import { createBuyerClient } from "./client";
import { verifySignature } from "./sign";
import type { PingMessage, PostMessage } from "./wire";

const secret = "whsec_0123456789";

function leadPoint(extra: Record<string, unknown> = {}): LeadPoint {
  const input = LeadPointInputSchema.parse({
    buyerId: "buyer_1",
    name: "Solar CA",
    kind: "ping_post",
    ping: { url: "https://buyer.example/ping", secret, headers: { Authorization: "Bearer k" } },
    post: { url: "https://buyer.example/post", secret },
    pricing: { type: "dynamic" },
    ...extra,
  });
  return { ...input, id: "lp_1" };
}

const ping: PingMessage = { leadId: "lead_1", treeId: "tree_1", vertical: "solar", score: 80, fields: { state: "CA" }, allowedResponseMs: 1000 };
const post: PostMessage = {
  ...ping,
  fields: { state: "CA", email: "a@b.example" },
  consent: { text: "I agree.", textSha256: "826ff0dab649a97ffdd7779a332accafb35cc161012253a19383db19289d6e02", ip: "203.0.113.9", timestamp: "2026-11-28T12:00:00.000Z" },
  priceCents: 1250,
  pingToken: "tok",
};

/** One canned answer per client, and the request it was sent. */
function buyer(answer: () => Promise<Response>) {
  const seen: Request[] = [];
  const client = createBuyerClient({
    fetch: async (input, init) => {
      seen.push(new Request(input, init));
      return answer();
    },
  });
  return { client, seen };
}

const json = (body: unknown, status = 200) => () => Promise.resolve(Response.json(body, { status }));
const redirect = (status: number) => () => Promise.resolve(new Response(null, { status, headers: { location: "https://elsewhere.example/take-it" } }));
const later = () => Date.now() + 5_000;

describe("pingLeadPoint", () => {
  test.each([
    { name: "a bid", answer: json({ accept: true, bidCents: 1250, pingToken: "t" }), expected: { kind: "bid", bidCents: 1250, pingToken: "t", httpStatus: 200 } },
    { name: "a decline keeps its reason", answer: json({ accept: false, reason: "full" }), expected: { kind: "noBid", reason: "full", httpStatus: 200 } },
    { name: "a non-2xx status is a transport error", answer: json({ accept: true, bidCents: 5 }, 503), expected: { kind: "transportError", reason: "HTTP 503", httpStatus: 503 } },
    { name: "an unreadable answer is a transport error with its cause", answer: () => Promise.resolve(new Response("oops")), expected: { kind: "transportError", reason: "answer is not valid JSON", httpStatus: 200 } },
    { name: "a missing accept is a transport error", answer: json({ bid: 3 }), expected: { kind: "transportError", reason: "answer has no boolean accept", httpStatus: 200 } },
    { name: "a refused connection has no status", answer: () => Promise.reject(new TypeError("refused")), expected: { kind: "transportError", reason: "refused" } },
    { name: "a redirect is a pass, never followed", answer: redirect(307), expected: { kind: "transportError", reason: "the buyer answered with a redirect (307); redirects are never followed", httpStatus: 307 } },
  ])("$name", async ({ answer, expected }) => {
    const { client, seen } = buyer(answer);
    const attempt = await pingLeadPoint(client, leadPoint(), ping, later());
    expect(seen.map((request) => request.redirect)).toEqual(["manual"]);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({ leadPointId: "lp_1", ...expected });
    expect(Date.parse(attempt.startedAt)).not.toBeNaN();
    expect(attempt.ms).toBeGreaterThanOrEqual(0);
    if (!("httpStatus" in expected)) expect(attempt).not.toHaveProperty("httpStatus");
  });

  test("a buyer silent past the deadline is a timeout", async () => {
    const { client } = buyer(() => new Promise<Response>(() => {}));
    const attempt = await pingLeadPoint(client, leadPoint(), ping, Date.now() + 20);
    expect(attempt).toMatchObject({ kind: "timeout", leadPointId: "lp_1" });
    expect(attempt).not.toHaveProperty("httpStatus");
  });

  test("sends the rendered body with content type, endpoint headers and a signature that verifies", async () => {
    const { client, seen } = buyer(json({ accept: false }));
    await pingLeadPoint(client, leadPoint(), ping, later());
    const request = seen[0];
    if (!request) throw new Error("nothing was sent");
    const body = await request.text();
    expect(request.url).toBe("https://buyer.example/ping");
    expect(JSON.parse(body)).toEqual({ type: "ping", leadId: "lead_1", treeId: "tree_1", vertical: "solar", score: 80, fields: { state: "CA" } });
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("authorization")).toBe("Bearer k");
    const signature = request.headers.get("x-leadtree-signature") ?? "";
    expect(await verifySignature(secret, signature, body, Math.floor(Date.now() / 1000))).toBe(true);
  });

  test("a ping shard's target is the point's id, kind and ping endpoint only, and sends the same signed request", async () => {
    const point = leadPoint({ bidRules: [{ name: "evening", when: [{ field: "hour", op: "gte", value: 18 }], adjustCents: 100 }], dedupeDays: 30 });
    const target = pingTargetOf(point);
    expect(target).toEqual({ id: "lp_1", kind: "ping_post", ping: point.ping });
    const sent = await Promise.all(
      [point, target].map(async (each) => {
        const { client, seen } = buyer(json({ accept: true, bidCents: 700 }));
        expect(await pingLeadPoint(client, each, ping, later())).toMatchObject({ kind: "bid", bidCents: 700, leadPointId: "lp_1" });
        const request = seen[0] as Request;
        const body = await request.text();
        expect(await verifySignature(secret, request.headers.get("x-leadtree-signature") ?? "", body, Math.floor(Date.now() / 1000))).toBe(true);
        return { url: request.url, body, authorization: request.headers.get("authorization") };
      }),
    );
    expect(sent[1]).toEqual(sent[0]);
  });

  test("an endpoint's Content-Type replaces ours, and cannot replace the signature", async () => {
    const point = leadPoint({
      ping: { url: "https://buyer.example/ping", format: "xml", secret, headers: { "content-type": "text/xml", "X-Leadtree-Signature": "forged" } },
    });
    const { client, seen } = buyer(() => Promise.resolve(new Response("<r><accept>false</accept></r>", { headers: { "content-type": "text/xml" } })));
    const attempt = await pingLeadPoint(client, point, ping, later());
    expect(attempt.kind).toBe("noBid");
    expect(seen[0]?.headers.get("content-type")).toBe("text/xml");
    expect(seen[0]?.headers.get("x-leadtree-signature")).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  test("an endpoint without a secret is not signed", async () => {
    const point = leadPoint({ ping: { url: "https://buyer.example/ping" } });
    const { client, seen } = buyer(json({ accept: true }));
    expect(await pingLeadPoint(client, point, ping, later())).toMatchObject({ kind: "bid", bidCents: undefined });
    expect(seen[0]?.headers.has("x-leadtree-signature")).toBe(false);
  });

  test("is never called for a direct_post lead point: doing so is a caller bug and throws", async () => {
    const point = leadPoint({ kind: "direct_post", ping: undefined, pricing: { type: "fixed", priceCents: 900 } });
    const { client, seen } = buyer(json({ accept: true }));
    await expect(pingLeadPoint(client, point, ping, later())).rejects.toThrow(/no ping endpoint/);
    expect(seen.length).toBe(0);
  });
});

describe("postLeadPoint", () => {
  test.each([
    { name: "accepted with redirect and buyer id", answer: json({ accept: true, redirectUrl: "https://buyer.example/thanks", buyerLeadId: "B1" }), expected: { kind: "accepted", redirectUrl: "https://buyer.example/thanks", buyerLeadId: "B1", httpStatus: 200 } },
    { name: "rejected with a reason", answer: json({ accept: false, reason: "duplicate" }), expected: { kind: "rejected", reason: "duplicate", httpStatus: 200 } },
    { name: "a 500 is a transport error", answer: json({ accept: true }, 500), expected: { kind: "transportError", reason: "HTTP 500", httpStatus: 500 } },
    { name: "garbage is a transport error", answer: () => Promise.resolve(new Response("<html>")), expected: { kind: "transportError", reason: "answer is not well-formed XML", httpStatus: 200 } },
    { name: "a redirect is a pass, never followed", answer: redirect(308), expected: { kind: "transportError", reason: "the buyer answered with a redirect (308); redirects are never followed", httpStatus: 308 } },
  ])("$name", async ({ answer, expected }) => {
    const { client, seen } = buyer(answer);
    const attempt = await postLeadPoint(client, leadPoint(), post, later());
    expect(seen.map((request) => request.redirect)).toEqual(["manual"]);
    expect(attempt, JSON.stringify(attempt)).toMatchObject({ leadPointId: "lp_1", ...expected });
    const body: unknown = JSON.parse((await seen[0]?.text()) ?? "");
    expect(body).toEqual({ type: "post", leadId: "lead_1", pingToken: "tok", priceCents: 1250, score: 80, fields: post.fields, consent: post.consent });
  });

  test("a post that times out is a timeout", async () => {
    const { client } = buyer(() => new Promise<Response>(() => {}));
    expect(await postLeadPoint(client, leadPoint(), post, Date.now() + 20)).toMatchObject({ kind: "timeout", leadPointId: "lp_1" });
  });
});
