import { OpenAPIHono } from "@hono/zod-openapi";
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
