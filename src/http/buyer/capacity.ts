/**
 * A buyer declares how many agents are free on one of its lead points (capacity
 * routing, core/capacity.ts) and reads back what its sales have left of it;
 * the operator reads the same view. The declaration is written to the lead
 * point's configuration, so trees learn from their next lead whether the point
 * has one, and to its Counter object, which counts the sales down from it.
 */
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { activeCapacity, type CapacityDeclaration } from "../../core/capacity";
import { capCounterName } from "../../objects/counter";
import { getLeadPointCapacity, setLeadPointCapacity } from "../../store/config";
import { servicesOf } from "../../store/services";
import { ApiError } from "../errors";
import { buyerRoute, errorAnswer, jsonAnswer, jsonBody } from "../operations";
import type { BuyerEnv } from "../router";

export const CapacityInput = z
  .strictObject({
    available: z.number().int().min(0).max(1_000_000).describe("Agents free now; at 0 the lead point is not pinged. Each sale counts it down."),
    until: z.iso.datetime({ offset: true }).optional().describe("When the declaration ends, in the future; after it the lead point is routed as if none had been made."),
  })
  .openapi("CapacityInput");

export const CapacitySchema = z
  .object({
    available: z.number().int().nullable().describe("Agents left: those declared less the sales since. Null when no declaration is in force: the lead point is routed without one."),
    declared: z.number().int().optional().describe("Agents free when it was declared."),
    until: z.string().optional(),
    setAt: z.string().optional().describe("When it was declared."),
  })
  .openapi("Capacity");

type Capacity = z.infer<typeof CapacitySchema>;

/** The declaration `stored` for the lead point `id` as it stands at `nowMs`: the counter has what its sales left. */
export async function capacityView(env: Env, id: string, stored: CapacityDeclaration | undefined, nowMs = Date.now()): Promise<Capacity> {
  const declaration = activeCapacity(stored, nowMs);
  const state = declaration && (await env.COUNTER.getByName(capCounterName(id)).capacity(declaration, nowMs));
  if (!state) return { available: null };
  const { available, until, setAt } = state.declaration;
  return { available: state.left, declared: available, ...(until ? { until } : {}), setAt };
}

export function registerOwnCapacity(app: OpenAPIHono<BuyerEnv>): void {
  const params = z.object({ id: z.string() });
  const ownDeclaration = async (env: Env, buyerId: string, id: string) => {
    const stored = await getLeadPointCapacity(servicesOf(env).db, id);
    if (!stored || stored.buyerId !== buyerId) throw new ApiError("not_found", `Lead point ${id} does not exist.`);
    return stored.capacity;
  };
  app.openapi(
    buyerRoute({
      method: "put",
      path: "/lead-points/{id}/capacity",
      operationId: "putOwnCapacity",
      summary: "Declare how many agents are free on one of this buyer's lead points",
      description:
        "Replaces any earlier declaration, and its count starts afresh. Each sale counts `available` down; at 0 the lead point is not pinged " +
        "(its trace entry says why) until the next declaration or `until`. Trees use it from their next lead.",
      request: { params, body: jsonBody(CapacityInput) },
      responses: {
        200: jsonAnswer("The declaration as it now stands", CapacitySchema),
        400: errorAnswer("Not a non-negative whole number of agents, or an `until` that is not a time in the future"),
        404: errorAnswer("No such lead point of this buyer"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { available, until } = c.req.valid("json");
      const previous = await ownDeclaration(c.env, c.var.buyer.id, id);
      const now = Date.now();
      if (until !== undefined && Date.parse(until) <= now) {
        throw new ApiError("validation_failed", "The declaration would have ended already.", [{ path: "until", message: "must be a time in the future" }]);
      }
      // A declaration is replaced by a later one only, so two in one millisecond still come one after the other.
      const setAt = Math.max(now, previous ? Date.parse(previous.setAt) + 1 : 0);
      const declaration: CapacityDeclaration = { available, ...(until ? { until: new Date(until).toISOString() } : {}), setAt: new Date(setAt).toISOString() };
      const services = servicesOf(c.env);
      await setLeadPointCapacity(services.db, id, declaration);
      services.config.invalidate();
      return c.json(await capacityView(c.env, id, declaration, now), 200);
    },
  );
  app.openapi(
    buyerRoute({
      method: "get",
      path: "/lead-points/{id}/capacity",
      operationId: "getOwnCapacity",
      summary: "Read the capacity declared on one of this buyer's lead points and what its sales have left of it",
      request: { params },
      responses: {
        200: jsonAnswer("The declaration in force, or `available: null` when none is", CapacitySchema),
        404: errorAnswer("No such lead point of this buyer"),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await capacityView(c.env, id, await ownDeclaration(c.env, c.var.buyer.id, id)), 200);
    },
  );
}
