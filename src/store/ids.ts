/** Identifiers and credentials. Keys are shown once; only their SHA-256 is stored. */

function randomToken(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

export type IdPrefix = "pub" | "buy" | "lp" | "ld";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(10)}`;
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
