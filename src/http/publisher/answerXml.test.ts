import fc from "fast-check";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { xmlDocument } from "./answerXml";

const parser = new XMLParser({ parseTagValue: false, trimValues: false, isArray: (_name, path) => path === "response.error.fields.field" });

describe("xmlDocument", () => {
  test("writes an answer's fields as elements in the JSON's order", () => {
    expect(xmlDocument("response", { leadId: "ld_1", status: "accepted", payoutCents: 877, redirectUrl: "https://b.example/?a=1&b=2" })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><response><leadId>ld_1</leadId><status>accepted</status><payoutCents>877</payoutCents><redirectUrl>https://b.example/?a=1&amp;b=2</redirectUrl></response>',
    );
  });

  test("writes a list as its items, each named for the list in the singular", () => {
    expect(xmlDocument("response", { status: "error", error: { code: "validation_failed", message: "m", fields: [{ path: "email", message: "bad" }, { path: "zip", message: "<none>" }] } })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><response><status>error</status><error><code>validation_failed</code><message>m</message><fields><field><path>email</path><message>bad</message></field><field><path>zip</path><message>&lt;none&gt;</message></field></fields></error></response>',
    );
  });

  test("gives an XML parser back every value it was given", () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("<", ">", "&", "'", '"', "]]>", "\r\n", "\t", " ", "é", "😀"), fc.string({ unit: "grapheme-ascii", maxLength: 1 })) });
    fc.assert(
      fc.property(text, text, (redirectUrl, message) => {
        const parsed = parser.parse(xmlDocument("response", { redirectUrl, error: { message, fields: [{ path: "p", message }] } })) as {
          response: { redirectUrl: string; error: { message: string; fields: { field: { message: string }[] } } };
        };
        // A parser reads a carriage return as a line feed: XML's own line-end normalization.
        const read = (s: string) => s.replace(/\r\n?/g, "\n");
        expect([parsed.response.redirectUrl, parsed.response.error.message, parsed.response.error.fields.field[0]?.message]).toEqual([redirectUrl, message, message].map(read));
      }),
    );
  });

  test("drops what XML 1.0 cannot carry at all, escaped or not, and stays well-formed", () => {
    expect(xmlDocument("response", { message: "a\u0001b\uD800c" })).toBe('<?xml version="1.0" encoding="UTF-8"?><response><message>abc</message></response>');
  });
});
