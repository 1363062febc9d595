/**
 * A redirect tree (TSL's "redirect mode"): a landing page's form posts the
 * lead straight to intake, and the consumer's browser is sent on to the page
 * for the outcome, or to the form's error page with the errors in its query.
 */
import { describe, expect, it } from "vitest";
import { errorPageUrl } from "../../src/core/errorList";
import { admin, buyerLog, expectStatus, newLeadPoint, newPublisher, newTree, unique } from "../support/exchange";
import { formLead, postForm, shown, type RawAnswer } from "../support/forms";

const pages = { acceptUrl: "https://publisher.example/thanks", declineUrl: "https://publisher.example/sorry", errorUrl: "https://publisher.example/form?src=ad" };

async function redirectTree(response: Record<string, unknown>, behaviour: Record<string, string | number> = { bid: 1000 }, extra: Record<string, unknown> = {}) {
  const name = unique("redir");
  const point = await newLeadPoint(name, behaviour);
  const publisher = await newPublisher();
  const treeId = await newTree([{ leadPointId: point.id }], { response: { mode: "redirect", ...response }, ...extra });
  return { name, publisher, treeId };
}

function locationOf(answer: RawAnswer): string {
  expect(answer.status, shown(answer)).toBe(302);
  return answer.headers.get("location") ?? "";
}

/** What the error page reads: its `param` parameter decoded twice. */
function errorListIn(location: string, param: string): string {
  const once = new URL(location).searchParams.get(param);
  if (once === null) throw new Error(`no ${param} in ${location}`);
  return decodeURIComponent(once);
}

const invalid = { email: "maria@@nowhere", phone: "12345" };
const invalidFields = [
  { path: "email", message: "must be a valid email address" },
  { path: "phone", message: "must be a possible US phone number" },
];

