import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

/** The drizzle database, with the raw D1 binding beside it for statements drizzle cannot build. */
export type Db = DrizzleD1Database<typeof schema> & { $client: D1Database };

const instances = new WeakMap<D1Database, Db>();

/** One drizzle instance per D1 binding, built once per isolate. */
export function dbOf(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    instances.set(d1, db);
  }
  return db;
}

export function nowIso(): string {
  return new Date().toISOString();
}
