/**
 * Lead quality score: 100 less the points of every doubtful signal found,
 * clamped to 0..100. Which signals a lead shows is fixed by its data; what
 * each costs comes from a version of the weights (catalog.ts), hand-set or
 * fitted to outcomes (fit.ts). Deterministic: same lead, history, `now` and
 * weights version, same score.
 */
import type { FieldSpec } from "../config";
import type { ConsentRecord, ConsumerHistory, LeadFields, LeadScore, SubmissionMeta } from "../lead";
import { HAND_SET_POINTS, HAND_SET_WEIGHTS, type Finding, type ScoreWeights } from "./catalog";
import { consentSignals } from "./consent";
import { emailSignals, phoneSignals } from "./contact";
import { formSignals, type FormEvidence } from "./form";
import { ageSignals, nameSignals } from "./person";
import { placeSignals } from "./place";
import { qualifierSignals } from "./qualifiers";
import { text } from "./text";
import { velocitySignals } from "./velocity";

export { HAND_SET_POINTS, HAND_SET_WEIGHTS, SIGNAL_NAMES, isSignalName, type ScoreWeights, type SignalName } from "./catalog";
export type { FormEvidence } from "./form";

export interface ScoreInput {
  fields: LeadFields;
  consent: ConsentRecord;
  meta: SubmissionMeta;
  /** What the publisher's form said of how it was filled in; absent when it sent nothing. */
  form?: FormEvidence;
  /** Absent when the consumer objects were not asked (no phone, email or IP to key on). */
  history?: ConsumerHistory;
  /** The tree's declared fields: its qualifiers are judged against them. */
  treeFields?: readonly FieldSpec[];
}

export function scoreLead(input: ScoreInput, now: Date, weights: ScoreWeights = HAND_SET_WEIGHTS): LeadScore {
  const findings: Finding[] = [
    ...emailSignals(text(input.fields.email)),
    ...phoneSignals(text(input.fields.phone), text(input.fields.state).toUpperCase()),
    ...nameSignals(text(input.fields.firstName), text(input.fields.lastName)),
    ...placeSignals(input.fields),
    ...ageSignals(text(input.fields.dateOfBirth), now),
    ...consentSignals(input.fields, input.consent, now),
    ...formSignals(input.form),
    ...velocitySignals(input.history),
    ...qualifierSignals(input.treeFields ?? [], input.fields, now),
  ];
  const signals = findings.map(({ name, detail }) => ({ name, points: weights.points[name] ?? HAND_SET_POINTS[name], detail }));
  const total = signals.reduce((sum, signal) => sum + signal.points, 100);
  return { score: Math.max(0, Math.min(100, total)), signals, weightsVersion: weights.version };
}
