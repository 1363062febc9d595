/** The operator's view of publisher postbacks: every attempt, newest first. */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { listPostbackAttempts } from "../../store/postbackAttempts";
import { postbackOutcomes, postbackTypes } from "../../store/schema";
import { servicesOf } from "../../store/services";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";
import { pageQuery, pagePosition } from "../paging";
import type { AppEnv } from "../router";

const PostbackAttemptSchema = z
  .object({
    id: z.string(),
    postbackId: z.string().describe("`<leadId>:<type>`: the attempts of one postback share it."),
    publisherId: z.string(),
    leadId: z.string(),
    type: z.enum(postbackTypes),
    attempt: z.number().int().describe("1 for the first attempt."),
    at: z.string(),
    httpStatus: z.number().int().optional().describe("The publisher's HTTP status; absent when no answer came."),
    error: z.string().optional().describe("Why no answer came (a timeout, a refused connection)."),
    ms: z.number().int(),
    outcome: z.enum(postbackOutcomes).describe("retry: another attempt is scheduled; delivered: the publisher answered 2xx; gave_up: 24 hours passed without a 2xx."),
  })
  .openapi("PostbackAttempt");

const PostbackQuerySchema = z.object({ publisherId: z.string().max(100).optional(), ...pageQuery });

export function registerPostbacks(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/postbacks",
      operationId: "listPostbackAttempts",
      summary: "List every postback attempt, newest first, by publisher and time",
      description: "Each attempt at a publisher's sale or return postback, with the status it got; a failed postback is retried with backoff for 24 hours until it gets a 2xx.",
      request: { query: PostbackQuerySchema },
      responses: {
        200: jsonAnswer("A page; `nextCursor` fetches the next", z.object({ items: z.array(PostbackAttemptSchema), nextCursor: z.string().optional() })),
        400: errorAnswer("A query parameter is not valid"),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      return c.json(await listPostbackAttempts(servicesOf(c.env).db, query, pagePosition(query.cursor)), 200);
    },
  );
}
