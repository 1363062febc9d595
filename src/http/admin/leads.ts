import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { leadWithTrace } from "../../store/leadRead";
import { leadStatuses } from "../../store/schema";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";

const TraceEntrySchema = z.object({
  leadPointId: z.string(),
  phase: z.enum(["ping", "post"]),
  startedAt: z.string(),
  ms: z.number(),
  outcome: z.enum(["accepted", "declined", "timeout", "error", "skipped"]),
  bidCents: z.number().int().optional(),
  httpStatus: z.number().int().optional(),
  reason: z.string().optional(),
  cycle: z.number().int().optional(),
});

const LeadDetailSchema = z.looseObject({
  id: z.string(),
  treeId: z.string(),
  status: z.enum(leadStatuses),
  score: z.number().int(),
  signals: z.array(z.object({ name: z.string(), points: z.number(), detail: z.string() })),
  fields: z.record(z.string(), z.unknown()),
  trace: z.array(TraceEntrySchema),
  sales: z.array(z.looseObject({ id: z.string(), buyerId: z.string(), priceCents: z.number().int(), payoutCents: z.number().int(), marginCents: z.number().int() })),
  ledger: z.array(z.looseObject({ kind: z.string(), partyId: z.string(), amountCents: z.number().int() })),
}).openapi("LeadDetail");

export function registerLeadTrace(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/leads/{leadId}",
      operationId: "getLead",
      summary: "Read a lead with its full trace",
      description: "Every ping and post attempt, the lead's score and signals, its sales and ledger entries.",
      request: { params: z.object({ leadId: z.string().min(1).max(100) }) },
      responses: { 200: jsonAnswer("The lead", LeadDetailSchema), 404: errorAnswer("No such lead") },
    }),
    async (c) => {
      const { leadId } = c.req.valid("param");
      const lead = await leadWithTrace(servicesOf(c.env).db, leadId);
      if (!lead) throw new ApiError("not_found", `Lead ${leadId} does not exist (or is still being written).`);
      return c.json(lead, 200);
    },
  );
}
