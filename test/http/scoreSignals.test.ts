/** The form's evidence and the tree's qualifiers reach the score through intake, JSON and form posts alike, and never become lead fields. */
import { describe, expect, it } from "vitest";
import { expectStatus, leadDetail, newLeadPoint, newPublisher, newTree, submitLead, unique, validLead } from "../support/exchange";
import { formLead, postForm } from "../support/forms";

async function solarTree() {
  const point = await newLeadPoint(unique("sig"), { bid: 300 });
  const [treeId, publisher] = await Promise.all([
    newTree([{ leadPointId: point.id }], { scoreFloor: 0, fields: [{ name: "homeowner", type: "boolean" }] }),
    newPublisher(),
  ]);
  return { treeId, publisher };
}

async function signalsOf(leadId: string) {
  const lead = (await leadDetail(leadId)) as Awaited<ReturnType<typeof leadDetail>> & { signals: { name: string }[] };
  return { names: lead.signals.map((s) => s.name), fields: Object.keys(lead.fields) };
}

describe("score signals through intake", () => {
  it("a form post with a filled honeypot, a one-second fill and no declared qualifier shows all three, and keeps them out of the fields", async () => {
    const { treeId, publisher } = await solarTree();
    const answer = await postForm(treeId, formLead(publisher.apiKey, { hp: "http://spam.example", fillSeconds: "1" }));
    expect(answer.status, answer.text).toBe(200);
    const { names, fields } = await signalsOf(String((JSON.parse(answer.text) as { leadId: string }).leadId));
    expect(names).toEqual(expect.arrayContaining(["form_honeypot_filled", "form_fill_too_fast", "qualifier_missing"]));
    expect(fields.filter((name) => ["hp", "fillSeconds", "formStartedAt"].includes(name))).toEqual([]);
  });

  it("a JSON lead with an empty honeypot, a minute on the form and its qualifier shows none of them", async () => {
    const { treeId, publisher } = await solarTree();
    const lead = validLead({ hp: "", formStartedAt: new Date(Date.now() - 60_000).toISOString(), homeowner: true });
    const answer = expectStatus(await submitLead(treeId, publisher.apiKey, lead), 200);
    const { names } = await signalsOf(String(answer.leadId));
    expect(names.filter((name) => name.startsWith("form_") || name.startsWith("qualifier_"))).toEqual([]);
  });

  it("a fillSeconds that is no number is the lead's validation error", async () => {
    const { treeId, publisher } = await solarTree();
    const answer = await submitLead(treeId, publisher.apiKey, validLead({ fillSeconds: "fast" }));
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain("fillSeconds");
  });
});
