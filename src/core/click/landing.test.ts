import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { cookieDomain, isOnDomain, landingOf, withClickId, type Landing } from "./landing";

const domains = ["acme.example", "Quotes.Example.ORG"];
const CLICK = "clk_0123456789abcdef0123.abc";

function landing(to: string): Landing {
  const checked = landingOf(to, domains);
  if ("error" in checked) throw new Error(checked.error);
  return checked.value;
}

describe("landingOf allows", () => {
  test.each([
    ["the landing domain itself", "https://acme.example/quote", "acme.example"],
    ["a subdomain of it", "https://www.acme.example/quote?x=1", "acme.example"],
    ["a deeper subdomain, any case, a port and a trailing dot", "http://LP.Offers.ACME.example.:8080/", "acme.example"],
    ["a domain written in capitals by the operator", "https://quotes.example.org/", "Quotes.Example.ORG"],
  ])("%s", (_name, to, domain) => {
    expect(landing(to).domain).toBe(domain);
  });
});

describe("landingOf refuses", () => {
  test.each([
    ["a foreign domain", "https://evil.example/", "must be on one of the publisher's landing domains; evil.example is not"],
    ["a name that only ends like the domain", "https://notacme.example/", "must be on one of the publisher's landing domains; notacme.example is not"],
    ["the domain as a subdomain of a foreign one", "https://acme.example.evil.example/", "must be on one of the publisher's landing domains; acme.example.evil.example is not"],
    ["the domain as a user name before a foreign host", "https://acme.example@evil.example/", "must not carry a user name or password"],
    ["a javascript: URL", "javascript:alert(document.cookie)//acme.example", "must be an absolute http(s) URL"],
    ["a data: URL", "data:text/html,<script>alert(1)</script>", "must be an absolute http(s) URL"],
    ["a relative URL", "/quote", "must be an absolute http(s) URL"],
    ["a scheme-relative URL", "//evil.example/", "must be an absolute http(s) URL"],
    ["an overlong URL", `https://acme.example/?q=${"x".repeat(2048)}`, "must be at most 2048 characters"],
  ])("%s", (_name, to, error) => {
    expect(landingOf(to, domains)).toEqual({ error });
  });

  test("every URL when the publisher has no landing domains", () => {
    expect(landingOf("https://acme.example/", [])).toEqual({ error: expect.stringContaining("has no landing domains") });
  });

  test("any URL whose host is on none of the domains (property)", () => {
    fc.assert(
      fc.property(fc.webUrl(), (to) => {
        const url = new URL(to);
        const allowed = domains.some((domain) => isOnDomain(url.hostname, domain));
        expect("error" in landingOf(to, domains)).toBe(!allowed);
      }),
    );
  });
});

describe("withClickId", () => {
  test.each([
    ["adds c to a URL without a query", "https://acme.example/quote", `https://acme.example/quote?c=${CLICK}`],
    ["keeps the query as written, c last", "https://acme.example/q?utm_source=fb&name=J%C3%B6rg+K&x", `https://acme.example/q?utm_source=fb&name=J%C3%B6rg+K&x&c=${CLICK}`],
    ["replaces a c already there", "https://acme.example/q?c=old&a=1&c=older", `https://acme.example/q?a=1&c=${CLICK}`],
    ["keeps the fragment after the query", "https://acme.example/q?a=1#form", `https://acme.example/q?a=1&c=${CLICK}#form`],
    ["drops an empty query", "https://acme.example/q?", `https://acme.example/q?c=${CLICK}`],
  ])("%s", (_name, to, expected) => {
    expect(withClickId(landing(to).url, CLICK)).toBe(expected);
  });

  test("leaves every other parameter, in order, and c once (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string())), (pairs) => {
        const to = new URL("https://www.acme.example/quote");
        for (const [key, value] of pairs) to.searchParams.append(key, value);
        const result = new URL(withClickId(landing(to.href).url, CLICK));
        expect(result.searchParams.getAll("c")).toEqual([CLICK]);
        expect([...result.searchParams].filter(([key]) => key !== "c")).toEqual(pairs.filter(([key]) => key !== "c"));
      }),
    );
  });
});

describe("cookieDomain", () => {
  test("is the landing domain when the exchange is served under it, so the landing page reads the cookie", () => {
    expect(cookieDomain("go.acme.example", landing("https://www.acme.example/"))).toBe("acme.example");
  });

  test("is absent when the exchange has a host of its own: a browser would refuse the cookie", () => {
    expect(cookieDomain("leadtree.example.net", landing("https://www.acme.example/"))).toBeUndefined();
  });
});
