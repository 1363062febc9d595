/** `GET /v1/admin/statements`: a buyer's or publisher's ledger lines over a window, with totals and the net, in JSON or CSV. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { statementTotals } from "../../core/reports/statement";
import { getBuyer, getPublisher } from "../../store/config";
import type { Db } from "../../store/db";
import { statementKinds, statementLines, statementParties, type ReportWindow, type StatementParty } from "../../store/reports";
import { ledgerKinds } from "../../store/schema";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { errorAnswer, operatorRoute } from "../operations";
import type { Context } from "hono";
import type { AppEnv } from "../router";
import { csvAnswer, reportAnswer, windowOf, windowQuery } from "./reportQuery";

const lineColumns = ["id", "kind", "saleId", "leadId", "treeId", "amountCents", "createdAt"] as const;

const StatementLineSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ledgerKinds).describe("buyer_charge and buyer_refund for a buyer; publisher_payout and payout_reversal for a publisher."),
    saleId: z.string(),
    leadId: z.string(),
    treeId: z.string(),
    amountCents: z.number().int().describe("A reversal is negative: the line it reverses, negated."),
    createdAt: z.string(),
  })
  .openapi("StatementLine");

export const StatementSchema = z
  .object({
    party: z.enum(statementParties),
    id: z.string(),
    from: z.string().describe("Start of the window, inclusive, UTC."),
    to: z.string().describe("End of the window, exclusive, UTC."),
    lines: z.array(StatementLineSchema).describe("Oldest first."),
    totals: z.object({
      lines: z.number().int().min(0),
      grossCents: z.number().int().describe("Charges (buyer) or payouts (publisher)."),
      reversedCents: z.number().int().describe("Refunds or payout reversals, negative."),
      netCents: z.number().int().describe("What the buyer owes or the publisher is owed: equals the summary's revenueCents (buyer) or payoutCents (publisher) for the same window."),
    }),
  })
  .openapi("Statement");

/** The window and format every statement route reads from its query. */
export const StatementWindowQuery = z.object(windowQuery);

const StatementQuery = z.object({
  party: z.enum(statementParties),
  id: z.string().min(1).max(100).describe("The buyer's or publisher's id."),
  ...windowQuery,
});

const partyExists: Record<StatementParty, (db: Db, id: string) => Promise<unknown>> = { buyer: getBuyer, publisher: getPublisher };

export function registerStatements(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/statements",
      operationId: "getStatement",
      summary: "List a buyer's or publisher's ledger lines over a window, with totals and the net",
      description: "The lines written in the window: a buyer's charges and refunds, or a publisher's payouts and their reversals. Reconciles with GET /reports/summary to the cent.",
      request: { query: StatementQuery },
      responses: {
        200: reportAnswer("The statement (JSON), or its lines as CSV", StatementSchema),
        400: errorAnswer("A query parameter is not valid"),
        404: errorAnswer("No such buyer or publisher"),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const window = windowOf(query);
      const { db } = servicesOf(c.env);
      const [party, lines] = await Promise.all([partyExists[query.party](db, query.id), statementLinesOf(c, { party: query.party, id: query.id, window })]);
      if (!party) throw new ApiError("not_found", `No ${query.party} ${query.id}.`);
      return statementAnswer(c, { party: query.party, id: query.id, window, format: query.format }, lines);
    },
  );
}

export interface StatementRequest {
  party: StatementParty;
  id: string;
  window: ReportWindow;
  format: "json" | "csv";
}

/** The party's ledger lines in the window, the one query every statement reads (so each reconciles with the summary). */
export function statementLinesOf(c: Context<AppEnv>, request: Omit<StatementRequest, "format">) {
  return statementLines(servicesOf(c.env).db, request.party, request.id, request.window);
}

/** A statement's answer: its lines as CSV, or the lines with their totals and net as JSON. */
export function statementAnswer(c: Context<AppEnv>, request: StatementRequest, lines: Awaited<ReturnType<typeof statementLines>>): Response {
  if (request.format === "csv") return csvAnswer(c, lineColumns, lines);
  const totals = statementTotals(lines, statementKinds[request.party][1]);
  return c.json({ party: request.party, id: request.id, ...request.window, lines, totals }, 200);
}
