/**
 * Filter conditions (API.md, "Filter") evaluated against a flat record of
 * lead fields. Callers merge in the special names (`score`, `clickId`,
 * `subId`, …) before asking; this module only reads the record it is given.
 *
 * - `eq`, `ne`, `in`, `nin` compare trimmed text case-insensitively, so the
 *   number 10 equals "10" but "10.0" does not.
 * - `gt`, `gte`, `lt`, `lte`, `between` (inclusive) compare numbers; a value
 *   that is not a decimal number fails.
 * - `regex` tests the text as written, case-sensitively, in linear time
 *   (pattern.ts says why RE2 and not RegExp).
 * - An empty or blank string is missing. A missing field fails every op but
 *   `missing`, `ne` and `nin`: a lead without a state is "not TX".
 * - A filter whose value has the wrong shape for its op fails; the config
 *   schema refuses those, so only a hand-built filter meets this.
 */
import type { Filter } from "./config";
import type { FieldValue, LeadFields } from "./lead";
import { compilePattern } from "./pattern";

export type FilterCondition = Pick<Filter, "field" | "op" | "value">;

export function filterPasses(filter: FilterCondition, fields: LeadFields): boolean {
  const value = present(Object.hasOwn(fields, filter.field) ? fields[filter.field] : undefined);
  const expected = filter.value;
  switch (filter.op) {
    case "exists":
      return value !== undefined;
    case "missing":
      return value === undefined;
    case "eq":
    case "ne": {
      if (!isScalar(expected)) return false;
      const equal = value !== undefined && text(value) === text(expected);
      return filter.op === "eq" ? equal : !equal;
    }
    case "in":
    case "nin": {
      if (!Array.isArray(expected)) return false;
      const found = value !== undefined && expected.some((item) => isScalar(item) && text(item) === text(value));
      return filter.op === "in" ? found : !found;
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return compare(filter.op, numberOf(value), numberOf(expected));
    case "between": {
      if (!Array.isArray(expected) || expected.length !== 2) return false;
      const n = numberOf(value);
      return compare("gte", n, numberOf(expected[0])) && compare("lte", n, numberOf(expected[1]));
    }
    case "regex": {
      if (typeof expected !== "string" || value === undefined) return false;
      const pattern = compilePattern(expected);
      return pattern.ok && pattern.pattern.test(String(value));
    }
  }
}

/** The first filter the lead does not meet, or undefined when it meets them all. */
export function firstFailingFilter<F extends FilterCondition>(filters: readonly F[], fields: LeadFields): F | undefined {
  return filters.find((filter) => !filterPasses(filter, fields));
}

function present(value: FieldValue | undefined): FieldValue | undefined {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

function isScalar(value: unknown): value is FieldValue {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function text(value: FieldValue): string {
  return String(value).trim().toLowerCase();
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && decimal.test(value.trim())) return Number(value.trim());
  return undefined;
}

function compare(op: "gt" | "gte" | "lt" | "lte", a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  switch (op) {
    case "gt":
      return a > b;
    case "gte":
      return a >= b;
    case "lt":
      return a < b;
    case "lte":
      return a <= b;
  }
}
