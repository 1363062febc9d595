import { OpenAPIHono } from "@hono/zod-openapi";
import type { Buyer } from "../store/config";
import { validationError } from "./errors";

export interface AppEnv {
  Bindings: Env;
}

/** The buyer API's routes: requireBuyer has put the caller's buyer in `c.var.buyer`. */
export interface BuyerEnv extends AppEnv {
  Variables: { buyer: Buyer };
}

/** Every router of the app is built here so that all share one validation hook. */
export function newRouter<E extends AppEnv = AppEnv>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
}
