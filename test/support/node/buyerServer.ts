/**
 * Simulated buyers on a real loopback port for integration tests. A buyer's
 * behaviour is written in its URL, so each test makes the buyers it needs
 * without any setup call:
 *   /buyer/<name>?bid=1250&delay=300&post=reject&reason=dup&status=500&garbage=1&close=1&token=t1&redirect=<url>&postDelay=50
 * `location=<url>` answers with a redirect there (`status`, 307 unless given) instead of an answer;
 * `postStatus`, `postGarbage`, `postClose`, `postLocation` do for posts what their ping twins do;
 * `declineFirst=N` declines the buyer's first N pings, then bids.
 * `failFirst=N` answers 500 to the first N requests of any type (a publisher's postback endpoint that is down, then back).
 * `postPrice=N` names a price in cents in an accepted post's answer (`priceCents`), as a dynamic direct post does.
 * In a post's `redirect` and `reason`, `{field}` stands for that field of the lead posted (`{email}`), as a buyer's
 * prefilled page or its duplicate check quotes the consumer.
 * `GET /log/<name>` returns everything that buyer received, in order.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, serveOnLoopback, type LoopbackServer } from "./loopback.ts";

export interface ReceivedRequest {
  type: string;
  body: unknown;
  raw: string;
  headers: Record<string, string>;
  at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parse(raw: string, contentType: string | undefined): unknown {
  if (contentType?.includes("json")) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  if (contentType?.includes("x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(raw));
  return raw;
}

/** `template` with each `{field}` replaced by that field of the posted lead. */
function filled(template: string | null, body: unknown): string | null {
  const fields = typeof body === "object" && body !== null && "fields" in body ? (body as { fields: Record<string, unknown> }).fields : {};
  return template && template.replace(/\{(\w+)\}/g, (_match, name: string) => String(fields[name] ?? ""));
}

function answerOf(type: string, q: URLSearchParams, pingsSoFar: number, body: unknown): Record<string, unknown> {
  if (type === "post") {
    if (q.get("post") === "reject") return { accept: false, ...(q.get("reason") ? { reason: filled(q.get("reason"), body) } : {}) };
    return {
      accept: true,
      ...(q.get("redirect") ? { redirectUrl: filled(q.get("redirect"), body) } : {}),
      ...(q.get("buyerLeadId") ? { buyerLeadId: q.get("buyerLeadId") } : {}),
      ...(q.get("postPrice") !== null ? { priceCents: Number(q.get("postPrice")) } : {}),
    };
  }
  if (q.get("decline") === "1" || pingsSoFar <= Number(q.get("declineFirst") ?? 0)) return { accept: false, ...(q.get("reason") ? { reason: q.get("reason") } : {}) };
  const bid = q.get("bid");
  return { accept: true, ...(bid !== null ? { bidCents: Number(bid) } : {}), ...(q.get("token") ? { pingToken: q.get("token") } : {}) };
}

export async function startBuyerServer(): Promise<LoopbackServer> {
  const logs = new Map<string, ReceivedRequest[]>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const [, kind, name = ""] = url.pathname.split("/");
    if (kind === "log" && request.method === "GET") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(logs.get(name) ?? []));
      return;
    }
    if (kind !== "buyer") {
      response.writeHead(404).end();
      return;
    }
    const raw = await readBody(request);
    const body = parse(raw, request.headers["content-type"]);
    const type = typeof body === "object" && body !== null && "type" in body ? String((body as { type: unknown }).type) : "unknown";
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    const entries = logs.get(name) ?? [];
    entries.push({ type, body, raw, headers, at: Date.now() });
    logs.set(name, entries);

    const q = url.searchParams;
    const prefix = type === "post" ? "post" : "";
    const param = (key: string) => q.get(prefix ? `${prefix}${key[0]?.toUpperCase()}${key.slice(1)}` : key);
    const delay = Number(type === "post" ? (q.get("postDelay") ?? 0) : (q.get("delay") ?? 0));
    if (delay > 0) await sleep(delay);
    if (param("close") === "1") {
      request.socket.destroy();
      return;
    }
    if (param("garbage") === "1") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("<<not json>>");
      return;
    }
    // A redirect carries the answer too, so a test shows that not even its body counts.
    const location = param("location");
    const failing = entries.length <= Number(q.get("failFirst") ?? 0);
    const status = failing ? 500 : Number(param("status") ?? (location === null ? 200 : 307));
    response.writeHead(status, { "content-type": "application/json", ...(location === null ? {} : { location }) });
    response.end(JSON.stringify(answerOf(type, q, entries.filter((e) => e.type === "ping").length, body)));
  }

  return serveOnLoopback(handle);
}
