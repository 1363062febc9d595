/**
 * `GET /v1/publisher/statement`: the publisher's own payouts and their
 * reversals in a window, with totals and the net, in JSON or CSV. It is the
 * operator's statement of this publisher (`GET /v1/admin/statements?party=publisher`),
 * read by the same query, so the two never differ by a cent.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { servicesOf } from "../../store/services";
import { reportAnswer, windowOf } from "../admin/reportQuery";
import { StatementSchema, StatementWindowQuery, statementAnswer, statementLinesOf } from "../admin/statements";
import { authenticatePublisher } from "../auth";
import { validationError } from "../errors";
import { errorAnswer, publisherRoute } from "../operations";
import type { AppEnv } from "../router";

export function registerPublisherStatement(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(
    publisherRoute({
      method: "get",
      path: "/publisher/statement",
      operationId: "getPublisherStatement",
      summary: "Read this publisher's payouts and their reversals in a period, with totals and the net",
      description: [
        "The publisher's ledger lines written in `[from, to)` (the last 30 days by default), oldest first: a `publisher_payout` per sale, and a negative `payout_reversal` when a buyer returns the lead.",
        "`totals.netCents` is what the publisher is owed for the period; it equals the operator's statement of this publisher and its `payoutCents` in the summary report for the same window.",
        "`format=csv` answers the lines as text/csv (id, kind, saleId, leadId, treeId, amountCents, createdAt).",
      ].join("\n\n"),
      request: { query: StatementWindowQuery },
      responses: {
        200: reportAnswer("The statement (JSON), or its lines as CSV", StatementSchema),
        400: errorAnswer("A query parameter is not valid, or the window is empty"),
      },
    }),
  );
  // Authenticated before the query is read, so a caller without a key learns nothing from a 400.
  app.get("/publisher/statement", async (c) => {
    const publisher = await authenticatePublisher(c, servicesOf(c.env), {});
    const query = StatementWindowQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error);
    const request = { party: "publisher" as const, id: publisher.id, window: windowOf(query.data) };
    return statementAnswer(c, { ...request, format: query.data.format }, await statementLinesOf(c, request));
  });
}
