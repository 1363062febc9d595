import { numberSetting } from "../core/settings";
import { configCacheFor, type ConfigCache } from "./configCache";
import { dbOf, type Db } from "./db";
import { scoreWeightsCacheFor, type ScoreWeightsCache } from "./scoreWeightsCache";

/** What every request, run and object needs from storage, built once per isolate. */
export interface Services {
  db: Db;
  config: ConfigCache;
  /** The active score weights, cached like the configuration and with its TTL. */
  scoreWeights: ScoreWeightsCache;
}

export function servicesOf(env: Env): Services {
  const ttlMs = numberSetting(env.CONFIG_TTL_MS, 5000);
  return { db: dbOf(env.DB), config: configCacheFor(ttlMs), scoreWeights: scoreWeightsCacheFor(ttlMs) };
}
