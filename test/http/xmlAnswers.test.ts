/**
 * An XML tree answers with the fields JSON mode gives for the same kind of
 * lead, read here with a real XML parser; the documented examples are what
 * the Worker writes.
 */
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { call, expectStatus, newLeadPoint, newPublisher, newTree, unique, validLead } from "../support/exchange";
import { postJson, shown, type RawAnswer } from "../support/forms";

const parser = new XMLParser({ parseTagValue: false, isArray: (_name, path) => path === "response.error.fields.field" });

interface ParsedAnswer {
  leadId?: string;
  status: string;
  payoutCents?: string;
  redirectUrl?: string;
  error?: { code: string; message: string; fields: { field: { path: string; message: string }[] } };
}

/** The XML answer in JSON's terms: numbers as numbers, a list's items as the list. */
function asJson(xml: string): Record<string, unknown> {
  const { response } = parser.parse(xml) as { response: ParsedAnswer };
  const { payoutCents, error, ...rest } = response;
  return {
    ...rest,
    ...(payoutCents === undefined ? {} : { payoutCents: Number(payoutCents) }),
    ...(error === undefined ? {} : { error: { ...error, fields: error.fields.field } }),
  };
}

function expectXml(answer: RawAnswer, status: number): string {
  expect(answer.status, shown(answer)).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/xml; charset=UTF-8");
  expect(answer.text.startsWith('<?xml version="1.0" encoding="UTF-8"?><response>'), answer.text).toBe(true);
  return answer.text;
}

/** One tree per answer mode over the same kind of buyer, so their answers differ only in form (and lead id). */
async function twinTrees(behaviour: Record<string, string | number>, extra: Record<string, unknown> = {}) {
  const publisher = await newPublisher();
  const treeOf = async (mode: string) => newTree([{ leadPointId: (await newLeadPoint(unique(`xml-${mode}`), behaviour)).id }], { ...extra, response: { mode } });
  return { publisher, json: await treeOf("json"), xml: await treeOf("xml") };
}

const withoutLeadId = ({ leadId, ...rest }: Record<string, unknown>) => ({ ...rest, leadId: typeof leadId === "string" && leadId.startsWith("ld_") });

describe("an XML tree", () => {
  it.each<{ name: string; behaviour: Record<string, string | number> }>([
    { name: "sold, with a buyer URL that needs escaping", behaviour: { bid: 1000, redirect: "https://buyer.example/welcome?a=1&b=<2>" } },
    { name: "declined", behaviour: { decline: 1 } },
  ])("answers $name with the fields JSON mode gives", async ({ behaviour }) => {
    const { publisher, json, xml } = await twinTrees(behaviour);
    const fromJson = JSON.parse((await postJson(json, publisher.apiKey, validLead())).text) as Record<string, unknown>;
    const text = expectXml(await postJson(xml, publisher.apiKey, validLead()), 200);
    expect(withoutLeadId(asJson(text))).toEqual(withoutLeadId(fromJson));
  });

  it("escapes what it carries: the buyer's URL is text, not markup", async () => {
    const { publisher, xml } = await twinTrees({ bid: 1000, redirect: "https://buyer.example/welcome?a=1&b=<2>" });
    const text = expectXml(await postJson(xml, publisher.apiKey, validLead()), 200);
    expect(text).toContain("<redirectUrl>https://buyer.example/welcome?a=1&amp;b=&lt;2&gt;</redirectUrl>");
  });

  it("answers a lead that is not valid with a 400 carrying JSON's error code, message and fields", async () => {
    const { publisher, json, xml } = await twinTrees({ bid: 1000 });
    const bad = validLead({ email: "maria@@nowhere", phone: "12345" });
    const fromJson = JSON.parse((await postJson(json, publisher.apiKey, bad)).text) as Record<string, unknown>;
    const text = expectXml(await postJson(xml, publisher.apiKey, bad), 400);
    expect(asJson(text)).toEqual(fromJson);
    expect(fromJson).toMatchObject({ error: { fields: [{ path: "email" }, { path: "phone" }] } });
  });

  it("answers in JSON what comes before the tree is known: an unknown tree, a wrong key", async () => {
    const { publisher, xml } = await twinTrees({ bid: 1000 });
    const answers = [
      { answer: await postJson("no-such-tree", publisher.apiKey, validLead()), status: 404 },
      { answer: await postJson(xml, "lt_pub_wrong", validLead()), status: 401 },
    ];
    for (const { answer, status } of answers) {
      expect(answer.status, shown(answer)).toBe(status);
      expect(answer.headers.get("content-type")).toBe("application/json");
    }
  });

  it("is documented with examples that read as the JSON examples do", async () => {
    type Content = Record<string, { examples?: Record<string, { value: unknown }> }>;
    const document = expectStatus(await call<{ paths: Record<string, { post: { responses: Record<string, { content: Content }> } }> }>("/openapi.json"), 200);
    const responses = document.paths["/v1/trees/{treeId}/leads"]?.post.responses ?? {};
    for (const status of ["200", "400"]) {
      const content = responses[status]?.content ?? {};
      const xmlExamples = Object.entries(content["application/xml"]?.examples ?? {});
      expect(xmlExamples.length, `${status} has XML examples`).toBeGreaterThan(0);
      for (const [name, example] of xmlExamples) {
        expect(asJson(String(example.value)), `${status} ${name}`).toEqual(content["application/json"]?.examples?.[name]?.value);
      }
    }
  });
});
