/**
 * Signals of the tree's own qualifiers (homeowner, vehicleYear, …) as its
 * fields declare them. Intake already refuses a required qualifier left out
 * and a value outside the declared type, choices or min/max; what it lets
 * through and the score still doubts:
 * - a declared qualifier the lead left out (the tree did not require it, but
 *   a buyer prices on it);
 * - a number named for a year (`vehicleYear`, `yearBuilt`) before 1900 or
 *   after next year, when the tree declared no bounds to refuse it;
 * - a text or choice that is a placeholder ("test", "select", "-").
 */
import type { FieldSpec } from "../config";
import type { LeadFields } from "../lead";
import { standardFields } from "../intake/standard";
import type { Finding } from "./catalog";

/** Narrower than a name's placeholders (person.ts): "none" or "n/a" is a fair answer to many qualifiers. */
const placeholders = /^(test|testing|asdf|qwerty|fake|sample|xxx|select|select one|please select|choose|choose one|-+|\?+)$/;

export function qualifierSignals(specs: readonly FieldSpec[], fields: LeadFields, now: Date): Finding[] {
  const missing: string[] = [];
  const implausible: string[] = [];
  for (const spec of specs) {
    if (Object.hasOwn(standardFields, spec.name)) continue;
    const value = fields[spec.name];
    if (value === undefined || value === "") {
      if (!spec.required) missing.push(spec.name);
      continue;
    }
    const why = implausibility(spec, value, now);
    if (why !== undefined) implausible.push(`${spec.name} ${why}`);
  }
  const found: Finding[] = [];
  if (missing.length) found.push({ name: "qualifier_missing", detail: `no ${missing.join(", ")} given` });
  if (implausible.length) found.push({ name: "qualifier_implausible", detail: implausible.join("; ") });
  return found;
}

function implausibility(spec: FieldSpec, value: string | number | boolean, now: Date): string | undefined {
  if (typeof value === "number") {
    if (!/year$/i.test(spec.name) || spec.min !== undefined || spec.max !== undefined) return undefined;
    const nextYear = now.getUTCFullYear() + 1;
    return value < 1900 || value > nextYear || !Number.isInteger(value) ? `${value} is not a year from 1900 to ${nextYear}` : undefined;
  }
  if (typeof value === "string") {
    return placeholders.test(value.trim().toLowerCase()) ? `"${value}" is a placeholder` : undefined;
  }
  return undefined;
}