describe("a redirect tree answers a browser's form post", () => {
  it.each<{ name: string; behaviour: Record<string, string | number>; response: Record<string, string>; want: string }>([
    { name: "accepted, to the buyer's own page when it gives one", behaviour: { bid: 1000, redirect: "https://buyer.example/welcome?ref=7" }, response: pages, want: "https://buyer.example/welcome?ref=7" },
    { name: "accepted, to acceptUrl when the buyer gives no page", behaviour: { bid: 1000 }, response: pages, want: pages.acceptUrl },
    { name: "declined, to declineUrl", behaviour: { decline: 1 }, response: pages, want: pages.declineUrl },
  ])("$name", async ({ behaviour, response, want }) => {
    const { publisher, treeId } = await redirectTree(response, behaviour);
    expect(locationOf(await postForm(treeId, formLead(publisher.apiKey)))).toBe(want);
  });

  it("a resubmit of the same click, to the first sale's page again, and no buyer hears of it twice", async () => {
    const { publisher, treeId, name } = await redirectTree(pages, { bid: 1000, redirect: "https://buyer.example/welcome" });
    const lead = formLead(publisher.apiKey);
    expect(locationOf(await postForm(treeId, lead))).toBe("https://buyer.example/welcome");
    expect(locationOf(await postForm(treeId, { ...lead, email: "changed.mind@gmail.com" }))).toBe("https://buyer.example/welcome");
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping", "post"]);
  });

  it("pending (held for another cycle), to declineUrl: no buyer has the lead yet", async () => {
    const { publisher, treeId, name } = await redirectTree(pages, { decline: 1 }, { cycles: { max: 2, delaySeconds: 60 } });
    expect(locationOf(await postForm(treeId, formLead(publisher.apiKey)))).toBe(pages.declineUrl);
    expect((await buyerLog(name)).map((r) => r.type)).toEqual(["ping"]);
  });

  it("not valid, to errorUrl with the tab list (field names included) after its own query, and no buyer hears of it", async () => {
    const { publisher, treeId, name } = await redirectTree({ ...pages, errorList: { type: "tab", param: "err", includeFieldNames: true } });
    const location = locationOf(await postForm(treeId, formLead(publisher.apiKey, invalid)));
    expect(location.startsWith(`${pages.errorUrl}&err=`), location).toBe(true);
    expect(new URL(location).searchParams.get("src")).toBe("ad");
    expect(errorListIn(location, "err")).toBe(invalidFields.map((f) => `${f.path}=${f.message}`).join("\t"));
    expect(await buyerLog(name)).toEqual([]);
  });

  it("not valid, to errorUrl with the html list in the tree's own parameter, the very URL errorPageUrl makes", async () => {
    const errorList = { type: "html" as const, param: "errors", includeFieldNames: true };
    const { publisher, treeId } = await redirectTree({ ...pages, errorList });
    const location = locationOf(await postForm(treeId, formLead(publisher.apiKey, invalid)));
    expect(errorListIn(location, "errors")).toBe(invalidFields.map((f) => `<LI title='${f.path}'>${f.message}</LI>`).join(""));
    expect(location).toBe(errorPageUrl(pages.errorUrl, invalidFields, errorList));
  });

  it("not valid, to errorUrl as it is when the tree wants no list", async () => {
    const { publisher, treeId } = await redirectTree({ ...pages, errorList: { type: "none" } });
    expect(locationOf(await postForm(treeId, formLead(publisher.apiKey, invalid)))).toBe(pages.errorUrl);
  });

  it("not valid and no errorUrl: a built-in 400 page lists the errors, escaped, and loads nothing", async () => {
    const message = `<script>alert("x")</script> & only CA's leads`;
    const { publisher, treeId } = await redirectTree({}, { bid: 1000 }, { filters: [{ field: "state", op: "eq", value: "CA", action: "error", message }] });
    const answer = await postForm(treeId, formLead(publisher.apiKey));
    expect(answer.status, shown(answer)).toBe(400);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(answer.text).toContain("<li><strong>state</strong> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; only CA&#39;s leads</li>");
    expect(answer.text).not.toMatch(/<script|<link|<img|src=|href=/i);
  });

  it("sold but with no page to go to: a built-in thank-you page with the lead id, never the payout", async () => {
    const { publisher, treeId } = await redirectTree({});
    const answer = await postForm(treeId, formLead(publisher.apiKey));
    expect(answer.status, shown(answer)).toBe(200);
    expect(answer.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(answer.text).toMatch(/Your request has been received\.[\s\S]*Reference: ld_/);
    expect(answer.text).not.toMatch(/accepted|payout|\d{3,} ?cents/i);
  });

  it("leaves what comes before the tree is known, and what is no answer about the lead, in the JSON error shape", async () => {
    const { publisher, treeId } = await redirectTree(pages);
    const cases = [
      { answer: await postForm(treeId, formLead("lt_pub_wrong")), status: 401, code: "unauthorized" },
      { answer: await postForm("no-such-tree", formLead(publisher.apiKey)), status: 404, code: "not_found" },
    ];
    for (const { answer, status, code } of cases) {
      expect(answer.status, shown(answer)).toBe(status);
      expect(answer.headers.get("content-type")).toBe("application/json");
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code } });
    }
  });

  it.each(["acceptUrl", "declineUrl", "errorUrl"])("refuses a tree whose %s is no http(s) page, since a browser is sent there", async (url) => {
    const point = await newLeadPoint(unique("redir"), { bid: 1000 });
    const tree = { name: "pages", vertical: "auto_insurance", response: { mode: "redirect", [url]: "javascript:alert(1)" }, tiers: [{ name: "main", mode: "auction", positions: [{ leadPointId: point.id }] }] };
    const body = expectStatus(await admin("PUT", `/ping-trees/${unique("tree")}`, tree), 400);
    expect(body).toMatchObject({ error: { code: "validation_failed", fields: [{ path: `response.${url}` }] } });
  });
});
