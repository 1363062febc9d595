import { OpenAPIHono } from "@hono/zod-openapi";
import { dbOf, type Db } from "../store/db";
import { configCacheFor, type ConfigCache } from "../store/configCache";
import { validationError } from "./errors";

export interface AppEnv {
  Bindings: Env;
}

/** Every router of the app is built here so that all share one validation hook. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}

export interface Services {
  db: Db;
  config: ConfigCache;
}

export function servicesOf(env: Env): Services {
  return { db: dbOf(env.DB), config: configCacheFor(Number(env.CONFIG_TTL_MS) || 5000) };
}
