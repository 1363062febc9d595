import { Hono } from "hono";

// The baseline of the benchmark: the least a Worker can do to sell a lead to
// the best of a set of buyers. It pings every buyer at once, each under its
// own deadline measured from the auction's start, posts the lead to the best
// bid and falls to the next bid on a post refusal, exactly as leadtree's
// auction tier does, and nothing else: no validation, scoring, storage, gate
// or ledger. Its buyers come from its vars (`BUYER_URLS`, comma-separated,
// and `TIMEOUT_MS`), so it keeps no state that a reload could lose;
// `POST /leads?buyers=N` runs an auction over the first N of them.
// By default it fans out naively (wrangler dev does not enforce production's
// six connections waiting for headers per invocation); with
// `MAX_WAITING_FOR_HEADERS` set, a ping past that many waits, as production
// would make it, until one of the earlier ones has its headers.

type Bindings = { BUYER_URLS?: string; TIMEOUT_MS?: string; MAX_WAITING_FOR_HEADERS?: string };
type Buyer = { url: string; timeoutMs: number };
type Bid = { buyer: Buyer; bidCents: number; pingToken?: string };

const PII = new Set(["firstName", "lastName", "email", "phone", "address", "dateOfBirth", "ip", "consent"]);

let parsed: { source: string; buyers: Buyer[] } | undefined;

function buyersOf(env: Bindings): Buyer[] {
  const source = `${env.BUYER_URLS ?? ""}|${env.TIMEOUT_MS ?? ""}`;
  if (parsed?.source !== source) {
    const timeoutMs = Number(env.TIMEOUT_MS ?? "1000");
    const urls = (env.BUYER_URLS ?? "").split(",").filter((url) => url.length > 0);
    parsed = { source, buyers: urls.map((url) => ({ url, timeoutMs })) };
  }
  return parsed.buyers;
}

/** One invocation's connections waiting for headers: a fetch past the cap waits for a slot. */
type Slots = { take(): Promise<void>; give(): void };

const UNLIMITED: Slots = { take: () => Promise.resolve(), give: () => {} };

function slotsOf(env: Bindings): Slots {
  const cap = Number(env.MAX_WAITING_FOR_HEADERS ?? "");
  if (!Number.isInteger(cap) || cap <= 0) return UNLIMITED;
  let free = cap;
  const waiting: (() => void)[] = [];
  return {
    take: () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve))),
    give: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

async function call(url: string, body: unknown, deadline: number, slots: Slots = UNLIMITED): Promise<Record<string, unknown> | undefined> {
  await slots.take();
  const remaining = deadline - Date.now();
  if (remaining <= 0) {
    slots.give();
    return undefined;
  }
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(remaining),
    }).finally(() => slots.give());
    if (!response.ok) return undefined;
    const answer: unknown = await response.json();
    return typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function ping(buyer: Buyer, body: unknown, start: number, slots: Slots): Promise<Bid | undefined> {
  const answer = await call(buyer.url, body, start + buyer.timeoutMs, slots);
  if (answer?.accept !== true || typeof answer.bidCents !== "number") return undefined;
  const pingToken = typeof answer.pingToken === "string" ? answer.pingToken : undefined;
  return { buyer, bidCents: answer.bidCents, pingToken };
}

const app = new Hono<{ Bindings: Bindings }>();

app.get("/", (c) => c.json({ ok: true, buyers: buyersOf(c.env).length }));

app.post("/leads", async (c) => {
  const all = buyersOf(c.env);
  const count = Number(c.req.query("buyers") ?? all.length);
  if (!Number.isInteger(count) || count < 0 || count > all.length) {
    return c.json({ error: { code: "validation_failed", message: `buyers must be 0..${all.length}` } }, 400);
  }
  const buyers = all.slice(0, count);
  const treeId = `first-${count}`;
  const lead = (await c.req.json()) as Record<string, unknown>;
  const leadId = crypto.randomUUID();
  const fields = Object.fromEntries(Object.entries(lead).filter(([key]) => !PII.has(key)));
  const start = Date.now();

  const pingBody = { type: "ping", leadId, treeId, vertical: "bench", score: 100, fields };
  const slots = slotsOf(c.env);
  const answers = await Promise.all(buyers.map((buyer) => ping(buyer, pingBody, start, slots)));
  const bids = answers.filter((bid): bid is Bid => bid !== undefined).sort((a, b) => b.bidCents - a.bidCents);

  for (const bid of bids) {
    const postBody = {
      type: "post",
      leadId,
      pingToken: bid.pingToken,
      priceCents: bid.bidCents,
      score: 100,
      fields: lead,
      consent: lead.consent,
    };
    const answer = await call(bid.buyer.url, postBody, Date.now() + bid.buyer.timeoutMs);
    if (answer?.accept === true) {
      return c.json({ leadId, status: "accepted", priceCents: bid.bidCents });
    }
  }
  return c.json({ leadId, status: "declined" });
});

export default app;
