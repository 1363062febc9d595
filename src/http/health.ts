/** `GET /healthz`: whether this deployment serves and its database answers, for load balancers and uptime checks (no auth). */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { version } from "../../package.json";
import { ApiError } from "./errors";
import { errorAnswer, jsonAnswer, openRoute } from "./operations";
import type { AppEnv } from "./router";

/** A health check that waits on a stuck database is itself stuck; past this the answer is 503. */
const DATABASE_DEADLINE_MS = 2_000;

const HealthSchema = z.object({ ok: z.literal(true), version: z.string().describe("The package version this deployment was built from.") });

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    openRoute("operator", {
      method: "get",
      path: "/healthz",
      summary: "Check that the exchange and its database answer",
      operationId: "getHealth",
      responses: {
        200: jsonAnswer("Serving, and D1 answers", HealthSchema),
        503: errorAnswer("D1 does not answer"),
      },
    }),
    async (c) => {
      if (!(await databaseAnswers(c.env.DB))) throw new ApiError("unavailable", "The database is not answering.");
      return c.json({ ok: true as const, version }, 200);
    },
  );
}

async function databaseAnswers(d1: D1Database): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), DATABASE_DEADLINE_MS)));
  try {
    const answer = await Promise.race([d1.prepare("SELECT 1 AS up").first<{ up: number }>(), deadline]);
    if (answer === "late") console.error(`health check: D1 did not answer within ${DATABASE_DEADLINE_MS} ms`);
    return answer !== "late" && answer?.up === 1;
  } catch (error) {
    console.error("health check: D1 failed", error);
    return false;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
