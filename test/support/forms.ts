/**
 * Intake as a browser and an XML client meet it: form posts with the key in
 * the body, and answers read as the bytes they are (the Worker's redirects
 * are not followed, so a 302 is seen as it is).
 */
import { exports } from "cloudflare:workers";
import { unique } from "./exchange";

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

async function submitRaw(treeId: string, headers: Record<string, string>, body: string): Promise<RawAnswer> {
  const response = await exports.default.fetch(new Request(`http://leadtree.test/v1/trees/${treeId}/leads`, { method: "POST", headers, body, redirect: "manual" }));
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A web form's fields for a lead that passes validation, as a landing page posts them. */
export function formLead(apiKey: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    api_key: apiKey,
    firstName: "Maria",
    lastName: "Lopez",
    email: `maria.lopez${unique("")}@yahoo.com`,
    phone: "312-744-1234",
    zip: "60601",
    c: unique("click"),
    consent_text: "I agree to be contacted by insurance partners.",
    consent_ip: "198.51.100.23",
    consent_timestamp: new Date().toISOString(),
    ...overrides,
  };
}

export function postForm(treeId: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return submitRaw(treeId, { "content-type": "application/x-www-form-urlencoded", ...headers }, new URLSearchParams(fields).toString());
}

export function postJson(treeId: string, apiKey: string, lead: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return submitRaw(treeId, { "x-api-key": apiKey, "content-type": "application/json", ...headers }, JSON.stringify(lead));
}

/** The whole answer, for an assertion's message. */
export function shown(answer: RawAnswer): string {
  return `${answer.status} ${JSON.stringify([...answer.headers])} ${answer.text}`;
}
