import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fromBase64, fromHex, toBase64, toHex } from "./bytes";

describe("bytes as text", () => {
  test("hex: two lower-case digits a byte, from a byte array or a buffer", () => {
    expect(toHex(new Uint8Array([0, 1, 15, 16, 171, 255]))).toBe("00010f10abff");
    expect(toHex(new Uint8Array([222, 173]).buffer)).toBe("dead");
    expect(toHex(new Uint8Array())).toBe("");
  });

  test("reading back refuses what is not hex or padded base64", () => {
    expect(["", "abc", "zz", "0x12"].map(fromHex)).toEqual([undefined, undefined, undefined, undefined]);
    expect(fromHex("DEad")).toEqual(new Uint8Array([222, 173]));
    expect(["", "Zg=", "Zg==Zg==", "Z!=="].map(fromBase64)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("base64: padded to whole quads", () => {
    expect(["", "f", "fo", "foo", "foob"].map((text) => toBase64(new TextEncoder().encode(text)))).toEqual(["", "Zg==", "Zm8=", "Zm9v", "Zm9vYg=="]);
  });

  test("hex and base64 agree with the byte-at-a-time forms for any bytes, long ones too, and read back", () => {
    const hexByByte = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const base64ByByte = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        expect(toHex(bytes)).toBe(hexByByte(bytes));
        expect(toBase64(bytes)).toBe(base64ByByte(bytes));
        expect(fromHex(toHex(bytes)) ?? new Uint8Array()).toEqual(bytes);
        if (bytes.length > 0) expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      }),
      { numRuns: 60 },
    );
  });
});
