/**
 * Fits the points of each signal to the exchange's own outcomes: a logistic
 * regression of "the sale was good" on the signals a lead showed (one 0/1
 * indicator per signal name), by Newton's method for a fixed number of steps,
 * with an L2 penalty that pulls each weight towards its hand-set value rather
 * than towards 0: a signal the data rarely shows keeps about its hand-set
 * points, one it shows often moves to what the outcomes say. No randomness:
 * the same rows give the same weights.
 *
 * Weights are log-odds; points are weights × POINTS_PER_LOGIT (20 points
 * halve the odds of a good sale, the scorecard convention), rounded and
 * capped to -100..0, since a signal is doubt and never adds to a score.
 */
import { HAND_SET_POINTS, SIGNAL_NAMES, isSignalName, type SignalName } from "./catalog";

/** The labelled leads that showed one set of signals: how many turned out good, how many bad. */
export interface TrainingGroup {
  signals: readonly string[];
  positives: number;
  negatives: number;
}

export interface FitOptions {
  /** Points the penalty pulls towards; the hand-set table when absent. */
  prior?: Readonly<Record<SignalName, number>>;
  /** Strength of the pull, in the units of one lead's log-likelihood. */
  lambda?: number;
  iterations?: number;
}

export interface SignalFit {
  name: SignalName;
  /** Log-odds of a good sale with the signal, other things equal. */
  weight: number;
  points: number;
  /** Labelled leads that showed it, and the good ones among them. */
  rows: number;
  positives: number;
}

export interface FitStats {
  rows: number;
  positives: number;
  negatives: number;
  /** Mean negative log-likelihood of the fitted model on its training rows. */
  logLoss: number;
  /** Area under the ROC curve of the scores the fitted points give, and of those the hand-set points give, on the same rows. */
  auc: number;
  handSetAuc: number;
  /** Share of rows the fitted model calls right at p = 0.5. */
  accuracy: number;
  intercept: number;
  lambda: number;
  iterations: number;
}

export type FitResult =
  | { ok: true; points: Record<SignalName, number>; signals: SignalFit[]; stats: FitStats }
  | { ok: false; message: string; rows: number; positives: number; negatives: number };

/** Fewer labelled leads, or fewer of either class, and a fit says more about chance than about the signals. */
export const MIN_TRAINING_ROWS = 200;
export const MIN_PER_CLASS = 20;
export const POINTS_PER_LOGIT = 20 / Math.LN2;
const DEFAULT_LAMBDA = 5;
const DEFAULT_ITERATIONS = 30;

interface Pattern {
  features: number[];
  positives: number;
  negatives: number;
}

export function fitWeights(groups: readonly TrainingGroup[], options: FitOptions = {}): FitResult {
  const prior = options.prior ?? HAND_SET_POINTS;
  const lambda = options.lambda ?? DEFAULT_LAMBDA;
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  const patterns = patternsOf(groups);
  const positives = patterns.reduce((sum, p) => sum + p.positives, 0);
  const negatives = patterns.reduce((sum, p) => sum + p.negatives, 0);
  const rows = positives + negatives;
  if (rows < MIN_TRAINING_ROWS || positives < MIN_PER_CLASS || negatives < MIN_PER_CLASS) {
    return {
      ok: false,
      rows,
      positives,
      negatives,
      message: `A fit needs at least ${MIN_TRAINING_ROWS} labelled leads with ${MIN_PER_CLASS} good and ${MIN_PER_CLASS} bad among them; the window has ${rows} (${positives} good, ${negatives} bad).`,
    };
  }

  const k = SIGNAL_NAMES.length;
  const priorWeights = SIGNAL_NAMES.map((name) => prior[name] / POINTS_PER_LOGIT);
  // θ[0] is the intercept, θ[j + 1] the weight of SIGNAL_NAMES[j].
  const theta = [Math.log(positives / negatives), ...priorWeights];
  for (let step = 0; step < iterations; step += 1) {
    const gradient = new Array<number>(k + 1).fill(0);
    const hessian = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
    for (const pattern of patterns) {
      const n = pattern.positives + pattern.negatives;
      const p = sigmoid(linear(theta, pattern.features));
      const g = n * p - pattern.positives;
      const h = n * p * (1 - p);
      for (const a of pattern.features) {
        gradient[a] = (gradient[a] ?? 0) + g;
        const row = hessian[a] as number[];
        for (const b of pattern.features) row[b] = (row[b] ?? 0) + h;
      }
    }
    for (let j = 1; j <= k; j += 1) {
      gradient[j] = (gradient[j] ?? 0) + lambda * ((theta[j] ?? 0) - (priorWeights[j - 1] ?? 0));
      (hessian[j] as number[])[j] = ((hessian[j] as number[])[j] ?? 0) + lambda;
    }
    const delta = solve(hessian, gradient);
    for (let j = 0; j <= k; j += 1) theta[j] = (theta[j] ?? 0) - (delta[j] ?? 0);
  }

  const weights = theta.slice(1);
  const points = Object.fromEntries(SIGNAL_NAMES.map((name, j) => [name, pointsOf(weights[j] ?? 0)])) as Record<SignalName, number>;
  const signals: SignalFit[] = SIGNAL_NAMES.map((name, j) => {
    const showing = patterns.filter((pattern) => pattern.features.includes(j + 1));
    return {
      name,
      weight: weights[j] ?? 0,
      points: points[name],
      rows: showing.reduce((sum, p) => sum + p.positives + p.negatives, 0),
      positives: showing.reduce((sum, p) => sum + p.positives, 0),
    };
  });
  let loss = 0;
  let right = 0;
  for (const pattern of patterns) {
    const p = sigmoid(linear(theta, pattern.features));
    loss -= pattern.positives * Math.log(Math.max(p, 1e-15)) + pattern.negatives * Math.log(Math.max(1 - p, 1e-15));
    right += p >= 0.5 ? pattern.positives : pattern.negatives;
  }
  const scoreWith = (table: Readonly<Record<SignalName, number>>) => (pattern: Pattern) =>
    Math.max(0, 100 + pattern.features.slice(1).reduce((sum, a) => sum + table[SIGNAL_NAMES[a - 1] as SignalName], 0));
  return {
    ok: true,
    points,
    signals,
    stats: {
      rows,
      positives,
      negatives,
      logLoss: loss / rows,
      auc: auc(patterns, scoreWith(points)),
      handSetAuc: auc(patterns, scoreWith(prior)),
      accuracy: right / rows,
      intercept: theta[0] ?? 0,
      lambda,
      iterations,
    },
  };
}

