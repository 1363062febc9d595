import { numberSetting } from "../core/settings";
import { configCacheFor, type ConfigCache } from "./configCache";
import { dbOf, type Db } from "./db";

/** What every request, run and object needs from storage, built once per isolate. */
export interface Services {
  db: Db;
  config: ConfigCache;
}

export function servicesOf(env: Env): Services {
  return { db: dbOf(env.DB), config: configCacheFor(numberSetting(env.CONFIG_TTL_MS, 5000)) };
}
