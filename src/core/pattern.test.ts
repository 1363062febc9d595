import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compilePattern, MAX_PATTERN_LENGTH, patternProblem } from "./pattern";

function pattern(source: string) {
  const compiled = compilePattern(source);
  if (!compiled.ok) throw new Error(`${source}: ${compiled.reason}`);
  return compiled.pattern;
}

describe("compilePattern", () => {
  test.each([
    { name: "nested quantifiers on a near-match", source: "(a+)+$", text: `${"a".repeat(5_000)}!`, want: false },
    { name: "overlapping alternation", source: "^(a|a)*$", text: `${"a".repeat(5_000)}b`, want: false },
    { name: "two greedy runs before a missing suffix", source: "(x+x+)+y", text: "x".repeat(5_000), want: false },
    { name: "the same pattern still matches where it should", source: "(a+)+$", text: "baaa", want: true },
  ])("a catastrophic pattern for a backtracking engine answers: $name", ({ source, text, want }) => {
    expect(pattern(source).test(text)).toBe(want);
  });

  test("agrees with RegExp on the patterns both engines read alike", () => {
    const atom = fc.constantFrom("a", "b", ".", "[ab]", "[^a]", "\\d", "(a|b)", "(?:ab)");
    const piece = fc.tuple(atom, fc.constantFrom("", "*", "+", "?", "{1,2}")).map(([a, q]) => a + q);
    const source = fc.tuple(fc.constantFrom("", "^"), fc.array(piece, { minLength: 1, maxLength: 5 }), fc.constantFrom("", "$")).map(([start, pieces, end]) => start + pieces.join("") + end);
    fc.assert(
      fc.property(source, fc.stringMatching(/^[ab1]{0,8}$/), (src, text) => {
        expect(pattern(src).test(text), `${src} on "${text}"`).toBe(new RegExp(src).test(text));
      }),
    );
  });

  test.each([
    { name: "the first capture group", source: "status=(\\w+)", text: "x status=Matched y", want: "Matched" },
    { name: "the whole match without a group", source: "OK \\d+", text: "got OK 12", want: "OK 12" },
    { name: "the whole match when the group took no part", source: "OK|(NO)", text: "OK", want: "OK" },
    { name: "nothing when there is no match", source: "^OK", text: "ERR", want: undefined },
  ])("firstCapture gives $name", ({ source, text, want }) => {
    expect(pattern(source).firstCapture(text)).toBe(want);
  });

  test("compiles a pattern once and reuses it", () => {
    expect(compilePattern("^9\\d{4}$")).toBe(compilePattern("^9\\d{4}$"));
  });
});

describe("patternProblem", () => {
  test.each([
    { name: "a backreference", source: "(a)\\1", problem: "backreferences like \\1 are not supported: patterns run in linear time (RE2), which cannot match them" },
    { name: "a lookahead", source: "^(?=.*\\d)", problem: "lookahead and lookbehind like (?= are not supported: patterns run in linear time (RE2), which cannot match them" },
    { name: "a negative lookahead", source: "foo(?!bar)", problem: "lookahead and lookbehind like (?! are not supported: patterns run in linear time (RE2), which cannot match them" },
    { name: "a lookbehind", source: "(?<=\\$)\\d+", problem: "lookahead and lookbehind like (?<= are not supported: patterns run in linear time (RE2), which cannot match them" },
    { name: "a negative lookbehind", source: "(?<!x)y", problem: "lookahead and lookbehind like (?<! are not supported: patterns run in linear time (RE2), which cannot match them" },
    { name: "an unclosed class", source: "([", problem: "not a valid pattern: missing closing ] at `[`" },
    { name: "an unclosed group", source: "(", problem: "not a valid pattern: missing closing ) at `(`" },
    { name: "a pattern too long to be a filter", source: "a".repeat(MAX_PATTERN_LENGTH + 1), problem: `a pattern is at most ${MAX_PATTERN_LENGTH} characters` },
  ])("refuses $name, saying why", ({ source, problem }) => {
    expect(patternProblem(source)).toBe(problem);
  });

  test.each(["^\\d{5}$", "^(CA|TX)$", "(?i)^metal", "[[:alpha:]]+", "\\p{L}+", "(?P<zip>\\d{5})"])("accepts %s", (source) => {
    expect(patternProblem(source)).toBeUndefined();
  });
});
