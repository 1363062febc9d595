import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { BuyerInputSchema } from "../../core/config";
import { createBuyer, disableBuyer, getBuyer, listBuyers } from "../../store/config";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { errorResponses, registerReadAndDisable } from "./resource";
import { BuyerSchema, CreatedBuyerSchema } from "./schemas";

export function registerBuyers(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/buyers",
      tags: ["Buyers"],
      request: { body: { required: true, content: { "application/json": { schema: BuyerInputSchema } } } },
      responses: { 201: { description: "Created; the API key is shown only here", content: { "application/json": { schema: CreatedBuyerSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const services = servicesOf(c.env);
      const { buyer, apiKey } = await createBuyer(services.db, c.req.valid("json"));
      services.config.invalidate();
      return c.json({ ...buyer, apiKey }, 201);
    },
  );
  registerReadAndDisable(app, { path: "/buyers", param: "id", tag: "Buyers", schema: BuyerSchema, get: getBuyer, list: listBuyers, disable: disableBuyer });
}
