/** Identifiers and credentials. Keys are shown once; only their SHA-256 is stored. */
import { toHex } from "../core/bytes";
import { LruCache } from "../core/lru";

function randomToken(bytes: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}

export type IdPrefix = "pub" | "buy" | "lp" | "ld";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(10)}`;
}

/** The random part of a lead id; the id adds its gate's address (core/gateAddress.ts). */
export function newLeadToken(): string {
  return randomToken(10);
}

/** The random part of a click id, which core/click/clickId.ts signs. */
export function newClickToken(): string {
  return randomToken(10);
}

export function newApiKey(owner: "pub" | "buy"): string {
  return `lt_${owner}_${randomToken(24)}`;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** What is stored of an API key. */
export const hashKey = sha256Hex;

/**
 * The hash of a key a client presents: a publisher sends the same key with
 * every lead, so each isolate hashes it once. Bounded, least recently used
 * out first, so a flood of made-up keys cannot grow it and a publisher that
 * keeps sending stays in.
 */
const presentedKeyHashes = new LruCache<string, Promise<string>>(1_024);

export function presentedKeyHash(apiKey: string): Promise<string> {
  let hash = presentedKeyHashes.get(apiKey);
  if (!hash) {
    hash = hashKey(apiKey);
    presentedKeyHashes.set(apiKey, hash);
  }
  return hash;
}
