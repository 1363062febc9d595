import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { getLeadPointCapacity } from "../../store/config";
import { servicesOf } from "../../store/services";
import { capacityView, CapacitySchema } from "../buyer/capacity";
import { ApiError } from "../errors";
import { errorAnswer, jsonAnswer, operatorRoute } from "../operations";
import type { AppEnv } from "../router";

/** The operator sees the capacity a lead point's buyer declared, as the buyer does. */
export function registerCapacityView(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "get",
      path: "/lead-points/{id}/capacity",
      operationId: "getLeadPointCapacity",
      summary: "Read the capacity a lead point's buyer declared and what its sales have left of it",
      request: { params: z.object({ id: z.string() }) },
      responses: {
        200: jsonAnswer("The declaration in force, or `available: null` when none is", CapacitySchema),
        404: errorAnswer("No such lead point"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const stored = await getLeadPointCapacity(servicesOf(c.env).db, id);
      if (!stored) throw new ApiError("not_found", `Lead point ${id} does not exist.`);
      return c.json(await capacityView(c.env, id, stored.capacity), 200);
    },
  );
}
