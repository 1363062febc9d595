import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { diffDocuments, type Change } from "./configDiff";

const REMOVED = Symbol("removed");

/** Replays changes onto a copy of `document`: what an operator reading the diff could do by hand. */
function replay(document: unknown, changes: Change[]): unknown {
  const root = { value: structuredClone(document) as unknown };
  for (const change of changes) {
    const keys = change.path === "(document)" ? [] : change.path.split(".");
    let parent: Record<string, unknown> = root;
    let key = "value";
    for (const next of keys) {
      parent = parent[key] as Record<string, unknown>;
      key = next;
    }
    if ("after" in change) parent[key] = structuredClone(change.after);
    else if (Array.isArray(parent)) parent[Number(key)] = REMOVED;
    else delete parent[key];
  }
  const compact = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.filter((item) => item !== REMOVED).map(compact)
      : typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]))
        : value;
  return compact(root.value);
}

/** JSON documents whose keys have no dots, since a dotted path names them. */
const documents = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 3 })),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "c", "tiers", "0"), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("diffDocuments", () => {
  test.each([
    { name: "a changed leaf", before: { a: 1, b: 2 }, after: { a: 1, b: 3 }, want: [{ path: "b", before: 2, after: 3 }] },
    {
      name: "a changed position's timeout, by index",
      before: { tiers: [{ positions: [{ leadPointId: "lp_1", timeoutSeconds: 2 }] }] },
      after: { tiers: [{ positions: [{ leadPointId: "lp_1", timeoutSeconds: 5 }] }] },
      want: [{ path: "tiers.0.positions.0.timeoutSeconds", before: 2, after: 5 }],
    },
    { name: "an added key", before: {}, after: { notes: "x" }, want: [{ path: "notes", after: "x" }] },
    { name: "a removed key", before: { dailyLimits: { accepts: 3 } }, after: {}, want: [{ path: "dailyLimits", before: { accepts: 3 } }] },
    { name: "an appended array item", before: { a: [1] }, after: { a: [1, 2] }, want: [{ path: "a.1", after: 2 }] },
    { name: "an object that became an array", before: { a: {} }, after: { a: [] }, want: [{ path: "a", before: {}, after: [] }] },
    { name: "another root", before: 1, after: [1], want: [{ path: "(document)", before: 1, after: [1] }] },
  ])("$name", ({ before, after, want }) => {
    expect(diffDocuments(before, after)).toEqual(want);
  });

  test("finds nothing between a document and itself", () => {
    fc.assert(
      fc.property(documents, (document) => {
        expect(diffDocuments(document, structuredClone(document))).toEqual([]);
      }),
    );
  });

  test("names each changed path once, and replaying the changes onto the first gives the second", () => {
    fc.assert(
      fc.property(documents, documents, (before, after) => {
        const changes = diffDocuments(before, after);
        expect(new Set(changes.map((change) => change.path)).size).toBe(changes.length);
        expect(replay(before, changes)).toEqual(after);
      }),
    );
  });

  test("says nothing changed where nothing did: each change's before and after differ", () => {
    fc.assert(
      fc.property(documents, documents, (before, after) => {
        for (const change of diffDocuments(before, after)) expect(change.before).not.toEqual(change.after);
      }),
    );
  });
});
