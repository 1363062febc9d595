/**
 * Which lead fields identify a person. Declared once, here: pings, the
 * publisher's view and the buyer's ping payload all decide from this list.
 * The consent record (its text included) is not a lead field and never goes
 * in a ping at all.
 */
import type { FieldSpec } from "./config";
import type { LeadFields } from "./lead";

export const piiFields = ["firstName", "lastName", "email", "phone", "address", "dateOfBirth", "ip"] as const;

const standardPii: ReadonlySet<string> = new Set(piiFields);

type PiiSpec = Pick<FieldSpec, "name" | "pii">;

/** A standard PII field, or one the tree declares with `pii: true`. */
export function isPiiField(name: string, specs: readonly PiiSpec[]): boolean {
  return standardPii.has(name) || specs.some((spec) => spec.pii && spec.name === name);
}

/** The fields a ping may carry: everything but PII. */
export function pingFields(fields: LeadFields, specs: readonly PiiSpec[]): LeadFields {
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !isPiiField(name, specs)));
}
