/**
 * The API as its clients consume it: the document the Worker serves passes
 * redocly's recommended rules, covers every route, matches the committed
 * client types, and the browser finds the docs.
 */
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/http/app";
import { call, expectStatus } from "../support/exchange";

interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  tags: { name: string; description?: string }[];
  servers?: { url: string }[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}
interface Problem {
  severity: "error" | "warn";
  rule: string;
  message: string;
  where: string;
}

/** Warnings left on purpose, each with its reason; any other warning fails like an error. */
const acceptedWarnings: { rule: string; where?: string | RegExp; why: string }[] = [
  { rule: "info-license", why: "leadtree has chosen no license; the API document is not where one gets decided" },
  { rule: "operation-4xx-response", where: "#/paths/~1healthz/get/responses", why: "a health check has no client error to report" },
  { rule: "operation-2xx-response", where: "#/paths/~1v1~1click~1{publisherId}/get/responses", why: "a click link's success is its redirect (302), never a 2xx" },
  {
    rule: "no-invalid-media-type-examples",
    where: /\/content\/application~1xml\/examples\/\w+\/value$/,
    why: "an XML example is the document as text, as OpenAPI asks for a media type JSON cannot show; redocly checks every example against the schema as JSON",
  },
];

/** The operations API.md lets anyone call (declared with openRoute); every other one takes its audience's credential. */
const openOperations = new Set(["GET /healthz", "GET /v1/click/{publisherId}"]);

async function servedDocument(): Promise<Document> {
  return expectStatus(await call<Document>("/openapi.json"), 200);
}

async function nodeTool<T>(name: string, document: Document): Promise<T> {
  const response = await fetch(`${inject("openapiToolsUrl")}/${name}`, { method: "POST", body: JSON.stringify(document) });
  if (response.status !== 200) throw new Error(await response.text());
  return response.json();
}

function operationsOf(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));
}

describe("the OpenAPI document the Worker serves", () => {
  it("passes redocly's recommended rules", async () => {
    const problems = await nodeTool<Problem[]>("lint", await servedDocument());
    const accepted = (p: Problem) => p.severity === "warn" && acceptedWarnings.some((w) => w.rule === p.rule && (!w.where || (typeof w.where === "string" ? w.where === p.where : w.where.test(p.where))));
    const unexpected = problems.filter((p) => !accepted(p));
    expect(unexpected.map((p) => `${p.severity} ${p.rule} at ${p.where}: ${p.message}`)).toEqual([]);
  });

  it("is the document the committed client types were generated from (npm run client:types)", async () => {
    const { generated, committed } = await nodeTool<{ generated: string; committed: string }>("client-types", await servedDocument());
    expect(committed, "test/client/schema.d.ts is stale: run `npm run client:types` and commit it").toBe(generated);
  });

  it("documents every route the Worker answers", async () => {
    const documented = new Set(operationsOf(await servedDocument()).map(({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`));
    // For browsers and for the document itself, not part of the API.
    const pages = new Set(["GET /", "GET /docs", "GET /openapi.json"]);
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path}`)
        .filter((route) => !pages.has(route)),
    );
    expect([...served].filter((route) => !documented.has(route)), "served but not documented").toEqual([]);
    expect([...documented].filter((route) => !served.has(route)), "documented but not served").toEqual([]);
  });

  it("puts each operation under one audience, with its credential, a summary and a verb-named operationId", async () => {
    const document = await servedDocument();
    expect(document.tags.map((t) => t.name)).toEqual(["operator", "publisher", "buyer"]);
    expect(document.tags.every((t) => t.description)).toBe(true);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(["buyerKey", "operatorToken", "publisherKey"]);
    const schemeOf = { operator: "operatorToken", publisher: "publisherKey", buyer: "buyerKey" } as Record<string, string>;
    for (const { path, method, operation } of operationsOf(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.tags, where).toHaveLength(1);
      const audience = operation.tags?.[0] ?? "";
      expect(operation.security, where).toEqual(openOperations.has(where) ? [] : [{ [schemeOf[audience] ?? "?"]: [] }]);
      if (path.startsWith("/v1/admin/")) expect(audience, where).toBe("operator");
      if (path.startsWith("/v1/buyer/")) expect(audience, where).toBe("buyer");
      expect(operation.summary, where).toBeTruthy();
      expect(operation.operationId, where).toMatch(/^(create|get|list|disable|put|submit|resolve|return|rotate|update)[A-Z][A-Za-z]+$/);
    }
  });

  it("writes the error shape once, as the Error component every error answer refers to", async () => {
    const document = await servedDocument();
    const text = JSON.stringify(document);
    expect(text.split('"code":{"type":"string","enum":').length - 1, "inline copies of the error shape").toBe(1);
    for (const { path, method, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses).filter(([status]) => Number(status) >= 400)) {
        const schema = JSON.stringify(response.content?.["application/json"]?.schema);
        expect(schema, `${method} ${path} ${status}`).toMatch(/#\/components\/schemas\/(Error|LeadRejection)"/);
      }
    }
  });

  it("names the deployment it was fetched from as its server", async () => {
    expect((await servedDocument()).servers).toEqual([expect.objectContaining({ url: "http://leadtree.test" })]);
  });
});

describe("for a browser", () => {
  it("sends / to the docs", async () => {
    const response = await call("/", { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/docs");
  });

  it("shows on /docs how each operation is authenticated", async () => {
    const page = await call<string>("/docs");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<code>operatorToken</code>: <code>Authorization: Bearer &#60;token&#62;</code>");
    expect(page.body).toContain("<code>publisherKey</code>: <code>X-Api-Key: &#60;key&#62;</code>");
    expect(page.body).toContain("api_key");
    expect(page.body).toContain("buyerKey");
  });
});
