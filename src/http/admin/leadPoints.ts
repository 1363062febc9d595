import type { OpenAPIHono } from "@hono/zod-openapi";
import type { LeadPointInput as LeadPointDocument } from "../../core/config";
import { maskEndpoint } from "../../core/credentials";
import { leadPointWireProblems } from "../../buyers/wire";
import { createLeadPoint, disableLeadPoint, getBuyer, getLeadPoint, listLeadPoints, type LeadPointRecord } from "../../store/config";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { registerReadAndDisable } from "./resource";
import { LeadPointInput, LeadPointSchema } from "./schemas";

/**
 * An endpoint's signing secret and header values (where buyers put their
 * API keys) are write-only: every response shows that they are set, never
 * what they are.
 */
export function presentLeadPoint(point: LeadPointRecord): LeadPointRecord {
  return { ...point, ...(point.ping ? { ping: maskEndpoint(point.ping) } : {}), post: maskEndpoint(point.post) };
}

/**
 * A lead point whose buyer mapping cannot work is refused when it is saved,
 * not met by its first lead; an edit checks the merged document the same way.
 */
export function refuseBrokenWire(point: Pick<LeadPointDocument, "ping" | "post">): void {
  const problems = leadPointWireProblems(point);
  if (problems.length) throw new ApiError("validation_failed", "The lead point's buyer mapping cannot work; the fields say why.", problems);
}

export function registerLeadPoints(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "post",
      path: "/lead-points",
      operationId: "createLeadPoint",
      summary: "Create a lead point: where and how a buyer is pinged and posted",
      request: { body: jsonBody(LeadPointInput) },
      responses: {
        201: jsonAnswer("Created", LeadPointSchema),
        400: errorAnswer("The document is not valid, or names a buyer that does not exist"),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      refuseBrokenWire(input);
      const services = servicesOf(c.env);
      if (!(await getBuyer(services.db, input.buyerId))) {
        throw new ApiError("validation_failed", "The lead point names a buyer that does not exist.", [{ path: "buyerId", message: `buyer ${input.buyerId} does not exist` }]);
      }
      const point = await createLeadPoint(services.db, input);
      services.config.invalidate();
      return c.json(presentLeadPoint(point), 201);
    },
  );
  registerReadAndDisable(app, {
    path: "/lead-points",
    param: "id",
    noun: "lead point",
    schema: LeadPointSchema,
    get: getLeadPoint,
    list: listLeadPoints,
    disable: disableLeadPoint,
    present: presentLeadPoint,
  });
}
