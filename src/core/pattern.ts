/**
 * The regular expressions an operator writes (a filter's `regex`, a response
 * mapping's `accept.regex`) run on RE2 (the re2js port), whose matching time
 * is linear in the text. JavaScript's RegExp backtracks: `(a+)+$` against
 * "aaaa…a!" takes exponential time, and one such filter would stall every
 * lead of a tree's gate. The price is RE2's syntax, which has no
 * backreferences and no lookaround; a pattern that uses them is refused
 * when it is saved, saying why.
 */
import { RE2JS, RE2JSSyntaxException } from "re2js";
import { LruCache } from "./lru";

export interface Pattern {
  /** Whether the pattern matches anywhere in the text, as RegExp#test. */
  test(text: string): boolean;
  /** The first match's first capture group, else the whole match; undefined when nothing matches. */
  firstCapture(text: string): string | undefined;
}

export type CompiledPattern = { ok: true; pattern: Pattern } | { ok: false; reason: string };

/** Long enough for any real filter; a bound on what one saved pattern costs to compile and hold. */
export const MAX_PATTERN_LENGTH = 1_000;

// Keyed by the pattern's text, so every tree version and isolate-wide cache
// reload reuses the compiled program; bounded because operators choose the keys.
const compiled = new LruCache<string, CompiledPattern>(512);

/** Compiled once per distinct pattern; a filter runs per lead on the hot path. */
export function compilePattern(source: string): CompiledPattern {
  let result = compiled.get(source);
  if (!result) {
    result = compile(source);
    compiled.set(source, result);
  }
  return result;
}

/** Why a pattern cannot be saved, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  const result = compilePattern(source);
  return result.ok ? undefined : result.reason;
}

function compile(source: string): CompiledPattern {
  if (source.length > MAX_PATTERN_LENGTH) return { ok: false, reason: `a pattern is at most ${MAX_PATTERN_LENGTH} characters` };
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (error) {
    return { ok: false, reason: refusal(error) };
  }
  return {
    ok: true,
    pattern: {
      test: (text) => re.test(text),
      firstCapture(text) {
        const match = re.matcher(text);
        if (!match.find()) return undefined;
        return (match.groupCount() > 0 ? match.group(1) : null) ?? match.group(0) ?? undefined;
      },
    },
  };
}

const linearOnly = "patterns run in linear time (RE2), which cannot match them";

function refusal(error: unknown): string {
  if (!(error instanceof RE2JSSyntaxException)) return "not a pattern RE2 can run";
  const at = error.input ?? "";
  if (/^\\[1-9]/.test(at) || at.startsWith("\\k")) return `backreferences like ${at} are not supported: ${linearOnly}`;
  const lookaround = /^\(\?<?[=!]/.exec(at);
  if (lookaround) return `lookahead and lookbehind like ${lookaround[0]} are not supported: ${linearOnly}`;
  return `not a valid pattern: ${error.error}${at ? ` at \`${at}\`` : ""}`;
}
