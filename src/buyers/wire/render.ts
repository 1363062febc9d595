/**
 * The default buyer protocol of API.md in its three encodings. JSON is the
 * contract's own shape; form and XML carry exactly the same data so a buyer
 * can switch formats without losing a field.
 */
import type { Consent, LeadFields } from "../../core/lead";
import { contentTypes, type PingMessage, type PostMessage, type RenderedRequest, type WireFormat } from "./types";
import { escapeXml, xmlDeclaration, xmlElement } from "./xml";

export function renderDefaultPing(format: WireFormat, m: PingMessage): RenderedRequest {
  const envelope = { type: "ping", leadId: m.leadId, treeId: m.treeId, vertical: m.vertical, score: m.score };
  switch (format) {
    case "json":
      return { body: JSON.stringify({ ...envelope, fields: m.fields }), contentType: contentTypes.json };
    case "form":
      return { body: formBody(m.fields, {}, envelope), contentType: contentTypes.form };
    case "xml":
      return { body: xmlBody("ping", envelope, m.fields), contentType: contentTypes.xml };
  }
}

export function renderDefaultPost(format: WireFormat, m: PostMessage): RenderedRequest {
  const envelope = {
    type: "post",
    leadId: m.leadId,
    ...(m.pingToken !== undefined ? { pingToken: m.pingToken } : {}),
    priceCents: m.priceCents,
    score: m.score,
  };
  switch (format) {
    case "json":
      return { body: JSON.stringify({ ...envelope, fields: m.fields, consent: m.consent }), contentType: contentTypes.json };
    case "form":
      return { body: formBody(m.fields, consentPairs(m.consent), envelope), contentType: contentTypes.form };
    case "xml":
      return { body: xmlBody("post", envelope, m.fields, m.consent), contentType: contentTypes.xml };
  }
}

/**
 * Flat names, the way buyers' form handlers read them: `state=CA`, plus the
 * envelope and `consent_text`, `consent_ip`, … (the names publishers use for
 * the same record). The envelope is set last so a tree field that happens to
 * be called `leadId` or `type` cannot impersonate it.
 */
function formBody(fields: LeadFields, consent: Record<string, string>, envelope: Record<string, string | number>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) params.set(name, String(value));
  for (const [name, value] of Object.entries(consent)) params.set(name, value);
  for (const [name, value] of Object.entries(envelope)) params.set(name, String(value));
  return params.toString();
}

function consentPairs(consent: Consent): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const [key, value] of Object.entries(consent) as [string, unknown][]) {
    if (typeof value === "string") pairs[`consent_${key}`] = value;
  }
  return pairs;
}

/** The root element names the message, so `type` is not repeated inside it. */
function xmlBody(root: "ping" | "post", envelope: Record<string, string | number>, fields: LeadFields, consent?: Consent): string {
  let body = "";
  for (const [name, value] of Object.entries(envelope)) {
    if (name !== "type") body += xmlElement(name, escapeXml(String(value)));
  }
  body += `<fields>${xmlChildren(fields)}</fields>`;
  if (consent) body += `<consent>${xmlChildren(consent)}</consent>`;
  return `${xmlDeclaration}<${root}>${body}</${root}>`;
}

function xmlChildren(values: object): string {
  let out = "";
  for (const [name, value] of Object.entries(values) as [string, unknown][]) {
    if (value !== undefined) out += xmlElement(name, escapeXml(String(value)));
  }
  return out;
}
