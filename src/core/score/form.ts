/**
 * Signals of how the publisher's web form was filled in: its honeypot (a
 * field hidden from people, so only a bot fills it) and the seconds from the
 * form's first display to its submit (no person types a lead in under
 * FASTEST_HUMAN_SECONDS).
 */
import type { Finding } from "./catalog";

export interface FormEvidence {
  /** Seconds the consumer spent on the form: sent as `fillSeconds`, or taken from `formStartedAt`. */
  fillSeconds?: number;
  /** The honeypot field (`hp`) came with a value. */
  honeypotFilled?: boolean;
}

export const FASTEST_HUMAN_SECONDS = 3;

export function formSignals(form: FormEvidence | undefined): Finding[] {
  if (form === undefined) return [];
  const found: Finding[] = [];
  if (form.honeypotFilled) found.push({ name: "form_honeypot_filled", detail: "the form's hidden honeypot field was filled in" });
  if (form.fillSeconds !== undefined && form.fillSeconds < FASTEST_HUMAN_SECONDS) {
    found.push({ name: "form_fill_too_fast", detail: `the form was filled in ${form.fillSeconds} s, under ${FASTEST_HUMAN_SECONDS} s` });
  }
  return found;
}
