/**
 * The small path language of a response mapping. One syntax reads both JSON
 * answers and XML answers (parsed into the same tree, the root element being
 * the first step), so an operator learns one thing:
 *   `$.a.b`, `a.b`, `a[0].b`, `$.a['b c']`, `$["a"]`, `$` (the whole answer).
 * Anything richer (filters, wildcards, recursion) is refused when compiled
 * rather than half-supported.
 */

export type PathStep = string | number;

export type CompiledPath = { ok: true; steps: PathStep[] } | { ok: false; reason: string };

export function compilePath(source: string): CompiledPath {
  const text = source.trim();
  if (text === "") return { ok: false, reason: "empty path" };
  const steps: PathStep[] = [];
  let i: number;
  if (text[0] === "$") i = 1;
  else {
    const name = readName(text, 0);
    if (name.value === "") return { ok: false, reason: `path "${source}" must start with $ or a name` };
    steps.push(name.value);
    i = name.end;
  }
  while (i < text.length) {
    const c = text[i];
    if (c === ".") {
      const name = readName(text, i + 1);
      if (name.value === "") return { ok: false, reason: `path "${source}" has an empty name at ${i + 1}` };
      steps.push(name.value);
      i = name.end;
    } else if (c === "[") {
      const bracket = readBracket(text, i + 1);
      if (!bracket) return { ok: false, reason: `path "${source}" has an unsupported [ ] at ${i}` };
      steps.push(bracket.value);
      i = bracket.end;
    } else {
      return { ok: false, reason: `path "${source}" has an unexpected "${c}" at ${i}` };
    }
  }
  return { ok: true, steps };
}

function readName(text: string, start: number): { value: string; end: number } {
  let end = start;
  while (end < text.length && !".[]".includes(text[end] ?? "")) end++;
  return { value: text.slice(start, end), end };
}

function readBracket(text: string, start: number): { value: PathStep; end: number } | undefined {
  const quote = text[start];
  if (quote === "'" || quote === '"') {
    let value = "";
    let i = start + 1;
    while (i < text.length && text[i] !== quote) {
      if (text[i] === "\\" && i + 1 < text.length) i++;
      value += text[i];
      i++;
    }
    if (text[i] !== quote || text[i + 1] !== "]") return undefined;
    return { value, end: i + 2 };
  }
  const close = text.indexOf("]", start);
  if (close < 0) return undefined;
  const digits = text.slice(start, close).trim();
  if (!/^\d+$/.test(digits)) return undefined;
  return { value: Number(digits), end: close + 1 };
}

/**
 * Follows the steps through a parsed answer; undefined when a step is missing.
 * Index 0 on a non-array is the value itself because an XML element that
 * appears once parses as a value and twice as an array: `item[0]` must read
 * the first item either way.
 */
export function readPath(root: unknown, steps: readonly PathStep[]): unknown {
  let current = root;
  for (const step of steps) {
    if (typeof step === "number") {
      if (Array.isArray(current)) current = current[step];
      else if (step !== 0) return undefined;
    } else if (isRecord(current) && Object.hasOwn(current, step)) {
      current = current[step];
    } else {
      return undefined;
    }
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
