/** `GET /v1/leads/:leadId`: a publisher reads its own lead's current status (held leads turn from pending). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { readLead } from "../../exchange/readLead";
import { publisherView } from "../../store/leadRead";
import { servicesOf } from "../../store/services";
import { authenticatePublisher } from "../auth";
import { ApiError, ErrorBodySchema } from "../errors";
import type { AppEnv } from "../router";
import { LeadAnswerSchema } from "./leads";

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
    const publisher = await authenticatePublisher(c, services, {});
    const leadId = c.req.param("leadId");
    const lead = await readLead(c.env, services, leadId);
    if (!lead || lead.publisherId !== publisher.id) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
    return c.json(publisherView(lead), 200);
  });
}
