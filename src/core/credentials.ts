/**
 * An endpoint's credentials are write-only (API.md, "Secrets never read
 * back"): its signing secret and its header values, where buyers put their
 * API keys, read back as "***". A client that sends such a document back
 * sends "***" back too, so on the way in "***" means "the value stored",
 * never a new value.
 */
import type { Endpoint } from "./config";
import type { FieldError } from "./lead";

/** How a credential reads back: present, but never its value. */
export const HIDDEN = "***";

/** The endpoint as every response shows it. */
export function maskEndpoint(endpoint: Endpoint): Endpoint {
  return {
    ...endpoint,
    ...(endpoint.secret === undefined ? {} : { secret: HIDDEN }),
    ...(endpoint.headers === undefined ? {} : { headers: Object.fromEntries(Object.keys(endpoint.headers).map((name) => [name, HIDDEN])) }),
  };
}

/** A header's stored value: the name as stored, else in another case, since HTTP header names ignore case. */
function storedHeader(stored: Endpoint | undefined, name: string): string | undefined {
  const headers = stored?.headers ?? {};
  if (Object.hasOwn(headers, name)) return headers[name];
  const wanted = name.toLowerCase();
  return Object.entries(headers).find(([storedName]) => storedName.toLowerCase() === wanted)?.[1];
}

/**
 * What a client sent for an endpoint's credentials, with every "***" replaced
 * by the stored value it stands for. A "***" that stands for nothing is a
 * problem at its path: keeping a credential that does not exist cannot be meant.
 */
export function unmaskCredentials<T extends { secret?: string | null; headers?: Record<string, string> | null }>(
  sent: T,
  stored: Endpoint | undefined,
  path: string,
  problems: FieldError[],
): T {
  const unmasked = { ...sent };
  if (sent.secret === HIDDEN) {
    if (stored?.secret === undefined) problems.push({ path: `${path}.secret`, message: `"${HIDDEN}" keeps the stored secret, and there is none: send the secret itself` });
    unmasked.secret = stored?.secret;
  }
  if (sent.headers) {
    unmasked.headers = Object.fromEntries(
      Object.entries(sent.headers).map(([name, value]) => {
        if (value !== HIDDEN) return [name, value];
        const kept = storedHeader(stored, name);
        if (kept === undefined) problems.push({ path: `${path}.headers.${name}`, message: `"${HIDDEN}" keeps the stored value of this header, and there is none: send the value itself` });
        return [name, kept ?? value];
      }),
    );
  }
  return unmasked;
}
