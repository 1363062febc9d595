import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { version } from "../../package.json";
import { createApp } from "../../src/http/app";
import { call, expectStatus } from "../support/exchange";

/** The test D1 behind a double whose statements fail or never answer, as a D1 outage would. */
function brokenD1(fault: "throws" | "hangs"): D1Database {
  const statement = {
    bind: () => statement,
    first: () => (fault === "throws" ? Promise.reject(new Error("D1_ERROR: network connection lost")) : new Promise(() => {})),
  };
  return new Proxy(env.DB, { get: (target, property) => (property === "prepare" ? () => statement : Reflect.get(target, property)) });
}

describe("GET /healthz", () => {
  it("answers 200 with the version when D1 answers, without credentials", async () => {
    const response = await call("/healthz");
    expect(expectStatus(response, 200)).toEqual({ ok: true, version });
  });

  it.each(["throws", "hangs"] as const)("answers 503 in the error shape when D1 %s", async (fault) => {
    const response = await createApp().request("/healthz", {}, { ...env, DB: brokenD1(fault) });
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toEqual({ error: { code: "unavailable", message: "The database is not answering." } });
  });

  it("is in the OpenAPI document as getHealth, open to anyone", async () => {
    const document = expectStatus(await call<{ paths: Record<string, Record<string, Record<string, unknown>>> }>("/openapi.json"), 200);
    expect(document.paths["/healthz"]?.get).toMatchObject({ operationId: "getHealth", tags: ["operator"], security: [], summary: expect.any(String) });
  });
});
