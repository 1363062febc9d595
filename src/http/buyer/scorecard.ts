/** `GET /v1/buyer/scorecard`: the operator's scorecards of this buyer's own lead points, the same figures. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { scorecardColumns } from "../../core/reports/scorecard";
import { scorecards } from "../../store/scorecards";
import { servicesOf } from "../../store/services";
import { csvAnswer, reportAnswer, windowOf, windowQuery } from "../admin/reportQuery";
import { ScorecardsSchema } from "../admin/scorecards";
import { buyerRoute, errorAnswer } from "../operations";
import type { BuyerEnv } from "../router";

export function registerScorecard(app: OpenAPIHono<BuyerEnv>): void {
  app.openapi(
    buyerRoute({
      method: "get",
      path: "/scorecard",
      operationId: "getOwnScorecard",
      summary: "Score this buyer's lead points over a window: accept, timeout, return and conversion rates and response times",
      description:
        "One row per lead point of this buyer that was offered a lead received in the window: the pings and posts made for those leads, " +
        "and of those it bought, how many it returned or reported sold (whenever it did). The operator's scorecards show the same figures.",
      request: { query: z.object(windowQuery) },
      responses: { 200: reportAnswer("The scorecards (JSON), or their rows as CSV", ScorecardsSchema), 400: errorAnswer("A query parameter is not valid") },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const window = windowOf(query);
      const rows = await scorecards(servicesOf(c.env).db, window, { buyerId: c.var.buyer.id });
      if (query.format === "csv") return csvAnswer(c, scorecardColumns, rows);
      return c.json({ ...window, rows }, 200);
    },
  );
}
