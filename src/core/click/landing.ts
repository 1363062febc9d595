/**
 * Where a click link may send a visitor, and how the click id travels with
 * it. A click link is open to anyone, so without the check it would be an
 * open redirect under the exchange's name: only the publisher's own landing
 * domains, and their subdomains, are allowed.
 */
import type { Checked } from "../intake/values";

const MAX_URL_LENGTH = 2048;

export interface Landing {
  url: URL;
  /** The publisher's landing domain the URL is on. */
  domain: string;
}

/** Host names compare in lower case and without the trailing dot of a fully qualified name. */
function hostOf(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, "");
}

export function isOnDomain(host: string, domain: string): boolean {
  const name = hostOf(host);
  const base = hostOf(domain);
  return name === base || name.endsWith(`.${base}`);
}

/** `to` as an absolute http(s) URL on one of `landingDomains`, or what is wrong with it. */
export function landingOf(to: string, landingDomains: readonly string[]): Checked<Landing> {
  if (to.length > MAX_URL_LENGTH) return { error: `must be at most ${MAX_URL_LENGTH} characters` };
  const url = URL.parse(to);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return { error: "must be an absolute http(s) URL" };
  if (url.username || url.password) return { error: "must not carry a user name or password" };
  if (landingDomains.length === 0) return { error: "cannot be allowed: the publisher has no landing domains yet (its landingDomains)" };
  const domain = landingDomains.find((candidate) => isOnDomain(url.hostname, candidate));
  if (domain === undefined) return { error: `must be on one of the publisher's landing domains; ${url.hostname} is not` };
  return { value: { url, domain } };
}

/**
 * The landing URL with the click id as its `c` parameter. The rest of the
 * query is kept as it was written (re-encoding it could change what the
 * landing page reads); a `c` already there is replaced, so the page reads
 * one click id, this one.
 */
export function withClickId(url: URL, clickId: string): string {
  const kept = url.search
    .slice(1)
    .split("&")
    .filter((part) => part !== "" && nameOf(part) !== "c");
  const landing = new URL(url);
  landing.search = [...kept, `c=${encodeURIComponent(clickId)}`].join("&");
  return landing.href;
}

function nameOf(part: string): string {
  const name = part.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(name.replaceAll("+", " "));
  } catch {
    return name;
  }
}

/**
 * The Domain attribute of the click cookie: the landing domain, when the
 * exchange is served under it (a tracking subdomain such as
 * go.acme.example), so the landing page can read the cookie; otherwise none,
 * and the cookie stays with the exchange's own host, since a browser refuses
 * a cookie for a domain other than the one that set it.
 */
export function cookieDomain(exchangeHost: string, landing: Landing): string | undefined {
  return isOnDomain(exchangeHost, landing.domain) ? hostOf(landing.domain) : undefined;
}
