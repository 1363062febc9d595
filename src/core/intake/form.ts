/**
 * What a web form may say of how it was filled in, beside the lead: the
 * seconds the consumer spent on it (`fillSeconds`, or `formStartedAt`, the
 * time the form was first shown, from which intake counts to now) and its
 * honeypot `hp`, an input hidden from people that only a bot fills in. None
 * is a lead field: buyers never see them; the score weighs them
 * (score/form.ts).
 */
import type { FieldError } from "../lead";
import type { FormEvidence } from "../score/form";
import { checkTimestamp } from "./consent";
import { notText, own, textOf } from "./values";

export const formEvidenceNames = ["fillSeconds", "formStartedAt", "hp"] as const;

/** Pushes its problems to `errors`; undefined when the submission carries none of the three. */
export function parseFormEvidence(raw: Record<string, unknown>, now: Date, errors: FieldError[]): FormEvidence | undefined {
  const evidence: FormEvidence = {};
  const seconds = textOf(own(raw, "fillSeconds"));
  const startedAt = textOf(own(raw, "formStartedAt"));
  if (seconds !== undefined) {
    if (seconds === notText || !/^\d+(\.\d+)?$/.test(seconds)) errors.push({ path: "fillSeconds", message: "must be a number of seconds, 0 or more" });
    else evidence.fillSeconds = Number(seconds);
  } else if (startedAt !== undefined) {
    const checked = startedAt === notText ? { error: "must be text" } : checkTimestamp(startedAt, now);
    if ("error" in checked) errors.push({ path: "formStartedAt", message: checked.error });
    else evidence.fillSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(checked.value)) / 100) / 10);
  }
  // A bot fills the honeypot with whatever it likes, an object included: anything but blank is filled.
  const honeypot = own(raw, "hp");
  if (honeypot !== undefined && honeypot !== null && textOf(honeypot) !== undefined) evidence.honeypotFilled = true;
  else if (honeypot !== undefined) evidence.honeypotFilled = false;
  return Object.keys(evidence).length > 0 ? evidence : undefined;
}
