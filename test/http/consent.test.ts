/**
 * One-to-one consent and the consent record through the real Worker, with
 * loopback buyers: a tree that requires the buyer to be named pings, posts and
 * copies only to the lead points its consent text names; the record is kept
 * verbatim with the SHA-256 of its text, which every post carries with the
 * certificate URL; a certificate URL that is not https is refused at intake.
 */
import { describe, expect, it } from "vitest";
import { admin, buyerLog, expectStatus, leadDetail, newBuyer, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";

const consentText = "I agree to be contacted by ACME Insurance, Inc. and Blue-Cross partners about my quote.";
const certificateUrl = "https://cert.trustedform.com/0123456789abcdef";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function postOf(name: string): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const post = (await buyerLog(name)).find((entry) => entry.type === "post");
    if (post) return post.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

describe("one-to-one consent", () => {
  it("pings, posts and copies only to the buyers the consent text names, and traces why the others were skipped", async () => {
    const names = { named: unique("named"), unnamed: unique("unnamed"), nameless: unique("nameless"), copy: unique("copy"), unnamedCopy: unique("uncopy") };
    const copyPoint = (name: string, consentNames: string[]) => newLeadPoint(name, {}, { kind: "copy", ping: undefined, pricing: { type: "fixed", priceCents: 0 }, consentNames });
    const [named, unnamed, nameless, copy, unnamedCopy] = await Promise.all([
      newLeadPoint(names.named, { bid: 500 }, { consentNames: ["Zenith Auto", "Acme Insurance Inc"] }),
      newLeadPoint(names.unnamed, { bid: 900 }, { consentNames: ["Acme Insurers"] }),
      newLeadPoint(names.nameless, { bid: 900 }),
      copyPoint(names.copy, ["blue cross"]),
      copyPoint(names.unnamedCopy, ["Acmeville"]),
    ]);
    const treeId = await newTree([named, unnamed, nameless, copy, unnamedCopy].map((p) => ({ leadPointId: p.id })), { consent: { requireBuyerNamed: true } });
    const lead = validLead({ consent: { text: consentText, ip: "203.0.113.7", timestamp: new Date().toISOString(), certificateUrl } });

    const answer = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, lead), 200);
    expect(answer.status, JSON.stringify(answer)).toBe("accepted");
    const detail = await leadDetail(String(answer.leadId));
    expect(detail.sales.map((s) => s.leadPointId)).toEqual([named.id]);
    expect(detail.trace.filter((t) => t.outcome === "skipped").map((t) => [t.leadPointId, t.phase, t.reason]), JSON.stringify(detail.trace)).toEqual([
      [unnamed.id, "ping", "not named in the consent (one-to-one consent)"],
      [nameless.id, "ping", "declares no consentNames, which one-to-one consent needs"],
      [unnamedCopy.id, "post", "copy not sent: not named in the consent (one-to-one consent)"],
    ]);

    expect((await buyerLog(names.named)).map((r) => r.type)).toEqual(["ping", "post"]);
    const hash = await sha256Hex(consentText);
    const expectedConsent = { text: consentText, textSha256: hash, certificateUrl };
    expect(await postOf(names.named)).toMatchObject({ type: "post", consent: expectedConsent });
    expect(await postOf(names.copy)).toMatchObject({ type: "post", consent: expectedConsent });
    expect(await buyerLog(names.unnamed)).toEqual([]);
    expect(await buyerLog(names.nameless)).toEqual([]);
    expect(await buyerLog(names.unnamedCopy)).toEqual([]);
  });

  it("keeps the consent record verbatim with the SHA-256 of its text, in a lead of a tree that does not require names too", async () => {
    const name = unique("plain");
    const point = await newLeadPoint(name, { bid: 400 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const text = "  I agree to be called by   any partner.  ";
    const answer = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, validLead({ consent: { text, ip: "203.0.113.7", timestamp: new Date().toISOString() } })), 200);
    expect(answer.status).toBe("accepted");
    const detail = await leadDetail(String(answer.leadId));
    // Intake trims the text (form inputs arrive padded) and hashes what it stores, so the hash proves the stored text.
    expect(detail.consent).toEqual({ text: text.trim(), textSha256: await sha256Hex(text.trim()), ip: "203.0.113.7", timestamp: expect.any(String) });
    expect(await postOf(name)).toMatchObject({ consent: { textSha256: await sha256Hex(text.trim()) } });
  });

  it.each([
    ["over plain http", "http://cert.trustedform.com/0123", "must be an absolute https URL"],
    ["relative", "/cert/0123", "must be an absolute https URL"],
    ["too long", `https://cert.trustedform.com/${"a".repeat(2048)}`, "must be at most 2048 characters"],
  ])("refuses a certificate URL %s with 400 naming consent.certificateUrl, and pings no one", async (_case, url, message) => {
    const name = unique("cert");
    const point = await newLeadPoint(name, { bid: 400 });
    const treeId = await newTree([{ leadPointId: point.id }]);
    const lead = validLead({ consent: { text: "I agree.", ip: "203.0.113.7", timestamp: new Date().toISOString(), certificateUrl: url } });
    const body = expectStatus(await submitLead(treeId, (await newPublisher()).apiKey, lead), 400) as { status: string; error: { code: string; fields: { path: string; message: string }[] } };
    expect(body.error.code).toBe("validation_failed");
    expect(body.error.fields).toEqual([{ path: "consent.certificateUrl", message }]);
    expect(await buyerLog(name)).toEqual([]);
  });

  it.each([
    ["a consent name of only punctuation", { consentNames: ["--"] }, "consentNames.0"],
    ["consent names that are not a list", { consentNames: "Acme" }, "consentNames"],
  ])("refuses a lead point with %s", async (_case, extra, path) => {
    const buyer = await newBuyer();
    const body = { buyerId: buyer.id, name: "x", kind: "direct_post", post: { url: "https://b.example" }, pricing: { type: "fixed", priceCents: 5 }, ...extra };
    const error = expectStatus(await admin<{ error: { fields: { path: string }[] } }>("POST", "/lead-points", body), 400);
    expect(error.error.fields.map((f) => f.path)).toContain(path);
  });
});
