import { describe, expect, test } from "vitest";
import { compilePath, readPath } from "./path";
import { readDocument } from "./values";

const json = { a: { b: 1, "b c": "spaced", list: [{ b: "first" }, { b: "second" }] }, top: "t", zero: 0 };

describe("JSON paths", () => {
  test.each([
    { name: "$.a.b", path: "$.a.b", expected: 1 },
    { name: "a.b without $", path: "a.b", expected: 1 },
    { name: "index then name", path: "a.list[1].b", expected: "second" },
    { name: "quoted name with a space", path: "$.a['b c']", expected: "spaced" },
    { name: "double-quoted names", path: '$["a"]["b"]', expected: 1 },
    { name: "$ alone is the whole answer", path: "$", expected: json },
    { name: "a falsy value is still found", path: "$.zero", expected: 0 },
    { name: "a missing name", path: "$.a.nope", expected: undefined },
    { name: "an index past the end", path: "$.a.list[5]", expected: undefined },
    { name: "a name on an array", path: "$.a.list.b", expected: undefined },
    { name: "index 0 of a single value is the value", path: "$.top[0]", expected: "t" },
    { name: "index 1 of a single value is nothing", path: "$.top[1]", expected: undefined },
    { name: "a prototype name is not found", path: "$.a.constructor", expected: undefined },
  ])("$name", ({ path, expected }) => {
    const compiled = compilePath(path);
    if (!compiled.ok) throw new Error(compiled.reason);
    expect(readPath(json, compiled.steps)).toEqual(expected);
  });

  test.each([
    { name: "empty", path: "" },
    { name: "trailing dot", path: "$." },
    { name: "double dot (recursive descent)", path: "$..a" },
    { name: "wildcard", path: "$.a[*]" },
    { name: "filter", path: "$.a[?(@.b)]" },
    { name: "unclosed quote", path: "$.a['b" },
    { name: "text after $", path: "$a" },
    { name: "negative index", path: "$.a[-1]" },
  ])("refuses $name", ({ path }) => {
    const compiled = compilePath(path);
    expect(compiled.ok, JSON.stringify(compiled)).toBe(false);
  });
});

describe("XML element paths from the root element", () => {
  const body = `<?xml version="1.0"?>
    <response>
      <status code="A1">Matched</status>
      <price>12.50</price>
      <items><item><id>1</id></item><item><id>2</id></item></items>
      <one><id>7</id></one>
    </response>`;
  test.each([
    { name: "element text", path: "response.price", expected: "12.50" },
    { name: "element with an attribute keeps its text", path: "response.status.#text", expected: "Matched" },
    { name: "attribute as @name", path: "response.status.@code", expected: "A1" },
    { name: "repeated element by index", path: "response.items.item[1].id", expected: "2" },
    { name: "single element by index 0", path: "response.one[0].id", expected: "7" },
    { name: "$ prefix works too", path: "$.response.price", expected: "12.50" },
    { name: "without the root element nothing is found", path: "price", expected: undefined },
  ])("$name", ({ path, expected }) => {
    const document = readDocument(body, "application/xml");
    const compiled = compilePath(path);
    if (!document.ok || !compiled.ok) throw new Error(JSON.stringify({ document, compiled }));
    expect(readPath(document.value, compiled.steps)).toEqual(expected);
  });
});
