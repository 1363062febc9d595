/**
 * The operator's leads: a page of them, one with its full trace (readable
 * from the moment its publisher has the answer), and the resolution of a
 * lead in review.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { gateAddressOfLead } from "../../core/gateAddress";
import { unsoldCauses } from "../../core/unsoldCause";
import { gateAt } from "../../exchange/gates";
import { openStored } from "../../exchange/piiKeys";
import { readLead } from "../../exchange/readLead";
import { listLeads } from "../../store/leadList";
import { leadStatuses } from "../../store/schema";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { ApiError, PII_UNAVAILABLE } from "../errors";
import { errorAnswer, jsonAnswer, jsonBody, operatorRoute } from "../operations";
import { pageQuery, pagePosition } from "../paging";

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
  bidRules: z
    .array(
      z.object({
        index: z.number().int().describe("The rule's place in the lead point's bidRules, from 0."),
        name: z.string().optional().describe("The rule's name, when it has one."),
        beforeCents: z.number().int(),
        afterCents: z.number().int().describe("The running price after the rule; the bid is never under zero, however low this goes."),
      }),
    )
    .optional()
    .describe("The bid rules that fired on the price, in order: on the ping's entry (whose bidCents is the buyer's answer), or on the post's for a point never pinged."),
  ranking: z
    .object({
      postAcceptRate: z.number().describe("The lead point's post-accept rate over the last 30 days, smoothed toward the tree's average."),
      posts: z.number().int().describe("Posts made to the lead point in those days."),
      postAccepts: z.number().int().describe("Posts it accepted."),
      returnRate: z.number().describe("Its return rate over those days, smoothed toward the tree's average."),
      sales: z.number().int().describe("Leads it bought in those days."),
      returns: z.number().int().describe("Leads of those it returned."),
      expectedValueCents: z.number().describe("price × postAcceptRate × (1 − returnRate), to a hundredth of a cent: what the bid ranked by."),
    })
    .optional()
    .describe("Set when the tier ranks by expected value: the figures the bid was ranked by (on the ping's entry, or on the post's for a point never pinged)."),
});

const LeadDetailSchema = z.looseObject({
  id: z.string(),
  treeId: z.string(),
  treeVersion: z.number().int().describe("The version of the tree the lead's run used (the run that settled it, for a lead run more than once)."),
  status: z.enum(leadStatuses),
  cause: z.enum(unsoldCauses).optional().describe("Why the lead was not sold, when it ended unsold or rejected; reports group by the same causes."),
  duplicateOf: z
    .object({
      leadId: z.string(),
      receivedAt: z.string().describe("When the earlier lead arrived."),
      field: z.enum(["phone", "email", "ip"]).describe("The normalized field the two leads share."),
      action: z.enum(["decline", "flag"]).describe("What the tree's duplicate rule did: declined this lead (cause `duplicate`), or let it through flagged."),
    })
    .optional()
    .describe("The newest earlier lead of the tree this one duplicates under the tree's `duplicates` rule."),
  score: z.number().int(),
  signals: z.array(z.object({ name: z.string(), points: z.number(), detail: z.string() })).describe("What the score found, each with the points it cost under the weights version that scored the lead."),
  scoreWeightsVersion: z.number().int().describe("The score weights version that priced the signals (GET /score-weights/{version}); 0 is the hand-set table."),
  fields: z.record(z.string(), z.unknown()),
  trace: z.array(TraceEntrySchema),
  sales: z.array(z.looseObject({ id: z.string(), buyerId: z.string(), priceCents: z.number().int(), payoutCents: z.number().int(), marginCents: z.number().int() })),
  ledger: z.array(z.looseObject({ kind: z.string(), partyId: z.string(), amountCents: z.number().int() })),
}).openapi("LeadDetail");

const LeadSummarySchema = z.looseObject({
  id: z.string(),
  treeId: z.string(),
  publisherId: z.string(),
  status: z.enum(leadStatuses),
  score: z.number().int(),
  priceCents: z.number().int(),
  payoutCents: z.number().int(),
  receivedAt: z.string(),
}).openapi("LeadSummary");

const LeadQuerySchema = z.object({
  status: z.enum(leadStatuses).optional(),
  treeId: z.string().max(64).optional(),
  publisherId: z.string().max(100).optional(),
  ...pageQuery,
});

const LeadIdParam = z.object({ leadId: z.string().min(1).max(100) });

const ResolutionSchema = z
  .discriminatedUnion("outcome", [
    z.strictObject({ outcome: z.literal("sold"), leadPointId: z.string().min(1).max(100), priceCents: z.number().int().min(0).max(100_000_000) }),
    z.strictObject({ outcome: z.literal("unsold") }),
  ])
  .openapi("LeadResolution");

export function registerLeads(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/leads",
      operationId: "listLeads",
      summary: "List leads, newest first, by status, tree, publisher and time received",
      description: "Reads what D1 has: a lead appears here within a second of its answer (GET /leads/{leadId} reads it at once).",
      request: { query: LeadQuerySchema },
      responses: {
        200: jsonAnswer("A page; `nextCursor` fetches the next", z.object({ items: z.array(LeadSummarySchema), nextCursor: z.string().optional() })),
        400: errorAnswer("A query parameter is not valid"),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      return c.json(await listLeads(servicesOf(c.env).db, query, pagePosition(query.cursor)), 200);
    },
  );

  app.openapi(
    operatorRoute({
      method: "get",
      path: "/leads/{leadId}",
      operationId: "getLead",
      summary: "Read a lead with its full trace",
      description: "Every ping and post attempt, the lead's score and signals, its sales and ledger entries; readable from the moment its publisher has the answer.",
      request: { params: LeadIdParam },
      responses: { 200: jsonAnswer("The lead", LeadDetailSchema), 404: errorAnswer("No such lead"), 503: errorAnswer(PII_UNAVAILABLE) },
    }),
    async (c) => {
      const { leadId } = c.req.valid("param");
      const lead = await readLead(c.env, servicesOf(c.env), leadId);
      if (!lead) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
      return c.json(await openStored(c.env, lead), 200);
    },
  );

  app.openapi(
    operatorRoute({
      method: "post",
      path: "/leads/{leadId}/resolve",
      operationId: "resolveLead",
      summary: "Settle a lead held in review: sold to a lead point at a price, or unsold",
      description: "For a lead whose post answer was lost. Exactly once: the sale (or none) and its ledger lines are written, caps count it, the publisher gets its postback. A lead in any other status is 409.",
      request: { params: LeadIdParam, body: jsonBody(ResolutionSchema) },
      responses: {
        200: jsonAnswer("The lead as resolved", LeadDetailSchema),
        400: errorAnswer("The resolution is not valid or does not fit the lead"),
        404: errorAnswer("No such lead"),
        409: errorAnswer("The lead is not in review"),
        503: errorAnswer(PII_UNAVAILABLE),
      },
    }),
    async (c) => {
      const { leadId } = c.req.valid("param");
      const resolution = c.req.valid("json");
      const address = gateAddressOfLead(leadId);
      const services = servicesOf(c.env);
      const before = await readLead(c.env, services, leadId);
      if (!before) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
      if (!address || before.status !== "review") throw new ApiError("conflict", `Lead ${leadId} is ${before.status}, not in review: only a lead in review can be resolved.`);
      const resolved = await gateAt(c.env, address).resolve(leadId, resolution);
      if (resolved.kind === "notFound") throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
      if (resolved.kind === "conflict") throw new ApiError("conflict", `${resolved.reason[0]?.toUpperCase()}${resolved.reason.slice(1)}.`);
      if (resolved.kind === "invalid") throw new ApiError("validation_failed", "The resolution does not fit the lead.", [{ path: resolved.path, message: resolved.message }]);
      const lead = await readLead(c.env, services, leadId);
      if (!lead) throw new ApiError("not_found", `Lead ${leadId} does not exist.`);
      return c.json(await openStored(c.env, lead), 200);
    },
  );
}
