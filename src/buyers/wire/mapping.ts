/**
 * An operator's `response` mapping: where in a buyer's own answer format the
 * accept flag, the price and the rest live. Compiled once per endpoint; a
 * mapping that cannot compile (a bad path or regex) makes every answer
 * `invalid` naming the problem, so the trace says what to fix.
 */
import type { ResponseMapping } from "../../core/config";
import { compilePattern, type Pattern } from "../../core/pattern";
import { withOptional, withPrice } from "./answer";
import { compilePath, readPath, type PathStep } from "./path";
import type { PingAnswer, PostAnswer, WireProblem } from "./types";
import { amountCents, readDocument, redirectUrl, scalarText, shortText } from "./values";

type Target = "price" | "redirectUrl" | "buyerLeadId" | "reason" | "pingToken";
const targets: readonly Target[] = ["price", "redirectUrl", "buyerLeadId", "reason", "pingToken"];

/** Values that mean yes when the mapping names no `equals`. */
const truthy = new Set(["true", "1", "yes", "accepted", "success"]);

type Read = { ok: true; accepted: boolean; value: (target: Target) => unknown } | { ok: false; reason: string };

export interface CompiledMapping {
  problems: WireProblem[];
  parsePing(body: string, contentType: string | null): PingAnswer;
  parsePost(body: string, contentType: string | null): PostAnswer;
}

export function compileMapping(mapping: ResponseMapping): CompiledMapping {
  const problems: WireProblem[] = [];
  const paths = new Map<Target, PathStep[]>();
  for (const target of targets) {
    const source = mapping[target];
    if (source === undefined) continue;
    const path = compilePath(source);
    if (path.ok) paths.set(target, path.steps);
    else problems.push({ path: `response.${target}`, message: path.reason });
  }
  const accept = compileAccept(mapping.accept, problems);
  const equals = mapping.accept.equals?.trim().toLowerCase();
  const unit = mapping.priceUnit ?? "dollars";

  function read(body: string, contentType: string | null): Read {
    if (problems.length > 0) return { ok: false, reason: `response mapping: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}` };
    const document = accept.kind === "path" || paths.size > 0 ? readDocument(body, contentType) : undefined;
    let accepted: boolean;
    if (accept.kind === "path") {
      if (!document?.ok) return { ok: false, reason: document?.reason ?? "answer is unreadable" };
      const value = readPath(document.value, accept.steps);
      if (value === undefined) return { ok: false, reason: `answer has no value at accept path ${accept.source}` };
      accepted = matches(value, equals);
    } else {
      // The value `equals` compares is the first capture group, else the whole match.
      const match = accept.pattern.firstCapture(body);
      accepted = match !== undefined && (equals === undefined || matches(match, equals));
    }
    // With a regex accept the other paths are optional extras: an answer they
    // cannot parse still accepts or declines by the regex.
    const root = document?.ok ? document.value : undefined;
    return {
      ok: true,
      accepted,
      value: (target) => {
        const steps = paths.get(target);
        return steps && root !== undefined ? readPath(root, steps) : undefined;
      },
    };
  }

  return {
    problems,
    parsePing(body, contentType) {
      const answer = read(body, contentType);
      if (!answer.ok) return { kind: "invalid", reason: answer.reason };
      if (!answer.accepted) return withOptional({ kind: "noBid" }, "reason", shortText(answer.value("reason")));
      const price = amountCents(answer.value("price"), unit, "mapped price");
      if (!price.ok) return { kind: "invalid", reason: price.reason };
      return withOptional({ kind: "bid", bidCents: price.cents }, "pingToken", shortText(answer.value("pingToken"), 2048));
    },
    parsePost(body, contentType) {
      const answer = read(body, contentType);
      if (!answer.ok) return { kind: "invalid", reason: answer.reason };
      if (!answer.accepted) return withOptional({ kind: "rejected" }, "reason", shortText(answer.value("reason")));
      const accepted = withOptional({ kind: "accepted" as const }, "redirectUrl", redirectUrl(answer.value("redirectUrl")));
      return withPrice(withOptional(accepted, "buyerLeadId", shortText(answer.value("buyerLeadId"), 200)), amountCents(answer.value("price"), unit, "mapped price"));
    },
  };
}

type Accept = { kind: "path"; source: string; steps: PathStep[] } | { kind: "regex"; pattern: Pattern };

const matchesNothing: Pattern = { test: () => false, firstCapture: () => undefined };

function compileAccept(accept: ResponseMapping["accept"], problems: WireProblem[]): Accept {
  if ("path" in accept) {
    const path = compilePath(accept.path);
    if (path.ok) return { kind: "path", source: accept.path, steps: path.steps };
    problems.push({ path: "response.accept.path", message: path.reason });
    return { kind: "path", source: accept.path, steps: [] };
  }
  const compiled = compilePattern(accept.regex);
  if (compiled.ok) return { kind: "regex", pattern: compiled.pattern };
  problems.push({ path: "response.accept.regex", message: compiled.reason });
  return { kind: "regex", pattern: matchesNothing };
}

/**
 * `equals` compares the whole value, case-insensitively, so "Unmatched" is
 * not "Matched"; without it, a conventional yes accepts.
 */
function matches(value: unknown, equals: string | undefined): boolean {
  const text = scalarText(value)?.trim().toLowerCase();
  if (text === undefined) return false;
  return equals === undefined ? truthy.has(text) : text === equals;
}
