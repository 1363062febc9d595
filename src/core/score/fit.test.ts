import { describe, expect, test } from "vitest";
import { HAND_SET_POINTS, type SignalName } from "./catalog";
import { fitWeights, MIN_PER_CLASS, MIN_TRAINING_ROWS, POINTS_PER_LOGIT, type TrainingGroup } from "./fit";

/** Log-odds of a good sale each signal truly costs, unlike the hand-set order (disposable -40, the others -5). */
const truth: Partial<Record<SignalName, number>> = { address_missing: -2.5, phone_state_mismatch: -1, email_disposable: 0 };
const intercept = 1.5;

/** Every combination of the signals, 500 leads each, good in exactly the share the true model gives: no randomness. */
function synthetic(rowsEach = 500): TrainingGroup[] {
  const names = Object.keys(truth) as SignalName[];
  const groups: TrainingGroup[] = [];
  for (let mask = 0; mask < 1 << names.length; mask += 1) {
    const signals = names.filter((_, i) => mask & (1 << i));
    const z = intercept + signals.reduce((sum, name) => sum + (truth[name] ?? 0), 0);
    const positives = Math.round(rowsEach / (1 + Math.exp(-z)));
    groups.push({ signals, positives, negatives: rowsEach - positives });
  }
  return groups;
}

describe("fitWeights", () => {
  test("recovers the true order of the signals from outcomes, against the hand-set order", () => {
    const fit = fitWeights(synthetic());
    if (!fit.ok) throw new Error(fit.message);
    const weight = (name: SignalName) => fit.signals.find((s) => s.name === name)?.weight ?? NaN;
    expect(weight("address_missing")).toBeLessThan(weight("phone_state_mismatch"));
    expect(weight("phone_state_mismatch")).toBeLessThan(weight("email_disposable"));
    for (const [name, value] of Object.entries(truth)) expect(weight(name as SignalName), name).toBeCloseTo(value, 0);
    expect(fit.points.address_missing).toBe(Math.round(weight("address_missing") * POINTS_PER_LOGIT));
    expect(fit.stats.auc).toBeGreaterThan(fit.stats.handSetAuc);
    expect(fit.stats).toMatchObject({ rows: 4000, positives: fit.stats.positives, negatives: 4000 - fit.stats.positives });
    expect(fit.stats.logLoss).toBeGreaterThan(0);
    expect(fit.stats.accuracy).toBeGreaterThan(0.5);
  });

  test("is deterministic: the same rows, in any order, give the same weights", () => {
    const rows = synthetic();
    const first = fitWeights(rows);
    expect(fitWeights(rows)).toEqual(first);
    expect(fitWeights([...rows].reverse())).toEqual(first);
    // Split groups merge: one group of 500 or two of 250 is the same data.
    const split = rows.flatMap((group) => [
      { ...group, positives: Math.floor(group.positives / 2), negatives: Math.floor(group.negatives / 2) },
      { ...group, positives: Math.ceil(group.positives / 2), negatives: Math.ceil(group.negatives / 2) },
    ]);
    expect(fitWeights(split)).toEqual(first);
  });

  test("a signal the outcomes never show keeps its hand-set points", () => {
    const fit = fitWeights(synthetic());
    if (!fit.ok) throw new Error(fit.message);
    expect(fit.points.age_minor).toBe(HAND_SET_POINTS.age_minor);
    expect(fit.signals.find((s) => s.name === "age_minor")).toMatchObject({ rows: 0, positives: 0 });
  });

  test("a signal the outcomes show as harmless costs nothing, and no signal ever adds points", () => {
    const fit = fitWeights(synthetic());
    if (!fit.ok) throw new Error(fit.message);
    expect(fit.points.email_disposable).toBeGreaterThan(-10);
    expect(Object.values(fit.points).every((points) => points <= 0 && points >= -100)).toBe(true);
  });

  test("names the catalog does not hold (retired signals) are left out", () => {
    const rows = synthetic();
    const withRetired = rows.map((group) => ({ ...group, signals: [...group.signals, "retired_signal"] }));
    expect(fitWeights(withRetired)).toEqual(fitWeights(rows));
  });

  test.each<{ name: string; groups: TrainingGroup[] }>([
    { name: "no rows", groups: [] },
    { name: "one lead short of the minimum", groups: [{ signals: [], positives: MIN_TRAINING_ROWS - 1 - MIN_PER_CLASS, negatives: MIN_PER_CLASS }] },
    { name: "only good leads", groups: [{ signals: [], positives: 5000, negatives: 0 }] },
    { name: "too few bad leads", groups: [{ signals: ["address_missing"], positives: 5000, negatives: MIN_PER_CLASS - 1 }] },
  ])("refuses $name", ({ groups }) => {
    const fit = fitWeights(groups);
    expect(fit.ok).toBe(false);
    if (!fit.ok) expect(fit.message).toContain(`${MIN_TRAINING_ROWS} labelled leads`);
  });

  test("fits a perfectly separated signal to a finite weight, capped at -100 points", () => {
    const fit = fitWeights([
      { signals: [], positives: 300, negatives: 0 },
      { signals: ["form_honeypot_filled"], positives: 0, negatives: 300 },
    ]);
    if (!fit.ok) throw new Error(fit.message);
    const honeypot = fit.signals.find((s) => s.name === "form_honeypot_filled");
    expect(Number.isFinite(honeypot?.weight)).toBe(true);
    expect(fit.points.form_honeypot_filled).toBeLessThanOrEqual(HAND_SET_POINTS.form_honeypot_filled);
    expect(fit.points.form_honeypot_filled).toBeGreaterThanOrEqual(-100);
  });
});
