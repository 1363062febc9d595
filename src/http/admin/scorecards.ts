/** `GET /v1/admin/scorecards`: how each lead point did with the leads of a window, in JSON or CSV. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { scorecardColumns } from "../../core/reports/scorecard";
import { scorecards } from "../../store/scorecards";
import { servicesOf } from "../../store/services";
import { errorAnswer, operatorRoute } from "../operations";
import type { AppEnv } from "../router";
import { csvAnswer, reportAnswer, windowOf, windowQuery } from "./reportQuery";

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1);
const ms = z.number().int().nullable().describe("Response time of the point's pings and posts in ms; null when it made none.");

const ScorecardRowSchema = z
  .object({
    leadPointId: z.string(),
    pings: count.describe("Pings made to the point for the leads received in the window."),
    pingAccepts: count.describe("Pings it answered with a bid."),
    pingAcceptRate: rate.describe("pingAccepts / pings, to four decimals."),
    posts: count.describe("Posts made to it (refused, timed out or failed ones included)."),
    postAccepts: count.describe("Posts it accepted."),
    postAcceptRate: rate.describe("postAccepts / posts, to four decimals."),
    timeouts: count.describe("Pings and posts it did not answer before the deadline."),
    timeoutRate: rate.describe("timeouts / (pings + posts), to four decimals."),
    p50Ms: ms,
    p95Ms: ms,
    sales: count.describe("Leads of the window it bought."),
    returns: count.describe("Of those, the ones it returned (whenever it did)."),
    returnRate: rate.describe("returns / sales, to four decimals."),
    conversions: count.describe("Of those, the ones it reported sold (POST /v1/buyer/leads/{leadId}/conversion with event `sold`)."),
    conversionRate: rate.describe("conversions / sales, to four decimals."),
  })
  .openapi("ScorecardRow");

export const ScorecardsSchema = z
  .object({
    from: z.string().describe("Start of the window, inclusive, UTC."),
    to: z.string().describe("End of the window, exclusive, UTC."),
    rows: z.array(ScorecardRowSchema).describe("One row per lead point that was offered a lead of the window, ordered by id."),
  })
  .openapi("Scorecards");

const scorecardsDescription = [
  "A scorecard follows the leads received in the window: the pings and posts made for them (the same counts as GET /v1/admin/reports/summary?groupBy=leadPoint),",
  "and of those the point bought, how many it returned or reported sold, whenever it did. A lead's trace (GET /v1/admin/leads/{leadId}) shows each attempt counted.",
].join(" ");

const ScorecardQuery = z.object({ ...windowQuery, leadPointId: z.string().min(1).optional().describe("Only this lead point's row.") });

export function registerScorecards(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/scorecards",
      operationId: "listScorecards",
      summary: "Score each lead point over a window: accept, timeout, return and conversion rates and response times",
      description: scorecardsDescription,
      request: { query: ScorecardQuery },
      responses: { 200: reportAnswer("The scorecards (JSON), or their rows as CSV", ScorecardsSchema), 400: errorAnswer("A query parameter is not valid") },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const window = windowOf(query);
      const rows = await scorecards(servicesOf(c.env).db, window, query.leadPointId === undefined ? {} : { leadPointId: query.leadPointId });
      if (query.format === "csv") return csvAnswer(c, scorecardColumns, rows);
      return c.json({ ...window, rows }, 200);
    },
  );
}
