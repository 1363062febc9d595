/**
 * Click ids that prove themselves: `clk_<token>.<mac>`, the mac an
 * HMAC-SHA-256 of the publisher id and the token under the exchange's click
 * secret. A tree that requires issued click ids checks a lead's on the lead's
 * path, where a lookup of stored clicks (a D1 query) has no place; and since
 * the publisher is signed in, a click issued for one publisher proves
 * nothing for another's lead.
 */

import { toHex } from "../bytes";

const encoder = new TextEncoder();
const clickIdPattern = /^clk_([0-9a-f]{20})\.([0-9a-f]{64})$/;

/**
 * The secrets of the CLICK_SECRET setting, newest first: one secret, or
 * several separated by commas while one is being replaced. New click ids are
 * signed with the first; a click id any of them signed is issued, so a
 * consumer halfway through a form when the secret changes is not refused.
 */
export function clickSecrets(setting: string | undefined): string[] {
  return (setting ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
}

/** The signing key of a secret; import it once and keep it. */
export function clickKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** What the mac covers; the label keeps a click's mac from passing for any other message signed with the same key. */
function signed(publisherId: string, token: string): Uint8Array {
  return encoder.encode(`leadtree-click-v1|${publisherId}|${token}`);
}

/** `token` is 20 lower-case hex digits (store/ids.ts makes them at random). */
export async function signClickId(key: CryptoKey, publisherId: string, token: string): Promise<string> {
  if (!/^[0-9a-f]{20}$/.test(token)) throw new Error("a click token is 20 lower-case hex digits");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed(publisherId, token)));
  return `clk_${token}.${toHex(mac)}`;
}

/** Whether any of `keys` (clickSecrets' keys) signed `clickId` for this publisher. */
export async function isIssuedUnderAny(keys: readonly CryptoKey[], publisherId: string, clickId: string): Promise<boolean> {
  for (const key of keys) if (await isIssuedClickId(key, publisherId, clickId)) return true;
  return false;
}

/** Whether `clickId` was signed with `key` for this publisher; anything else (made up, altered, another publisher's) is not. */
export async function isIssuedClickId(key: CryptoKey, publisherId: string, clickId: string): Promise<boolean> {
  const match = clickIdPattern.exec(clickId);
  if (!match) return false;
  const [, token = "", macHex = ""] = match;
  const mac = new Uint8Array(macHex.match(/../g)?.map((pair) => parseInt(pair, 16)) ?? []);
  // verify compares in constant time, so timing tells a forger nothing about how close a guess came.
  return crypto.subtle.verify("HMAC", key, mac, signed(publisherId, token));
}
