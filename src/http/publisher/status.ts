/** `GET /v1/leads/:leadId`: a publisher reads its own lead's current status (held leads turn from pending). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { publisherLeadStatus } from "../../store/leadRead";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, publisherRoute } from "../operations";
import type { AppEnv } from "../router";
import { authenticate } from "./leads";
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
      },
    }),
  );
  app.get("/leads/:leadId", async (c) => {
    const services = servicesOf(c.env);
    const publisher = await authenticate(c, services, {});
    const leadId = c.req.param("leadId");
    const status = await publisherLeadStatus(services.db, publisher.id, leadId);
    if (!status) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
    return c.json(status, 200);
  });
}
