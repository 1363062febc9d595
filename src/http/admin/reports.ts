/** `GET /v1/admin/reports/summary`: leads, buyer attempts and money per group over a window, in JSON or CSV. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { summaryColumns, summaryGroups, summaryRows, summaryTotals } from "../../core/reports/summary";
import { attemptCountsBy, leadCountsBy, moneyBy } from "../../store/reports";
import { servicesOf } from "../../store/services";
import { errorAnswer, operatorRoute } from "../operations";
import type { AppEnv } from "../router";
import { csvAnswer, reportAnswer, windowOf, windowQuery } from "./reportQuery";

const count = z.number().int().min(0);
const cents = z.number().int();
const ms = z.number().int().nullable().describe("Response time of the group's pings and posts in ms; null when it made none.");

const SummaryRowSchema = z
  .object({
    key: z.string().describe("The group: a buyer, publisher, tree or lead point id, a UTC day (2026-03-01) or hour (2026-03-01T14:00:00Z)."),
    leads: count.describe("Leads received in the window; by buyer or lead point, those it was offered (pinged or posted)."),
    rejected: count.describe("Refused by the tree before any buyer (its filters, score floor or daily limit)."),
    sold: count.describe("Sold; by buyer or lead point, bought by it."),
    unsold: count.describe("Ended without a sale (by buyer or lead point: not bought by it); each lead's cause is in GET /leads/{leadId}."),
    pending: count.describe("Still open: held for another cycle, or in review."),
    revenueCents: cents.describe("Buyer charges less refunds, written in the window."),
    payoutCents: cents.describe("Publisher payouts less their reversals, written in the window."),
    marginCents: cents.describe("The exchange's margin less its reversals: revenueCents − payoutCents."),
    pings: count,
    pingAccepts: count,
    posts: count,
    postAccepts: count,
    returns: count.describe("Buyer refunds written in the window."),
    acceptanceRate: z.number().min(0).max(1).describe("sold / leads, to four decimals."),
    postToPingRatio: z.number().min(0).describe("posts / pings, to four decimals."),
    p50Ms: ms,
    p95Ms: ms,
  })
  .openapi("SummaryRow");

const SummarySchema = z
  .object({
    groupBy: z.enum(summaryGroups),
    from: z.string().describe("Start of the window, inclusive, UTC."),
    to: z.string().describe("End of the window, exclusive, UTC."),
    rows: z.array(SummaryRowSchema).describe("One row per group, ordered by key."),
    totals: SummaryRowSchema.describe("The rows added up (key `total`), rates and percentiles over everything."),
  })
  .openapi("Summary");

const SummaryQuery = z.object({ groupBy: z.enum(summaryGroups).describe("What a row is: one buyer, publisher, tree, lead point, UTC day or UTC hour."), ...windowQuery });

export function registerReports(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/reports/summary",
      operationId: "getSummaryReport",
      summary: "Summarize leads, buyer attempts and money per buyer, publisher, tree, lead point, day or hour",
      description: [
        "Counts are of the leads received in the window and of their pings and posts; money is of the ledger lines written in the window, net of reversals,",
        "so a return lowers the window it happened in. Money reconciles with GET /statements to the cent. Days and hours are UTC.",
      ].join(" "),
      request: { query: SummaryQuery },
      responses: { 200: reportAnswer("The summary (JSON), or its rows as CSV", SummarySchema), 400: errorAnswer("A query parameter is not valid") },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const window = windowOf(query);
      const { db } = servicesOf(c.env);
      const [counts, attempts, money] = await Promise.all([leadCountsBy(db, window, query.groupBy), attemptCountsBy(db, window, query.groupBy), moneyBy(db, window, query.groupBy)]);
      const rows = summaryRows(counts, attempts, money);
      if (query.format === "csv") return csvAnswer(c, summaryColumns, rows);
      return c.json({ groupBy: query.groupBy, ...window, rows, totals: summaryTotals(counts, attempts, money) }, 200);
    },
  );
}
