/**
 * Bytes as text, for hashes, MACs, tokens and sealed values. These run
 * several times a lead, so each encoder writes its digits into one byte array and
 * decodes it once: a string built a digit at a time is an allocation per
 * digit (the allocation profile, `npm run bench:profile -- --heap`, showed it).
 */

const encoder = new TextEncoder();
// The digits are ASCII, which UTF-8 decodes as it is.
const decoder = new TextDecoder();
const HEX_DIGITS = encoder.encode("0123456789abcdef");
const BASE64_DIGITS = encoder.encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const PAD = 61; // "="

/** Lower-case hex, two digits a byte. */
export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const out = new Uint8Array(view.length * 2);
  for (let i = 0; i < view.length; i++) {
    const byte = view[i] as number;
    out[2 * i] = HEX_DIGITS[byte >> 4] as number;
    out[2 * i + 1] = HEX_DIGITS[byte & 15] as number;
  }
  return decoder.decode(out);
}

/** The bytes of hex digits (either case), or undefined when it is not whole bytes of hex. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Standard base64, padded. */
export function toBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const digit = (n: number) => BASE64_DIGITS[n & 63] as number;
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const left = bytes.length - i;
    const n = ((bytes[i] as number) << 16) | ((left > 1 ? (bytes[i + 1] as number) : 0) << 8) | (left > 2 ? (bytes[i + 2] as number) : 0);
    out[o++] = digit(n >> 18);
    out[o++] = digit(n >> 12);
    out[o++] = left > 1 ? digit(n >> 6) : PAD;
    out[o++] = left > 2 ? digit(n) : PAD;
  }
  return decoder.decode(out);
}

/** The bytes of padded standard base64, or undefined when it is not that. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
