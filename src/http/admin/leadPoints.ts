import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Endpoint } from "../../core/config";
import { createLeadPoint, disableLeadPoint, getBuyer, getLeadPoint, listLeadPoints, type LeadPointRecord } from "../../store/config";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { registerReadAndDisable } from "./resource";
import { LeadPointInput, LeadPointSchema } from "./schemas";

const REDACTED = "<redacted>";

function redact(endpoint: Endpoint | undefined): Endpoint | undefined {
  return endpoint?.secret ? { ...endpoint, secret: REDACTED } : endpoint;
}

/** An endpoint's signing secret is write-only: it never comes back in a response. */
export function presentLeadPoint(point: LeadPointRecord): LeadPointRecord {
  const ping = redact(point.ping);
  return { ...point, ...(ping ? { ping } : {}), post: redact(point.post) ?? point.post };
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
