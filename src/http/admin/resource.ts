/**
 * The routes every configuration resource has, so publishers, buyers, lead
 * points and trees answer them the same way: read, list and disable; a
 * PATCH for those edited in part; a new API key for those that have one.
 */
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError, validationError } from "../errors";
import type { Db } from "../../store/db";
import { errorAnswer, jsonAnswer, jsonBody, operatorRoute } from "../operations";
import { listOf, RotatedKeySchema } from "./schemas";
import { mergePatch, type Patch } from "../../core/configPatch";

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

export interface PatchSpec<T, P> {
  body: z.ZodType<P>;
  /** What a patch does beyond replacing the fields it names. */
  description: string;
  /** The patched record, or undefined when there is none; a patched document that is not valid throws ApiError. */
  apply(db: Db, id: string, patch: P): Promise<T | undefined>;
}

const pascal = (words: string) => words.replace(/(^|\s)(\w)/g, (_all, _space, letter: string) => letter.toUpperCase());

/** The pieces of one resource's routes that every route of it shares. */
function partsOf<T>(spec: Pick<ResourceSpec<T>, "path" | "param" | "noun" | "present">) {
  const noun = spec.noun;
  return {
    one: `${spec.path}/{${spec.param}}`,
    Noun: pascal(noun),
    present: spec.present ?? ((record: T) => record),
    notFound: (id: string) => new ApiError("not_found", `${noun.replace(/^\w/, (letter) => letter.toUpperCase())} ${id} does not exist.`),
    // Any string: an id that cannot exist is a 404 like any other unknown id, not a 400.
    params: z.object({ [spec.param]: z.string() }),
    idOf: (path: Record<string, string>) => path[spec.param] ?? "",
  };
}

// The routes are widened to RouteConfig: their schemas document the response, the
// generic record type cannot also type-check it.
const route = (config: RouteConfig): RouteConfig => config;

export function registerReadAndDisable<T>(app: OpenAPIHono<AppEnv>, spec: ResourceSpec<T>): void {
  const { one, Noun, present, notFound, params, idOf } = partsOf(spec);
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

/** The document a patch leaves, validated whole as at creation: a patch cannot make what a create would refuse. */
export function validDocument<S extends z.ZodType>(schema: S, candidate: unknown): z.output<S> {
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) throw validationError(parsed.error, "The document the patch leaves is not valid.");
  return parsed.data;
}

interface RecordMeta {
  id: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * How a publisher or a buyer is patched: its document (what a create takes)
 * merged with the patch and validated whole, and `enabled` beside it, which
 * only a patch or a DELETE changes.
 */
export function patchWithEnabled<T extends RecordMeta, S extends z.ZodType<object>>(
  schema: S,
  get: (db: Db, id: string) => Promise<T | undefined>,
  update: (db: Db, id: string, record: z.output<S> & { enabled: boolean }, readAt: string) => Promise<T | undefined>,
) {
  return (db: Db, id: string, { enabled, ...fields }: Patch<z.output<S>> & { enabled?: boolean }): Promise<T | undefined> =>
    patchRecord(
      () => get(db, id),
      (stored) => {
        const { id: _id, enabled: wasEnabled, createdAt: _createdAt, updatedAt, ...document } = stored;
        return update(db, id, { ...validDocument(schema, mergePatch(document, fields)), enabled: enabled ?? wasEnabled }, updatedAt);
      },
    );
}

/** How often a patch is made again from a fresh read when another write landed between its read and its save. */
const PATCH_ATTEMPTS = 5;

/**
 * Reads a record, makes the patched version and saves it over the version
 * read (`save` answers undefined when that version is gone); when another
 * write landed in between, reads again and re-applies the patch, so
 * concurrent patches of one record all land. Undefined when there is no
 * such record.
 */
export async function patchRecord<T extends Pick<RecordMeta, "updatedAt">>(read: () => Promise<T | undefined>, save: (stored: T) => Promise<T | undefined>): Promise<T | undefined> {
  for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
    const stored = await read();
    if (!stored) return undefined;
    const saved = await save(stored);
    if (saved) return saved;
  }
  throw new ApiError("conflict", "The record kept changing while this patch was applied; send the patch again.");
}

export function registerPatch<T, P>(app: OpenAPIHono<AppEnv>, spec: ResourceSpec<T>, patch: PatchSpec<T, P>): void {
  const { one, Noun, present, notFound, params, idOf } = partsOf(spec);
  app.openapi(
    operatorRoute({
      method: "patch",
      path: one,
      operationId: `update${Noun}`,
      summary: `Change part of a ${spec.noun}`,
      description:
        `The fields the body names replace the stored ones, validated as at creation; fields it leaves out stay; null removes a field the ${spec.noun} may go without. ` +
        `${patch.description} Isolates running leads see the change from their next lead (the one that served this request at once, others within CONFIG_TTL_MS).`,
      request: { params, body: jsonBody(patch.body) },
      responses: {
        200: jsonAnswer(`The ${spec.noun} as it now is`, spec.schema),
        400: errorAnswer("The patch, or the document it leaves, is not valid"),
        404: errorAnswer(`No such ${spec.noun}`),
        409: errorAnswer(`The ${spec.noun} kept changing under the patch (concurrent patches are each applied to the version before them, a few times over); send it again`),
      },
    }),
    async (c) => {
      const id = idOf(c.req.param());
      const services = servicesOf(c.env);
      const record = await patch.apply(services.db, id, c.req.valid("json"));
      if (!record) throw notFound(id);
      services.config.invalidate();
      return c.json(present(record), 200);
    },
  );
}

/**
 * POST …/rotate-key: a new key, shown once; the old one is refused from the
 * next request in the isolate that rotated it, and in every other isolate
 * once its cached configuration is checked (CONFIG_TTL_MS, 5 s by default).
 */
export function registerRotateKey<T>(app: OpenAPIHono<AppEnv>, spec: ResourceSpec<T>, rotate: (db: Db, id: string) => Promise<string | undefined>): void {
  const { one, Noun, notFound, params, idOf } = partsOf(spec);
  app.openapi(
    route(
      operatorRoute({
        method: "post",
        path: `${one}/rotate-key`,
        operationId: `rotate${Noun}Key`,
        summary: `Give a ${spec.noun} a new API key`,
        description:
          "Answers the new key, shown only here; only its hash is stored. The old key is refused from the next request in the isolate that served this one, " +
          "and everywhere once each isolate checks its cached configuration (CONFIG_TTL_MS, 5 s by default). Takes no body.",
        request: { params },
        responses: { 200: jsonAnswer("The new key", RotatedKeySchema), 404: errorAnswer(`No such ${spec.noun}`) },
      }),
    ),
    async (c) => {
      const id = idOf(c.req.param());
      const services = servicesOf(c.env);
      const apiKey = await rotate(services.db, id);
      if (!apiKey) throw notFound(id);
      services.config.invalidate();
      return c.json({ apiKey }, 200);
    },
  );
}
