/**
 * One ping or one post to one lead point: render through the endpoint's
 * wire, sign, send under the deadline, and turn whatever came back into the
 * attempt the tree runner decides on. Nothing a buyer does makes these
 * throw; a bad status or an unreadable answer is a `transportError` with its
 * cause, as API.md counts it a pass.
 */
import type { Endpoint, LeadPoint } from "../core/config";
import type { PingAttempt, PostAttempt } from "../core/attempt";
import type { BuyerClient, BuyerResponse } from "./client";
import { signatureHeader } from "./sign";
import { wireFor, type PingMessage, type PostMessage, type RenderedRequest } from "./wire";

/**
 * What a ping needs of its lead point. A ping shard gets only this: a lead
 * point's filters, caps, bid rules and post endpoint stay with the run.
 */
export type PingTarget = Pick<LeadPoint, "id" | "kind" | "ping">;

export function pingTargetOf(point: PingTarget): PingTarget {
  return { id: point.id, kind: point.kind, ...(point.ping ? { ping: point.ping } : {}) };
}

/**
 * Never called for a `direct_post` lead point: it has no ping endpoint and
 * bids its fixed price, so the tree runner posts to it directly. Calling it
 * for one is a bug in the caller and throws.
 */
export async function pingLeadPoint(client: BuyerClient, point: PingTarget, message: PingMessage, deadlineAt: number): Promise<PingAttempt> {
  if (!point.ping) throw new Error(`lead point ${point.id} has no ping endpoint (kind ${point.kind})`);
  const wire = wireFor(point.ping);
  const response = await send(client, point.ping, wire.renderPing(message), deadlineAt);
  const timing = timingOf(point.id, response);
  if (response.kind !== "response" || !isSuccess(response.status)) return { ...timing, ...passOf(response) };
  const answer = wire.parsePing(response.body, response.contentType);
  return answer.kind === "invalid" ? { ...timing, kind: "transportError", reason: answer.reason } : { ...timing, ...answer };
}

export async function postLeadPoint(client: BuyerClient, point: LeadPoint, message: PostMessage, deadlineAt: number): Promise<PostAttempt> {
  const wire = wireFor(point.post);
  const response = await send(client, point.post, wire.renderPost(message), deadlineAt);
  const timing = timingOf(point.id, response);
  if (response.kind !== "response" || !isSuccess(response.status)) return { ...timing, ...passOf(response) };
  const answer = wire.parsePost(response.body, response.contentType);
  return answer.kind === "invalid" ? { ...timing, kind: "transportError", reason: answer.reason } : { ...timing, ...answer };
}

/**
 * The endpoint's own headers may replace our Content-Type (a buyer that wants
 * `text/xml`), matched case-insensitively so that the request never carries
 * two; the signature goes last so no configured header can replace it.
 */
async function send(client: BuyerClient, endpoint: Endpoint, rendered: RenderedRequest, deadlineAt: number): Promise<BuyerResponse> {
  const headers: Record<string, string> = { "Content-Type": rendered.contentType };
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) setHeader(headers, name, value);
  if (endpoint.secret !== undefined) {
    setHeader(headers, "X-Leadtree-Signature", await signatureHeader(endpoint.secret, rendered.body, Math.floor(Date.now() / 1000)));
  }
  return client.send({ url: endpoint.url, method: "POST", headers, body: rendered.body, deadlineAt });
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === lower) delete headers[existing];
  }
  headers[name] = value;
}

function timingOf(leadPointId: string, response: BuyerResponse): { leadPointId: string; startedAt: string; ms: number; httpStatus?: number } {
  const timing = { leadPointId, startedAt: response.startedAt, ms: response.ms };
  return response.kind === "response" ? { ...timing, httpStatus: response.status } : timing;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Why an answer that carries no decision is a pass for the lead point. */
function passOf(response: BuyerResponse): { kind: "timeout" } | { kind: "transportError"; reason: string } {
  switch (response.kind) {
    case "timeout":
      return { kind: "timeout" };
    case "transportError":
      return { kind: "transportError", reason: response.reason };
    case "response":
      return {
        kind: "transportError",
        reason: isRedirect(response.status) ? `the buyer answered with a redirect (${response.status}); redirects are never followed` : `HTTP ${response.status}`,
      };
  }
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}
