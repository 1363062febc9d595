import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Endpoint, LeadPointInput } from "./config";
import { patchLeadPoint, type LeadPointPatch } from "./configPatch";
import { maskEndpoint } from "./credentials";

const stored: LeadPointInput = {
  buyerId: "buy_1",
  name: "Carrier One auto",
  kind: "ping_post",
  ping: { url: "https://buyer.example/ping", format: "json", secret: "ping-secret-1", headers: { Authorization: "Bearer key-1" } },
  post: { url: "https://buyer.example/post", format: "xml", secret: "post-secret-1", headers: { Authorization: "Bearer key-1", "X-Account": "acct-9" }, template: "<lead/>" },
  pricing: { type: "fixed", priceCents: 1000 },
  caps: { timezone: "America/New_York", daily: 5 },
  minScore: 40,
  filters: [],
  bidRules: [],
  enabled: true,
};

function patched(patch: LeadPointPatch): Record<string, unknown> {
  const result = patchLeadPoint(stored, patch);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.document;
}

describe("patchLeadPoint", () => {
  test.each<{ name: string; patch: LeadPointPatch; want: Partial<Record<keyof LeadPointInput, unknown>> }>([
    { name: "a field it names replaces the stored one, the rest stay", patch: { pricing: { type: "fixed", priceCents: 2000 } }, want: { ...stored, pricing: { type: "fixed", priceCents: 2000 } } },
    { name: "null removes an optional field", patch: { caps: null, minScore: null }, want: (({ caps: _c, minScore: _m, ...rest }) => rest)(stored) },
    { name: "an empty patch changes nothing", patch: {}, want: stored },
    {
      name: "an endpoint is patched member by member: a new URL keeps its format, template and credentials",
      patch: { post: { url: "https://buyer.example/v2/post" } },
      want: { ...stored, post: { ...stored.post, url: "https://buyer.example/v2/post" } },
    },
    {
      name: "a secret sent back as *** keeps the stored secret; a new one replaces it",
      patch: { ping: { secret: "***" }, post: { secret: "post-secret-2" } },
      want: { ...stored, post: { ...stored.post, secret: "post-secret-2" } },
    },
    {
      name: "headers sent keep *** values from the store (any case), take new values, and drop the names left out",
      patch: { post: { headers: { authorization: "***", "X-Region": "east" } } },
      want: { ...stored, post: { ...stored.post, headers: { authorization: "Bearer key-1", "X-Region": "east" } } },
    },
    { name: "null removes an endpoint's secret", patch: { post: { secret: null } }, want: { ...stored, post: (({ secret: _s, ...rest }) => rest)(stored.post) } },
    { name: "null removes the ping endpoint", patch: { ping: null, kind: "direct_post" }, want: (({ ping: _p, ...rest }) => ({ ...rest, kind: "direct_post" }))(stored) },
  ])("$name", ({ patch, want }) => {
    expect(patched(patch)).toEqual(want);
  });

  test("an endpoint the point did not have is made from what the patch gives", () => {
    const direct = { ...stored, kind: "direct_post" as const, ping: undefined };
    const result = patchLeadPoint(direct, { kind: "ping_post", ping: { url: "https://buyer.example/ping" } });
    expect(result).toMatchObject({ ok: true, document: { kind: "ping_post", ping: { url: "https://buyer.example/ping" } } });
  });

  test.each<{ name: string; patch: LeadPointPatch; path: string }>([
    { name: "a *** secret where none is stored", patch: { ping: { secret: "***" } }, path: "ping.secret" },
    { name: "a *** header where none is stored", patch: { post: { headers: { "X-Unknown": "***" } } }, path: "post.headers.X-Unknown" },
  ])("refuses $name, naming its path", ({ patch, path }) => {
    const bare = { ...stored, ping: { url: "https://buyer.example/ping", format: "json" as const } };
    const result = patchLeadPoint(bare, patch);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((problem) => problem.path)).toEqual([path]);
  });

  test("sending back what a read shows changes nothing: no credential is ever overwritten with ***", () => {
    const text = fc.string({ minLength: 1, maxLength: 12 });
    // Names that differ only in case stand for one header to HTTP, yet each keeps its own stored value.
    const name = fc.constantFrom("Authorization", "authorization", "X-Account", "x-account", "X-Key");
    const endpoint: fc.Arbitrary<Endpoint> = fc.record(
      { url: fc.constant("https://buyer.example/x"), format: fc.constantFrom("json" as const, "form" as const, "xml" as const), secret: text, headers: fc.dictionary(name, text, { maxKeys: 4 }) },
      { requiredKeys: ["url", "format"] },
    );
    fc.assert(
      fc.property(endpoint, endpoint, (ping, post) => {
        const point = { ...stored, ping, post };
        const result = patchLeadPoint(point, { ...point, ping: maskEndpoint(ping), post: maskEndpoint(post) });
        expect(result).toEqual({ ok: true, document: point });
      }),
    );
  });
});
