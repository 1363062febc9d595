import type { FieldValue } from "../lead";

export function text(value: FieldValue | undefined): string {
  return value === undefined ? "" : String(value).trim();
}
