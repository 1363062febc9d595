/** Identifiers and credentials. Keys are shown once; only their SHA-256 is stored. */
import { LruCache } from "../core/lru";

function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
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
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
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
