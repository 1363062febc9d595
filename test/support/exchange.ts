/**
 * Test helpers that drive the real Worker (exports.default.fetch) with real
 * D1, real Durable Objects and the loopback buyers of buyers.global.ts.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect, inject } from "vitest";
import { gateAddressOfLead, gateName } from "../../src/core/gateAddress";
import { dbOf } from "../../src/store/db";
import { leadWithTrace } from "../../src/store/leadRead";

export const ADMIN_TOKEN = "test-admin-token";
const BASE = "http://leadtree.test";

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, init));
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Non-JSON bodies (HTML docs) stay text.
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

function withBearer<T>(path: string, token: string, method: string, body?: unknown): Promise<JsonResponse<T>> {
  return call<T>(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export function admin<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
  return withBearer<T>(`/v1/admin${path}`, ADMIN_TOKEN, method, body);
}

/** Asserts that a route refuses each of `authorizations` (undefined: no credential) with 401. */
async function expectUnauthorized(authorizations: (string | undefined)[], method: string, path: string, body?: unknown): Promise<void> {
  for (const authorization of authorizations) {
    const response = await call(path, {
      method,
      headers: { ...(authorization ? { authorization } : {}), "content-type": "application/json" },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(expectStatus(response, 401), `${method} ${path} with ${authorization ?? "no credential"}`).toMatchObject({ error: { code: "unauthorized" } });
  }
}

/** Asserts that an operator route refuses a missing token, a wrong one and one in another scheme with 401. */
export function expectOperatorOnly(method: string, path: string, body?: unknown): Promise<void> {
  return expectUnauthorized([undefined, "Bearer wrong-token", `Basic ${ADMIN_TOKEN}`], method, `/v1/admin${path}`, body);
}

/** A call of the buyer API with a buyer's key. */
export function asBuyer<T = Record<string, unknown>>(apiKey: string, method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
  return withBearer<T>(`/v1/buyer${path}`, apiKey, method, body);
}

/** Asserts that a buyer route refuses a missing key, a made-up one, the operator's token and one in another scheme with 401. */
export function expectBuyerOnly(method: string, path: string, body?: unknown): Promise<void> {
  return expectUnauthorized([undefined, "Bearer lt_buy_madeup", `Bearer ${ADMIN_TOKEN}`, "Basic lt_buy_madeup"], method, `/v1/buyer${path}`, body);
}

/** Asserts the status, showing the whole response when it differs. */
export function expectStatus<T>(response: JsonResponse<T>, status: number): T {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export function buyerUrl(name: string, behaviour: Record<string, string | number> = {}): string {
  const query = new URLSearchParams(Object.entries(behaviour).map(([k, v]) => [k, String(v)]));
  return `${inject("buyersUrl")}/buyer/${name}?${query}`;
}

/** `at`: when the buyer received the request (epoch ms), before any delay its URL asks for. */
export async function buyerLog(name: string): Promise<{ type: string; body: Record<string, unknown>; raw: string; headers: Record<string, string>; at: number }[]> {
  const response = await fetch(`${inject("buyersUrl")}/log/${name}`);
  return response.json();
}

export async function newPublisher(payout: unknown = { type: "revshare", percent: 50 }): Promise<{ id: string; apiKey: string }> {
  return expectStatus(await admin<{ id: string; apiKey: string }>("POST", "/publishers", { name: unique("pub"), payout }), 201);
}

export async function newBuyer(): Promise<{ id: string; apiKey: string }> {
  return expectStatus(await admin<{ id: string; apiKey: string }>("POST", "/buyers", { name: unique("buyer") }), 201);
}

/** A ping_post lead point on a simulated buyer; `behaviour` goes in the buyer's URL. */
export async function newLeadPoint(
  name: string,
  behaviour: Record<string, string | number> = {},
  extra: Record<string, unknown> = {},
): Promise<{ id: string; buyerId: string }> {
  // A lead point for a buyer the test made (extra.buyerId), else for a new buyer of its own.
  const buyerId = typeof extra.buyerId === "string" ? extra.buyerId : (await newBuyer()).id;
  const url = buyerUrl(name, behaviour);
  const point = {
    buyerId,
    name,
    kind: "ping_post",
    ping: { url },
    post: { url },
    pricing: { type: "dynamic" },
    ...extra,
  };
  return expectStatus(await admin<{ id: string; buyerId: string }>("POST", "/lead-points", point), 201);
}

export async function newTree(positions: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<string> {
  const treeId = unique("tree");
  const tree = {
    name: treeId,
    vertical: "auto_insurance",
    tiers: [{ name: "main", mode: "auction", positions: positions.map((p) => ({ timeoutSeconds: 2, ...p })) }],
    ...extra,
  };
  expectStatus(await admin("PUT", `/ping-trees/${treeId}`, tree), 201);
  return treeId;
}

/**
 * A lead every check passes, of a consumer not seen before: its own email,
 * phone (a New York line, like its ZIP) and consent IP, so the velocity
 * signals stay quiet however many leads a test file sends.
 */
export function validLead(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const ipBlocks = ["192.0.2", "198.51.100", "203.0.113"];
  return {
    firstName: "John",
    lastName: "Carver",
    email: `john.carver${unique("")}@gmail.com`,
    phone: `(212) 734-${String(counter % 10_000).padStart(4, "0")}`,
    zip: "10001",
    address: "350 Fifth Avenue",
    clickId: unique("clk"),
    consent: { text: "I agree to be contacted by insurance partners.", ip: `${ipBlocks[counter % 3]}.${(counter >> 2) % 250 + 1}`, timestamp: new Date().toISOString() },
    ...overrides,
  };
}

export function submitLead(treeId: string, apiKey: string, lead: Record<string, unknown> = validLead()) {
  return call<Record<string, unknown>>(`/v1/trees/${treeId}/leads`, {
    method: "POST",
    headers: { "x-api-key": apiKey, "content-type": "application/json" },
    body: JSON.stringify(lead),
  });
}

/** The lead as the operator sees it: readable from the moment its publisher has the answer. */
export async function leadDetail(leadId: string): Promise<LeadDetail> {
  return expectStatus(await admin<LeadDetail>("GET", `/leads/${leadId}`), 200);
}

/** The lead once a run the test does not wait on (the gate's alarm) has finished it: its status is no longer pending. */
export async function finishedLead(leadId: string): Promise<LeadDetail> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await admin<LeadDetail>("GET", `/leads/${leadId}`);
    if (response.status === 200 && response.body.status !== "pending") return response.body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`lead ${leadId} never finished`);
}

/** Waits until D1 itself has the lead (the gate writes it there after the answer), for tests of what reads D1 alone. */
export async function leadInD1(leadId: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await leadWithTrace(dbOf(env.DB), leadId)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`lead ${leadId} never reached D1`);
}

export interface LeadDetail {
  id: string;
  status: string;
  score: number;
  fields: Record<string, unknown>;
  consent: Record<string, unknown>;
  priceCents: number;
  payoutCents: number;
  trace: { leadPointId: string; phase: string; outcome: string; bidCents?: number; httpStatus?: number; reason?: string; ms: number }[];
  sales: { leadPointId: string; buyerId: string; priceCents: number; payoutCents: number; marginCents: number }[];
  ledger: { kind: string; partyId: string; amountCents: number; saleId: string }[];
}

/** The gate a lead id names. */
export function gateOfLead(leadId: string) {
  const address = gateAddressOfLead(leadId);
  if (!address) throw new Error(`lead id ${leadId} names no gate`);
  return env.LEAD_GATE.getByName(gateName(address));
}

/** A tree's gate while the tree has one (GATE_SHARDS is 1 in tests unless a tree says otherwise). */
export function treeGate(treeId: string) {
  return env.LEAD_GATE.getByName(gateName({ treeId, index: 0 }));
}

/** Makes every due time of the gate (leases, holds) lie in the past, then fires its alarm. */
export async function fireGateNow(gate: ReturnType<typeof treeGate>): Promise<void> {
  await runInDurableObject(gate, async (_instance, state) => {
    state.storage.sql.exec("UPDATE lead_log SET next_run_at = 0 WHERE state = 'held'");
    state.storage.sql.exec("UPDATE lead_keys SET lease_until = 0 WHERE state = 'running'");
    await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(gate);
}
