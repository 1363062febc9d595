/** `GET /v1/leads/:leadId`: a publisher reads its own lead's current status (held leads turn from pending). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { publisherLeadStatus } from "../../store/leadRead";
import { servicesOf } from "../../store/services";
import { ApiError, ErrorBodySchema } from "../errors";
import type { AppEnv } from "../router";
import { authenticate, LeadAnswerSchema } from "./leads";

export function registerLeadStatus(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/leads/{leadId}",
    tags: ["Publisher"],
    summary: "The current status of one of your leads",
    security: [{ publisherKey: [] }],
    request: { params: z.object({ leadId: z.string() }) },
    responses: {
      200: { description: "The lead's status", content: { "application/json": { schema: LeadAnswerSchema } } },
      401: { description: "Missing or wrong publisher key", content: { "application/json": { schema: ErrorBodySchema } } },
      404: { description: "No such lead of yours", content: { "application/json": { schema: ErrorBodySchema } } },
    },
  });
  app.get("/leads/:leadId", async (c) => {
    const services = servicesOf(c.env);
    const publisher = await authenticate(c, services, {});
    const leadId = c.req.param("leadId");
    const status = await publisherLeadStatus(services.db, publisher.id, leadId);
    if (!status) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
    return c.json(status, 200);
  });
}
