/**
 * The one way the exchange talks HTTP to buyers, under production's
 * six-connection rule.
 *
 * Cloudflare's Workers limits page ("Simultaneous open connections",
 * https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections)
 * allows each invocation six connections at once; since the 2026-04-09
 * changelog ("Relaxed simultaneous connection limiting") a connection counts
 * only while it waits for response headers, and a seventh queues until one
 * of the six gets them. The calls that count are `fetch()`, Workers KV, the
 * Cache API, R2, Queues `send`/`sendBatch` and TCP `connect()`.
 * Service-binding RPC and Durable Object stubs are not in that list, but the
 * page also says the limit is measured from the top-level request, so
 * Workers reached through service bindings share the caller's six; a
 * Durable Object request is an invocation of its own. That is why the
 * fan-out spreads a large auction over PingShard objects (fanout.ts).
 *
 * A buyer's think time is exactly the wait for headers, so the cap decides
 * how long an auction takes. `wrangler dev` (and the local workerd the tests
 * run in) does not enforce it, so code that fires twenty fetches at once
 * passes every local test and misses its deadline in production. This client
 * enforces the cap itself, in every environment, so tests and the benchmark
 * see what production does.
 *
 * Create one client per invocation (per request or per RPC call), never at
 * module scope: an isolate serves many invocations at once, each with its
 * own six, and a shared client would make them queue behind each other.
 */

/** Production's cap on one invocation's connections waiting for headers. */
export const MAX_WAITING_FOR_HEADERS = 6;

export interface BuyerRequest {
  url: string;
  method?: "POST";
  headers: Record<string, string>;
  body: string;
  /** Epoch ms, absolute: time spent queued for a slot counts against it. */
  deadlineAt: number;
}

/** `startedAt` is when `send` was called and `ms` runs from then, queueing included: that is the wait the auction saw. */
export type BuyerResponse =
  | { kind: "response"; status: number; body: string; contentType: string | null; ms: number; startedAt: string }
  | { kind: "timeout"; ms: number; startedAt: string }
  | { kind: "transportError"; reason: string; ms: number; startedAt: string };

export interface BuyerClientOptions {
  /** Production allows six; lower it only to test. */
  maxWaitingForHeaders?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** An answer longer than this is a transport error, so a buyer cannot exhaust the isolate's memory. */
  maxBodyBytes?: number;
}

export interface BuyerClient {
  send(request: BuyerRequest): Promise<BuyerResponse>;
}

type Slots = { acquire(signal: AbortSignal): Promise<boolean>; release(): void };

export function createBuyerClient(options: BuyerClientOptions = {}): BuyerClient {
  const limit = options.maxWaitingForHeaders ?? MAX_WAITING_FOR_HEADERS;
  const fetchBuyer = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const slots = createSlots(limit);
  const deadlines = createDeadlines(now);

  return {
    async send(request) {
      const startMs = now();
      const startedAt = new Date(startMs).toISOString();
      const ms = () => Math.max(0, now() - startMs);
      const timeout = (): BuyerResponse => ({ kind: "timeout", ms: ms(), startedAt });
      const failed = (reason: string): BuyerResponse => ({ kind: "transportError", reason, ms: ms(), startedAt });

      const remaining = request.deadlineAt - startMs;
      if (remaining <= 0) return timeout();
      const { signal, deadline, release } = deadlines.hold(request.deadlineAt);
      try {
        if (!(await slots.acquire(signal))) return timeout();
        if (signal.aborted) {
          slots.release();
          return timeout();
        }
        let response: Response | "deadline";
        try {
          // The race guards against a fetch that ignores its signal; the
          // real one rejects on abort, which lands in the catch below.
          // A redirect is never followed: a post would carry the consumer's
          // PII to a URL nobody configured, and that URL's answer would count
          // as the buyer's. The 3xx itself comes back as the answer.
          response = await Promise.race([
            fetchBuyer(request.url, { method: request.method ?? "POST", headers: request.headers, body: request.body, signal, redirect: "manual" }),
            deadline,
          ]);
        } catch (error) {
          return signal.aborted ? timeout() : failed(reasonOf(error));
        } finally {
          slots.release();
        }
        if (response === "deadline") return timeout();
        const body = await readBody(response, deadline, maxBodyBytes);
        if (body.kind === "deadline") return timeout();
        if (body.kind === "error") return signal.aborted ? timeout() : failed(body.reason);
        return { kind: "response", status: response.status, body: body.text, contentType: response.headers.get("content-type"), ms: ms(), startedAt };
      } finally {
        release();
      }
    },
  };
}

