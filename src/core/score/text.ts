import type { FieldValue } from "../lead";

export function text(value: FieldValue | undefined): string {
  return value === undefined ? "" : String(value).trim();
}

/** Words people type where they will not give a real value. */
export const placeholderWords = /^(test|testing|asdf|qwerty|fake|sample|none|null|na|n\/a|xxx|abc|anonymous|nobody)$/;
