/**
 * Every operation of the API is declared through one of these builders, so
 * the type checker refuses a route that lacks what its clients need: an
 * operationId (the method name a generated client gets), a summary, its
 * path parameters, and its audience's tag and credential, which the builder
 * adds itself along with the 401 answer that credential implies.
 *
 *   app.openapi(operatorRoute({ method: "get", path: "/leads/{leadId}", operationId: "getLead", summary: "Read a lead",
 *     request: { params: z.object({ leadId: z.string() }) },
 *     responses: { 200: jsonAnswer("The lead", LeadDetailSchema), 404: errorAnswer("No such lead") } }), handler);
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import { audiences, type Audience, type AudienceName } from "./audiences";
import { ErrorBodySchema } from "./errors";

/** A JSON request body, required. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return { required: true, content: { "application/json": { schema } } };
}

/** A JSON answer. */
export function jsonAnswer<S extends z.ZodType>(description: string, schema: S) {
  return { description, content: { "application/json": { schema } } };
}

/** An error answer in the contract's one shape, documented by reference to the `Error` component. */
export function errorAnswer(description: string) {
  return jsonAnswer(description, ErrorBodySchema);
}

type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParamNames<Rest> : never;

type RouteRequest = NonNullable<RouteConfig["request"]>;

/** A path that names `{leadId}` must declare `leadId` in request.params, or clients cannot fill it in. */
type RequestFor<P extends string> = [PathParamNames<P>] extends [never]
  ? { request?: RouteRequest }
  : { request: RouteRequest & { params: z.ZodType<Record<PathParamNames<P>, string>> } };

export type OperationConfig<P extends string> = Omit<RouteConfig, "path" | "request" | "tags" | "security" | "operationId" | "summary"> &
  RequestFor<P> & {
    path: P;
    /** A camelCase verb and noun for what the operation does (createPublisher, getLeadStatus): generated clients name it so. */
    operationId: string;
    summary: string;
  };

function declare<P extends string, R extends OperationConfig<P>>(audience: Audience, authenticated: boolean, config: R & { path: P }) {
  return createRoute({
    ...config,
    tags: [audience.tag.name],
    // An empty list says "no credential" explicitly, where an absent one would leave clients guessing.
    security: authenticated ? [{ [audience.schemeName]: [] }] : [],
    responses: { ...config.responses, ...(authenticated ? { 401: errorAnswer(audience.unauthorized) } : {}) },
  });
}

export const operatorRoute = <P extends string, R extends OperationConfig<P>>(config: R & { path: P }) => declare(audiences.operator, true, config);
export const publisherRoute = <P extends string, R extends OperationConfig<P>>(config: R & { path: P }) => declare(audiences.publisher, true, config);
export const buyerRoute = <P extends string, R extends OperationConfig<P>>(config: R & { path: P }) => declare(audiences.buyer, true, config);

/** An operation anyone may call (GET /healthz, a click redirect): still one audience's, without a credential. */
export const openRoute = <P extends string, R extends OperationConfig<P>>(audience: AudienceName, config: R & { path: P }) => declare(audiences[audience], false, config);
