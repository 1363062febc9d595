/**
 * Pages of rows read newest first by (time, id): a cursor names the last row
 * shown, and the next page starts after it, so rows written meanwhile never
 * shift a page.
 */
import { and, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

export type PagePosition = [time: string, id: string];

export function encodeCursor([time, id]: PagePosition): string {
  return btoa(JSON.stringify([time, id])).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function decodeCursor(cursor: string): PagePosition | undefined {
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === "string")) return parsed as PagePosition;
  } catch {
    return undefined;
  }
  return undefined;
}

/** The condition that keeps rows after `position` in newest-first order. */
export function after(time: SQLiteColumn, id: SQLiteColumn, position: PagePosition | undefined): SQL | undefined {
  return position ? or(lt(time, position[0]), and(eq(time, position[0]), lt(id, position[1]))) : undefined;
}

/** What every list's query has: ISO-8601 bounds on the time it orders by, and a page size. */
export interface PageWindow {
  from?: string;
  to?: string;
  limit: number;
}

/** The conditions that keep a page's rows: within the window's times, and after the cursor's position. */
export function inWindow(time: SQLiteColumn, id: SQLiteColumn, window: PageWindow, position: PagePosition | undefined): (SQL | undefined)[] {
  return [window.from ? gte(time, window.from) : undefined, window.to ? lte(time, window.to) : undefined, after(time, id, position)];
}

/** A page of `limit` rows from a read of `limit + 1`: the extra row says whether a next page exists. */
export function pageOf<Row, Item>(rows: Row[], limit: number, positionOf: (row: Row) => PagePosition, present: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(present),
    ...(rows.length > limit && last ? { nextCursor: encodeCursor(positionOf(last)) } : {}),
  };
}
