/**
 * A buyer steers its own lead points: price, caps, filters, bid rules,
 * schedule, on or off. Where and how it is called (endpoints, kind, mapping)
 * stays the operator's. The patch is the operator's, merged and validated the
 * same way; another buyer's lead point is 404, as if it did not exist.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { getLeadPoint } from "../../store/config";
import { servicesOf } from "../../store/services";
import { patchStoredLeadPoint, presentLeadPoint } from "../admin/leadPoints";
import { patchRecord } from "../admin/resource";
import { LeadPointPatch, LeadPointSchema } from "../admin/schemas";
import { ApiError } from "../errors";
import { buyerRoute, errorAnswer, jsonAnswer, jsonBody } from "../operations";
import type { BuyerEnv } from "../router";

const BuyerLeadPointPatch = LeadPointPatch.pick({ pricing: true, caps: true, filters: true, bidRules: true, schedule: true, enabled: true }).openapi("BuyerLeadPointPatch");

export function registerOwnLeadPoints(app: OpenAPIHono<BuyerEnv>): void {
  app.openapi(
    buyerRoute({
      method: "patch",
      path: "/lead-points/{id}",
      operationId: "updateOwnLeadPoint",
      summary: "Change the pricing, caps, filters, bid rules, schedule or on/off of one of this buyer's lead points",
      description:
        "The fields the body names replace the stored ones, validated as at creation; null removes caps, filters, bid rules or the schedule. " +
        "Any other field is 400: endpoints and the rest are the operator's. The lead point keeps its id and cap counts; trees use the change from their next lead.",
      request: { params: z.object({ id: z.string() }), body: jsonBody(BuyerLeadPointPatch) },
      responses: {
        200: jsonAnswer("The lead point as it now is", LeadPointSchema),
        400: errorAnswer("The patch, or the document it leaves, is not valid"),
        404: errorAnswer("No such lead point of this buyer"),
        409: errorAnswer("The lead point kept changing under the patch; send it again"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const services = servicesOf(c.env);
      const notFound = () => new ApiError("not_found", `Lead point ${id} does not exist.`);
      const own = async () => {
        const stored = await getLeadPoint(services.db, id);
        return stored?.buyerId === c.var.buyer.id ? stored : undefined;
      };
      const record = await patchRecord(own, (stored) => patchStoredLeadPoint(services.db, stored, c.req.valid("json")));
      if (!record) throw notFound();
      services.config.invalidate();
      return c.json(presentLeadPoint(record), 200);
    },
  );
}
