import type { OpenAPIHono } from "@hono/zod-openapi";
import { createBuyer, disableBuyer, getBuyer, listBuyers } from "../../store/config";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { registerReadAndDisable } from "./resource";
import { BuyerInput, BuyerSchema, CreatedBuyerSchema } from "./schemas";

export function registerBuyers(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "post",
      path: "/buyers",
      operationId: "createBuyer",
      summary: "Create a buyer and its API key",
      request: { body: jsonBody(BuyerInput) },
      responses: {
        201: jsonAnswer("Created; the API key is shown only here", CreatedBuyerSchema),
        400: errorAnswer("The document is not valid"),
      },
    }),
    async (c) => {
      const services = servicesOf(c.env);
      const { buyer, apiKey } = await createBuyer(services.db, c.req.valid("json"));
      services.config.invalidate();
      return c.json({ ...buyer, apiKey }, 201);
    },
  );
  registerReadAndDisable(app, { path: "/buyers", param: "id", noun: "buyer", schema: BuyerSchema, get: getBuyer, list: listBuyers, disable: disableBuyer });
}
