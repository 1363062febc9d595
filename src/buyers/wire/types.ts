/**
 * The messages the exchange sends a buyer and the answers it reads back,
 * independent of the bytes on the wire. Every format (the default JSON, form
 * and XML protocols and an operator's custom mapping) is a `BuyerWire`.
 */
import type { Consent, LeadFields } from "../../core/lead";

export interface PingMessage {
  leadId: string;
  treeId: string;
  vertical: string;
  score: number;
  /** Already stripped of PII by the caller: the wire sends what it is given. */
  fields: LeadFields;
  allowedResponseMs: number;
}

export interface PostMessage {
  leadId: string;
  treeId: string;
  vertical: string;
  score: number;
  /** All fields, PII included. */
  fields: LeadFields;
  consent: Consent;
  priceCents: number;
  pingToken?: string;
  allowedResponseMs: number;
}

export interface RenderedRequest {
  body: string;
  contentType: string;
}

export type PingAnswer =
  | { kind: "bid"; bidCents: number | undefined; pingToken?: string }
  | { kind: "noBid"; reason?: string }
  | { kind: "invalid"; reason: string };

export type PostAnswer =
  /** `priceCents`: the price the answer names, which only a post priced by its answer uses. */
  | { kind: "accepted"; redirectUrl?: string; buyerLeadId?: string; priceCents?: number }
  | { kind: "rejected"; reason?: string }
  | { kind: "invalid"; reason: string };

export interface BuyerWire {
  renderPing(message: PingMessage): RenderedRequest;
  parsePing(body: string, contentType: string | null): PingAnswer;
  renderPost(message: PostMessage): RenderedRequest;
  parsePost(body: string, contentType: string | null): PostAnswer;
}

export type WireFormat = "json" | "form" | "xml";

/** Something in an endpoint's configuration that cannot work, at its path within the endpoint (`response.price`). */
export interface WireProblem {
  path: string;
  message: string;
}

export const contentTypes: Record<WireFormat, string> = {
  json: "application/json",
  form: "application/x-www-form-urlencoded",
  xml: "application/xml; charset=utf-8",
};
