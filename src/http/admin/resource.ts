/**
 * The read, list and disable routes every configuration resource has, so
 * publishers, buyers, lead points and trees answer them the same way.
 */
import { createRoute, type OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError, ErrorBodySchema } from "../errors";
import type { Db } from "../../store/db";
import { listOf } from "./schemas";

export const errorResponses = {
  400: { description: "Invalid document", content: { "application/json": { schema: ErrorBodySchema } } },
  401: { description: "Missing or wrong operator token", content: { "application/json": { schema: ErrorBodySchema } } },
  404: { description: "Not found", content: { "application/json": { schema: ErrorBodySchema } } },
} as const;

export interface ResourceSpec<T> {
  path: string;
  param: "id" | "treeId";
  tag: string;
  schema: z.ZodType<T>;
  get(db: Db, id: string): Promise<T | undefined>;
  list(db: Db): Promise<T[]>;
  disable(db: Db, id: string): Promise<T | undefined>;
  /** What a response shows of a record (e.g. secrets redacted). */
  present?: (record: T) => T;
}

export function registerReadAndDisable<T>(app: OpenAPIHono<AppEnv>, spec: ResourceSpec<T>): void {
  const present = spec.present ?? ((record: T) => record);
  const one = `${spec.path}/{${spec.param}}`;
  const notFound = (id: string) => new ApiError("not_found", `${spec.tag} ${id} does not exist.`);
  const idOf = (params: Record<string, string>) => params[spec.param] ?? "";

  // The routes are widened to RouteConfig: their schemas document the response, the
  // generic record type cannot also type-check it.
  const route = (config: RouteConfig): RouteConfig => createRoute(config);
  app.openapi(
    route({ method: "get", path: spec.path, tags: [spec.tag], responses: { 200: { description: "All records", content: { "application/json": { schema: listOf(spec.schema) } } }, ...errorResponses } }),
    async (c) => c.json({ items: (await spec.list(servicesOf(c.env).db)).map(present) }, 200),
  );
  app.openapi(
    route({ method: "get", path: one, tags: [spec.tag], responses: { 200: { description: "The record", content: { "application/json": { schema: spec.schema } } }, ...errorResponses } }),
    async (c) => {
      const id = idOf(c.req.param());
      const record = await spec.get(servicesOf(c.env).db, id);
      if (!record) throw notFound(id);
      return c.json(present(record), 200);
    },
  );
  app.openapi(
    route({
      method: "delete",
      path: one,
      tags: [spec.tag],
      description: "Disables the record; it reads back with enabled:false and its history is kept.",
      responses: { 200: { description: "The disabled record", content: { "application/json": { schema: spec.schema } } }, ...errorResponses },
    }),
    async (c) => {
      const id = idOf(c.req.param());
      const services = servicesOf(c.env);
      if (!(await spec.get(services.db, id))) throw notFound(id);
      const record = await spec.disable(services.db, id);
      services.config.invalidate();
      if (!record) throw notFound(id);
      return c.json(present(record), 200);
    },
  );
}