export function pointsOf(weight: number): number {
  return Math.max(-100, Math.min(0, Math.round(weight * POINTS_PER_LOGIT)));
}

/** Merges groups that show the same known signals; names the catalog does not hold (retired signals) are left out. */
function patternsOf(groups: readonly TrainingGroup[]): Pattern[] {
  const byKey = new Map<string, Pattern>();
  for (const group of groups) {
    const features = [0, ...new Set(group.signals.filter(isSignalName).map((name) => SIGNAL_NAMES.indexOf(name) + 1))].sort((a, b) => a - b);
    const key = features.join(",");
    const pattern = byKey.get(key) ?? { features, positives: 0, negatives: 0 };
    pattern.positives += group.positives;
    pattern.negatives += group.negatives;
    byKey.set(key, pattern);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pattern]) => pattern);
}

function linear(theta: readonly number[], features: readonly number[]): number {
  return features.reduce((sum, a) => sum + (theta[a] ?? 0), 0);
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Probability that a good lead outscores a bad one, ties counting half. */
function auc(patterns: readonly Pattern[], score: (pattern: Pattern) => number): number {
  const byScore = new Map<number, { positives: number; negatives: number }>();
  for (const pattern of patterns) {
    const s = score(pattern);
    const at = byScore.get(s) ?? { positives: 0, negatives: 0 };
    at.positives += pattern.positives;
    at.negatives += pattern.negatives;
    byScore.set(s, at);
  }
  let negativesBelow = 0;
  let pairs = 0;
  let total = { positives: 0, negatives: 0 };
  for (const [, at] of [...byScore].sort(([a], [b]) => a - b)) {
    pairs += at.positives * (negativesBelow + at.negatives / 2);
    negativesBelow += at.negatives;
    total = { positives: total.positives + at.positives, negatives: total.negatives + at.negatives };
  }
  return total.positives * total.negatives === 0 ? 0.5 : pairs / (total.positives * total.negatives);
}

/** Gaussian elimination with partial pivoting; the penalty keeps the matrix positive definite. */
function solve(matrix: number[][], vector: number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i] ?? 0]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const top = a[col] as number[];
    const lead = top[col] ?? 0;
    if (Math.abs(lead) < 1e-12) continue;
    for (let r = col + 1; r < n; r += 1) {
      const row = a[r] as number[];
      const factor = (row[col] ?? 0) / lead;
      if (factor === 0) continue;
      for (let c = col; c <= n; c += 1) row[c] = (row[c] ?? 0) - factor * (top[c] ?? 0);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r -= 1) {
    const row = a[r] as number[];
    const lead = row[r] ?? 0;
    if (Math.abs(lead) < 1e-12) continue;
    let sum = row[n] ?? 0;
    for (let c = r + 1; c < n; c += 1) sum -= (row[c] ?? 0) * (x[c] ?? 0);
    x[r] = sum / lead;
  }
  return x;
}