interface Deadline {
  signal: AbortSignal;
  /** Settles with "deadline" when the signal aborts. */
  deadline: Promise<"deadline">;
  release(): void;
}

/**
 * One abort timer per distinct deadline, shared by the sends that have it:
 * an auction's pings all end at the tier's deadline, and a timer per ping
 * cost a visible share of the CPU of a lead.
 */
function createDeadlines(now: () => number) {
  const held = new Map<number, { signal: AbortSignal; deadline: Promise<"deadline">; timer: ReturnType<typeof setTimeout>; sends: number }>();
  return {
    hold(deadlineAt: number): Deadline {
      let entry = held.get(deadlineAt);
      if (!entry) {
        const controller = new AbortController();
        const { signal } = controller;
        const deadline = new Promise<"deadline">((resolve) => signal.addEventListener("abort", () => resolve("deadline"), { once: true }));
        entry = { signal, deadline, timer: setTimeout(() => controller.abort(), deadlineAt - now()), sends: 0 };
        held.set(deadlineAt, entry);
      }
      const current = entry;
      current.sends++;
      let released = false;
      return {
        signal: current.signal,
        deadline: current.deadline,
        release() {
          if (released) return;
          released = true;
          if (--current.sends > 0) return;
          clearTimeout(current.timer);
          if (held.get(deadlineAt) === current) held.delete(deadlineAt);
        },
      };
    },
  };
}

/** A FIFO of sends waiting for one of `limit` slots; a freed slot passes straight to the oldest waiter. */
function createSlots(limit: number): Slots {
  let busy = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire(signal) {
      if (signal.aborted) return Promise.resolve(false);
      if (busy < limit) {
        busy++;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const grant = () => {
          signal.removeEventListener("abort", giveUp);
          resolve(true);
        };
        const giveUp = () => {
          const index = waiting.indexOf(grant);
          if (index >= 0) waiting.splice(index, 1);
          resolve(false);
        };
        waiting.push(grant);
        signal.addEventListener("abort", giveUp, { once: true });
      });
    },
    release() {
      const next = waiting.shift();
      if (next) next();
      else busy--;
    },
  };
}

type Body = { kind: "ok"; text: string } | { kind: "deadline" } | { kind: "error"; reason: string };

async function readBody(response: Response, deadline: Promise<"deadline">, maxBytes: number): Promise<Body> {
  if (!response.body) return { kind: "ok", text: "" };
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  // A declared length is enforced by the runtime, so such a body is read in
  // one native call; reading it chunk by chunk costs about as much CPU as the
  // fetch itself. Only an undeclared (chunked) body needs the counting reader.
  if (Number.isSafeInteger(declared) && declared >= 0) {
    if (declared > maxBytes) {
      response.body.cancel().catch(() => {});
      return { kind: "error", reason: `answer larger than ${maxBytes} bytes` };
    }
    try {
      const text = await Promise.race([response.text(), deadline]);
      return text === "deadline" ? { kind: "deadline" } : { kind: "ok", text };
    } catch (error) {
      return { kind: "error", reason: reasonOf(error) };
    }
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === "deadline") {
        reader.cancel().catch(() => {});
        return { kind: "deadline" };
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) {
        reader.cancel().catch(() => {});
        return { kind: "error", reason: `answer larger than ${maxBytes} bytes` };
      }
      text += decoder.decode(next.value, { stream: true });
    }
    return { kind: "ok", text: text + decoder.decode() };
  } catch (error) {
    return { kind: "error", reason: reasonOf(error) };
  }
}

/** The first line of the error's message: the trace wants a cause, not a stack. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  const line = message.split("\n", 1)[0]?.trim() ?? "";
  return line === "" ? "connection failed" : line.slice(0, 200);
}
