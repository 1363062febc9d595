/**
 * The read, list and disable routes every configuration resource has, so
 * publishers, buyers, lead points and trees answer them the same way.
 */
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import type { Db } from "../../store/db";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";
import { listOf } from "./schemas";

export interface ResourceSpec<T> {
  path: string;
  param: "id" | "treeId";
  /** The resource in words, singular ("lead point"); operation ids and summaries are made from it. */
  noun: string;
  schema: z.ZodType<T>;
  get(db: Db, id: string): Promise<T | undefined>;
  list(db: Db): Promise<T[]>;
  disable(db: Db, id: string): Promise<T | undefined>;
  /** What a response shows of a record (e.g. secrets redacted). */
  present?: (record: T) => T;
}

const pascal = (words: string) => words.replace(/(^|\s)(\w)/g, (_all, _space, letter: string) => letter.toUpperCase());

export function registerReadAndDisable<T>(app: OpenAPIHono<AppEnv>, spec: ResourceSpec<T>): void {
  const present = spec.present ?? ((record: T) => record);
  const one = `${spec.path}/{${spec.param}}`;
  const Noun = pascal(spec.noun);
  const notFound = (id: string) => new ApiError("not_found", `${spec.noun.replace(/^\w/, (letter) => letter.toUpperCase())} ${id} does not exist.`);
  // Any string: an id that cannot exist is a 404 like any other unknown id, not a 400.
  const params = z.object({ [spec.param]: z.string() });
  const idOf = (path: Record<string, string>) => path[spec.param] ?? "";

  // The routes are widened to RouteConfig: their schemas document the response, the
  // generic record type cannot also type-check it.
  const route = (config: RouteConfig): RouteConfig => config;
  const recordRoute = (method: "get" | "delete", operation: { operationId: string; summary: string; description?: string }, answer: string) =>
    route(operatorRoute({ method, path: one, ...operation, request: { params }, responses: { 200: jsonAnswer(answer, spec.schema), 404: errorAnswer(`No such ${spec.noun}`) } }));
  app.openapi(
    route(
      operatorRoute({
        method: "get",
        path: spec.path,
        operationId: `list${Noun}s`,
        summary: `List ${spec.noun}s`,
        responses: { 200: jsonAnswer(`Every ${spec.noun}, disabled ones included`, listOf(spec.schema)) },
      }),
    ),
    async (c) => c.json({ items: (await spec.list(servicesOf(c.env).db)).map(present) }, 200),
  );
  app.openapi(
    recordRoute("get", { operationId: `get${Noun}`, summary: `Read a ${spec.noun}` }, `The ${spec.noun}`),
    async (c) => {
      const id = idOf(c.req.param());
      const record = await spec.get(servicesOf(c.env).db, id);
      if (!record) throw notFound(id);
      return c.json(present(record), 200);
    },
  );
  app.openapi(
    recordRoute(
      "delete",
      { operationId: `disable${Noun}`, summary: `Disable a ${spec.noun}`, description: "It reads back with enabled:false; its history is kept." },
      `The disabled ${spec.noun}`,
    ),
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
