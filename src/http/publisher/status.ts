/** `GET /v1/leads/:leadId`: a publisher reads its own lead's current status (held leads turn from pending). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { openAnswer } from "../../exchange/piiKeys";
import { readLead } from "../../exchange/readLead";
import { publisherView } from "../../store/leadRead";
import { servicesOf } from "../../store/services";
import { authenticatePublisher } from "../auth";
import { ApiError, PII_UNAVAILABLE } from "../errors";
import { errorAnswer, jsonAnswer, publisherRoute } from "../operations";
import type { AppEnv } from "../router";
import { LeadAnswerSchema } from "./schemas";

export function registerLeadStatus(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(
    publisherRoute({
      method: "get",
      path: "/leads/{leadId}",
      operationId: "getLeadStatus",
      summary: "Read the current status of one of your leads",
      description: "For a lead answered `pending`: it turns `accepted` or `declined` when a later run settles it.",
      request: { params: z.object({ leadId: z.string() }) },
      responses: {
        200: jsonAnswer("The lead's status", LeadAnswerSchema),
        404: errorAnswer("No such lead of yours"),
        503: errorAnswer(PII_UNAVAILABLE),
      },
    }),
  );
  app.get("/leads/:leadId", async (c) => {
    const services = servicesOf(c.env);
    const publisher = await authenticatePublisher(c, services, {});
    const leadId = c.req.param("leadId");
    const lead = await readLead(c.env, services, leadId);
    if (!lead || lead.publisherId !== publisher.id) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
    // The winning buyer's redirect URL rests sealed, since it may carry the consumer's details; its publisher gets it as the buyer gave it.
    return c.json(await openAnswer(c.env, publisherView(lead)), 200);
  });
}
