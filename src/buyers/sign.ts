/**
 * `X-Leadtree-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`
 * (API.md). The timestamp is inside the MAC so a captured request cannot be
 * replayed later; the verifier bounds its age.
 */

import { fromHex, toHex } from "../core/bytes";

const encoder = new TextEncoder();

// importKey is the expensive part of an HMAC and an endpoint's secret is
// used for every lead it is sent, so each secret is imported once per
// isolate. A failed import is forgotten so that the next call retries it.
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
    key.catch(() => keys.delete(secret));
  }
  return key;
}

export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  const t = Math.floor(unixSeconds);
  const mac = await crypto.subtle.sign("HMAC", await keyFor(secret), encoder.encode(`${t}.${body}`));
  return `t=${t},v1=${toHex(new Uint8Array(mac))}`;
}

/**
 * For buyers and tests: true when some `v1` in the header is the MAC of this
 * body and `t` is within `toleranceSeconds` of now. Several `v1` values are
 * allowed so that a secret can be rotated without a gap.
 */
export async function verifySignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): Promise<boolean> {
  let t: string | undefined;
  const macs: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === "t" && value !== undefined && /^\d+$/.test(value)) t = value;
    else if (name === "v1" && value !== undefined) {
      const mac = fromHex(value);
      if (mac) macs.push(mac);
    }
  }
  if (t === undefined || macs.length === 0) return false;
  if (Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const key = await keyFor(secret);
  const data = encoder.encode(`${t}.${body}`);
  // subtle.verify compares in constant time; a string comparison would not.
  for (const mac of macs) {
    if (await crypto.subtle.verify("HMAC", key, mac, data)) return true;
  }
  return false;
}

