/** What every report route shares: its window in the query, and its answer in JSON or CSV. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { csvOf } from "../../core/reports/csv";
import { reportWindow } from "../../core/reports/window";
import type { ReportWindow } from "../../store/reports";
import { ApiError } from "../errors";
import type { AppEnv } from "../router";

const isoTime = z.iso.datetime({ offset: true });

export const windowQuery = {
  from: isoTime.optional().describe("Start of the window, inclusive (ISO-8601); 30 days before `to` when absent."),
  to: isoTime.optional().describe("End of the window, exclusive (ISO-8601); now when absent."),
  format: z.enum(["json", "csv"]).default("json").describe("`csv`: a header row and one row per line, RFC 4180, as text/csv."),
};

/** The window the query names, or a 400 naming `from` when it is empty or backwards. */
export function windowOf(query: { from?: string | undefined; to?: string | undefined }): ReportWindow {
  const window = reportWindow(query.from, query.to, Date.now());
  if (!window.ok) throw new ApiError("validation_failed", "The report's window is empty.", [{ path: "from", message: window.message }]);
  return { from: window.from, to: window.to };
}

/** A 200 answer in JSON (`schema`) or, with `format=csv`, in CSV. */
export function reportAnswer<S extends z.ZodType>(description: string, schema: S) {
  return {
    description,
    content: {
      "application/json": { schema },
      "text/csv": { schema: z.string().describe("A header row, then one row per line of the JSON answer's list.") },
    },
  };
}

export function csvAnswer<Column extends string, E extends AppEnv>(c: Context<E>, columns: readonly Column[], rows: readonly Partial<Record<Column, unknown>>[]): Response {
  return c.body(csvOf(columns, rows), 200, { "content-type": "text/csv; charset=utf-8" });
}
