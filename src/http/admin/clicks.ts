/** `GET /v1/admin/clicks/:clickId`: a click with its sub-IDs and the leads that carry it (click → lead → sale). */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { clickWithLeads } from "../../store/clicks";
import { leadStatuses } from "../../store/schema";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";
import type { AppEnv } from "../router";

const ClickSchema = z
  .object({
    id: z.string(),
    publisherId: z.string(),
    subId: z.string().optional(),
    subId2: z.string().optional(),
    subId3: z.string().optional(),
    landingUrl: z.string().describe("Where the visitor was sent, before the click id was added."),
    createdAt: z.string(),
    leads: z
      .array(
        z.object({
          id: z.string(),
          treeId: z.string(),
          status: z.enum(leadStatuses),
          priceCents: z.number().int(),
          payoutCents: z.number().int(),
          receivedAt: z.string(),
        }),
      )
      .describe("The leads its publisher submitted with this click id, newest first; each lead's sale is in GET /leads/{leadId}."),
  })
  .openapi("Click");

export function registerClickReads(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/clicks/{clickId}",
      operationId: "getClick",
      summary: "Read a click with its sub-IDs and the leads that carry it",
      description: "Reads what D1 has: a click is stored just after its redirect, a lead within a second of its answer.",
      request: { params: z.object({ clickId: z.string().min(1).max(255) }) },
      responses: { 200: jsonAnswer("The click", ClickSchema), 404: errorAnswer("No such click") },
    }),
    async (c) => {
      const { clickId } = c.req.valid("param");
      const click = await clickWithLeads(servicesOf(c.env).db, clickId);
      if (!click) throw new ApiError("not_found", `Click ${clickId} does not exist.`);
      return c.json(click, 200);
    },
  );
}
