import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { errorListText, errorPageUrl, type ErrorListSettings } from "./errorList";
import type { FieldError } from "./lead";

const errors: FieldError[] = [
  { path: "email", message: "bad email" },
  { path: "zip", message: "no such ZIP" },
];
const list = (type: ErrorListSettings["type"], includeFieldNames = false, param = "err"): ErrorListSettings => ({ type, param, includeFieldNames });

describe("errorPageUrl", () => {
  test.each<{ name: string; url: string; settings: ErrorListSettings | undefined; errors?: FieldError[]; want: string }>([
    { name: "tab joins the messages with a tab", url: "https://pub.example/form", settings: list("tab"), want: "https://pub.example/form?err=bad%2520email%2509no%2520such%2520ZIP" },
    { name: "tab with field names gives field=message", url: "https://pub.example/form", settings: list("tab", true), want: "https://pub.example/form?err=email%253Dbad%2520email%2509zip%253Dno%2520such%2520ZIP" },
    { name: "html gives one <LI> per message", url: "https://pub.example/form", settings: list("html"), want: "https://pub.example/form?err=%253CLI%253Ebad%2520email%253C%252FLI%253E%253CLI%253Eno%2520such%2520ZIP%253C%252FLI%253E" },
    {
      name: "html with field names puts each in the <LI>'s title",
      url: "https://pub.example/form",
      settings: list("html", true),
      want: "https://pub.example/form?err=%253CLI%2520title%253D%2527email%2527%253Ebad%2520email%253C%252FLI%253E%253CLI%2520title%253D%2527zip%2527%253Eno%2520such%2520ZIP%253C%252FLI%253E",
    },
    { name: "none leaves the URL as it is", url: "https://pub.example/form?src=ad", settings: list("none"), want: "https://pub.example/form?src=ad" },
    { name: "no errorList at all leaves the URL as it is", url: "https://pub.example/form", settings: undefined, want: "https://pub.example/form" },
    { name: "a URL with a query gets &param", url: "https://pub.example/form?src=ad", settings: list("tab"), want: "https://pub.example/form?src=ad&err=bad%2520email%2509no%2520such%2520ZIP" },
    { name: "a URL ending in ? gets no second separator", url: "https://pub.example/form?", settings: list("tab"), want: "https://pub.example/form?err=bad%2520email%2509no%2520such%2520ZIP" },
    { name: "a URL ending in & gets no second separator", url: "https://pub.example/form?src=ad&", settings: list("tab"), want: "https://pub.example/form?src=ad&err=bad%2520email%2509no%2520such%2520ZIP" },
    { name: "the param goes before the fragment", url: "https://pub.example/form?src=ad#top", settings: list("tab"), want: "https://pub.example/form?src=ad&err=bad%2520email%2509no%2520such%2520ZIP#top" },
    { name: "a fragment without a query", url: "https://pub.example/form#top", settings: list("tab"), want: "https://pub.example/form?err=bad%2520email%2509no%2520such%2520ZIP#top" },
    { name: "quotes and brackets are encoded as a URL parser would", url: "https://pub.example/form", settings: list("tab"), errors: [{ path: "x", message: "it's (not) ok!*" }], want: "https://pub.example/form?err=it%2527s%2520%2528not%2529%2520ok%2521%252A" },
    { name: "the param is named as the tree says", url: "https://pub.example/form", settings: list("tab", false, "errors"), want: "https://pub.example/form?errors=bad%2520email%2509no%2520such%2520ZIP" },
  ])("$name", ({ url, settings, errors: given, want }) => {
    const target = errorPageUrl(url, given ?? errors, settings);
    expect(target).toBe(want);
    expect(new URL(target).href, "as a Location header carries it").toBe(want);
  });

  // "\uD800" is a lone surrogate half, which cannot be URL-encoded: it reads back as U+FFFD.
  test("the page reads the list back by decoding the parameter twice, whatever the messages hold", () => {
    const text = fc.string({ unit: fc.constantFrom("a", " ", "\t", "%", "&", "=", "+", "<", "'", "é", "😀", "\uD800") });
    const error = fc.record({ path: text, message: text });
    const settings = fc.record({ type: fc.constantFrom("tab" as const, "html" as const), param: fc.constantFrom("err", "e r", "ü&="), includeFieldNames: fc.boolean() });
    const url = fc.constantFrom("https://pub.example/form", "https://pub.example/form?src=ad", "https://pub.example/form?src=ad#top");
    fc.assert(
      fc.property(fc.array(error, { maxLength: 4 }), settings, url, (errs, s, u) => {
        const target = new URL(errorPageUrl(u, errs, s));
        const once = target.searchParams.get(s.param);
        expect(once === null ? null : decodeURIComponent(once)).toBe(errorListText(errs, s)?.replaceAll("\uD800", "\uFFFD"));
        expect(target.searchParams.get("src")).toBe(u.includes("src=ad") ? "ad" : null);
      }),
    );
  });
});

describe("errorListText", () => {
  test.each([
    { name: "html escapes markup in messages and field names", errors: [{ path: "o'brien", message: 'must not hold <b>"bold"</b> & co' }], settings: list("html", true), want: "<LI title='o&#39;brien'>must not hold &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; co</LI>" },
    { name: "tab turns a tab or line break inside a message into a space", errors: [{ path: "notes", message: "one\ttwo\r\nthree" }, { path: "zip", message: "four" }], settings: list("tab"), want: "one two three\tfour" },
    { name: "tab leaves markup as it is", errors: [{ path: "notes", message: "<b>" }], settings: list("tab", true), want: "notes=<b>" },
    { name: "none is no list", errors, settings: list("none"), want: undefined },
  ])("$name", ({ errors: errs, settings, want }) => {
    expect(errorListText(errs, settings)).toBe(want);
  });
});
