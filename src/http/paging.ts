/** The query of a page read newest first (from, to, cursor, limit), shared by every audience's lists. */
import { z } from "@hono/zod-openapi";
import { decodeCursor, type PagePosition } from "../store/pages";
import { ApiError } from "./errors";

/** An ISO-8601 time with any offset, as UTC with milliseconds: the form D1 stores times in, so comparing the text compares the times. */
export const isoTime = z.iso
  .datetime({ offset: true })
  .transform((time) => new Date(time).toISOString())
  .describe("ISO-8601 time");

export const pageQuery = {
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
};

/** Where the page starts: after the position a cursor names, or at the newest when there is none. */
export function pagePosition(cursor: string | undefined): PagePosition | undefined {
  if (cursor === undefined) return undefined;
  const after = decodeCursor(cursor);
  if (!after) throw new ApiError("validation_failed", "The cursor is not one this API gave.", [{ path: "cursor", message: "unknown cursor" }]);
  return after;
}
