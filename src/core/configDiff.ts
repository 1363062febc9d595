/**
 * What changed between two versions of a configuration document, as the
 * operator reads it: one entry per changed leaf, named by the same dotted
 * path the API's error fields use (`tiers.0.positions.1.timeoutSeconds`).
 */

export interface Change {
  path: string;
  /** Absent when the path was added. */
  before?: unknown;
  /** Absent when the path was removed. */
  after?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

/** Arrays are compared by index, objects by key; an array and an object are never the same kind of thing. */
function sameKind(a: Container, b: Container): boolean {
  return Array.isArray(a) === Array.isArray(b);
}

function keysOf(value: Container): string[] {
  return Array.isArray(value) ? value.map((_item, index) => String(index)) : Object.keys(value);
}

function at(value: Container, key: string): unknown {
  return (value as Record<string, unknown>)[key];
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** The changes that turn `before` into `after` (JSON values); none when they are equal. */
export function diffDocuments(before: unknown, after: unknown): Change[] {
  const changes: Change[] = [];
  const walk = (path: string, a: unknown, b: unknown): void => {
    if (isContainer(a) && isContainer(b) && sameKind(a, b)) {
      const keys = [...new Set([...keysOf(a), ...keysOf(b)])];
      for (const key of keys) {
        const [inA, inB] = [Object.hasOwn(a, key), Object.hasOwn(b, key)];
        if (inA && inB) walk(join(path, key), at(a, key), at(b, key));
        else if (inA) changes.push({ path: join(path, key), before: at(a, key) });
        else changes.push({ path: join(path, key), after: at(b, key) });
      }
      return;
    }
    if (a !== b) changes.push({ path: path || "(document)", before: a, after: b });
  };
  walk("", before, after);
  return changes;
}
