/**
 * The active score weights from the isolate's memory: a lead's hot path
 * reads them here, and D1 at most once per TTL per isolate (one tiny read,
 * shared by the leads that arrive while it runs). Activating a version in
 * this isolate drops the cache at once; other isolates follow within the TTL.
 * A failed read keeps the weights last known (hand-set at first): scoring a
 * lead never waits on, or fails with, this read.
 */
import { HAND_SET_WEIGHTS, type ScoreWeights } from "../core/score";
import type { Db } from "./db";
import { readActiveWeights } from "./scoreWeights";

export class ScoreWeightsCache {
  private weights: ScoreWeights = HAND_SET_WEIGHTS;
  private checkedAt = -Infinity;
  private reading: Promise<ScoreWeights> | undefined;
  /** Bumped by invalidate: a read that began before it must not mark the cache fresh. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly read: (db: Db) => Promise<ScoreWeights> = readActiveWeights,
  ) {}

  async active(db: Db, now = Date.now()): Promise<ScoreWeights> {
    if (now - this.checkedAt < this.ttlMs) return this.weights;
    if (this.reading) return this.reading;
    const generation = this.generation;
    const reading = this.read(db).then(
      (weights) => {
        this.weights = weights;
        return weights;
      },
      () => this.weights,
    );
    this.reading = reading;
    void reading.finally(() => {
      if (this.reading === reading) this.reading = undefined;
      if (this.generation === generation) this.checkedAt = now;
    });
    return reading;
  }

  invalidate(): void {
    this.generation += 1;
    this.checkedAt = -Infinity;
    this.reading = undefined;
  }
}

let shared: ScoreWeightsCache | undefined;

/** The isolate's one cache; its TTL comes from the first environment that asks. */
export function scoreWeightsCacheFor(ttlMs: number): ScoreWeightsCache {
  shared ??= new ScoreWeightsCache(ttlMs);
  return shared;
}
