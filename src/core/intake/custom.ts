/**
 * A tree's own qualifiers (`homeowner`, `monthlyElectricBill`, …) as its
 * FieldSpecs declare them. Form posts carry only strings, so values are
 * coerced to the declared type before they are checked.
 */
import type { FieldSpec } from "../config";
import type { FieldValue } from "../lead";
import { notText, textOf, type Checked } from "./values";

const truthy = new Set(["true", "yes", "y", "1", "on"]);
const falsy = new Set(["false", "no", "n", "0", "off"]);
const maxTextLength = 1000;

/** `undefined` when absent; required-ness is the caller's business. */
export function checkCustom(spec: FieldSpec, value: unknown): Checked<FieldValue> | undefined {
  if (spec.type === "boolean" && typeof value === "boolean") return { value };
  const text = textOf(value);
  if (text === undefined) return undefined;
  if (text === notText) return { error: spec.type === "boolean" ? "must be yes or no" : "must be text or a number" };
  switch (spec.type) {
    case "string":
      return checkString(spec, text);
    case "number":
      return checkNumber(spec, text);
    case "boolean":
      return checkBoolean(text);
    case "enum":
      return checkEnum(spec, text);
  }
}

function checkString(spec: FieldSpec, text: string): Checked<string> {
  const max = Math.min(spec.max ?? maxTextLength, maxTextLength);
  if (spec.min !== undefined && text.length < spec.min) return { error: `must be at least ${spec.min} characters` };
  if (text.length > max) return { error: `must be at most ${max} characters` };
  return { value: text };
}

function checkNumber(spec: FieldSpec, text: string): Checked<number> {
  // Number() alone would take "0x1A" and "Infinity"; a lead field is decimal.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return { error: "must be a number" };
  const value = Number(text);
  if (spec.min !== undefined && value < spec.min) return { error: `must be at least ${spec.min}` };
  if (spec.max !== undefined && value > spec.max) return { error: `must be at most ${spec.max}` };
  return { value };
}

function checkBoolean(text: string): Checked<boolean> {
  const lower = text.toLowerCase();
  if (truthy.has(lower)) return { value: true };
  if (falsy.has(lower)) return { value: false };
  return { error: "must be yes or no" };
}

function checkEnum(spec: FieldSpec, text: string): Checked<string> {
  const values = spec.values ?? [];
  // A spec without values cannot reject anything: keep what was sent.
  if (values.length === 0) return text.length > maxTextLength ? { error: `must be at most ${maxTextLength} characters` } : { value: text };
  const lower = text.toLowerCase();
  const listed = values.find((candidate) => candidate.toLowerCase() === lower);
  return listed === undefined ? { error: `must be one of: ${values.join(", ")}` } : { value: listed };
}
