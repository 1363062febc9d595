/** The buyer's statement: its charges and refunds in a period, with totals and the net, as JSON or CSV. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { csvOf } from "../../core/reports/csv";
import { buyerStatement } from "../../store/buyerStatement";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { buyerRoute, errorAnswer } from "../operations";
import { isoTime } from "../paging";
import type { BuyerEnv } from "../router";

const DEFAULT_PERIOD_MS = 30 * 24 * 3_600_000;

const StatementSchema = z
  .object({
    buyerId: z.string(),
    from: z.string(),
    to: z.string(),
    lines: z.array(
      z.object({
        createdAt: z.string(),
        kind: z.enum(["buyer_charge", "buyer_refund"]),
        leadId: z.string(),
        saleId: z.string(),
        amountCents: z.number().int().describe("A charge is positive, the refund of a return negative."),
      }),
    ),
    totals: z.object({ chargesCents: z.number().int(), refundsCents: z.number().int() }),
    netCents: z.number().int().describe("What the buyer owes for the period: charges plus refunds."),
  })
  .openapi("BuyerStatement");

const StatementQuery = z.object({
  from: isoTime.optional().describe("Inclusive; 30 days before `to` when absent."),
  to: isoTime.optional().describe("Exclusive; now when absent."),
  format: z.enum(["json", "csv"]).default("json"),
});

export function registerStatement(app: OpenAPIHono<BuyerEnv>): void {
  app.openapi(
    buyerRoute({
      method: "get",
      path: "/statement",
      operationId: "getOwnStatement",
      summary: "Read this buyer's charges and refunds in a period, with totals and the net",
      description: "`format=csv` answers the lines as text/csv (createdAt, kind, leadId, saleId, amountCents).",
      request: { query: StatementQuery },
      responses: {
        200: {
          description: "The statement",
          content: { "application/json": { schema: StatementSchema }, "text/csv": { schema: z.string() } },
        },
        400: errorAnswer("A query parameter is not valid, or the period ends before it starts"),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const to = query.to ?? new Date().toISOString();
      const from = query.from ?? new Date(Date.parse(to) - DEFAULT_PERIOD_MS).toISOString();
      if (from > to) throw new ApiError("validation_failed", "The period ends before it starts.", [{ path: "from", message: "must not be after to" }]);
      const statement = await buyerStatement(servicesOf(c.env).db, c.var.buyer.id, { from, to });
      if (query.format === "csv") {
        const columns = ["createdAt", "kind", "leadId", "saleId", "amountCents"] as const;
        return c.body(csvOf(columns, statement.lines), 200, { "content-type": "text/csv; charset=utf-8" });
      }
      return c.json(statement, 200);
    },
  );
}
