/**
 * Bytes as text, for hashes, MACs, tokens and sealed values. These run
 * several times a lead, so they build each string in one pass from a table
 * (or one native call) instead of a string per byte.
 */

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lower-case hex, two digits a byte. */
export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let hex = "";
  for (const byte of view) hex += HEX[byte] as string;
  return hex;
}

/** fromCharCode takes its bytes as arguments, so long inputs go in slices that the call stack holds. */
const BYTES_PER_CALL = 8192;

/** Standard base64, padded. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += BYTES_PER_CALL) binary += String.fromCharCode(...bytes.subarray(start, start + BYTES_PER_CALL));
  return btoa(binary);
}
