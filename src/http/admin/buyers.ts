import type { OpenAPIHono } from "@hono/zod-openapi";
import { BuyerInputSchema } from "../../core/config";
import { createBuyer, disableBuyer, getBuyer, listBuyers, type Buyer } from "../../store/config";
import { rotateKey, updateBuyer } from "../../store/configEdits";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { patchWithEnabled, registerPatch, registerReadAndDisable, registerRotateKey, type ResourceSpec } from "./resource";
import { BuyerInput, BuyerPatch, BuyerSchema, CreatedBuyerSchema } from "./schemas";

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
  const spec: ResourceSpec<Buyer> = { path: "/buyers", param: "id", noun: "buyer", schema: BuyerSchema, get: getBuyer, list: listBuyers, disable: disableBuyer };
  registerReadAndDisable(app, spec);
  registerPatch(app, spec, {
    body: BuyerPatch,
    description: "A disabled buyer's lead points are not pinged from the next lead; its API key stays (rotate-key changes it).",
    apply: patchWithEnabled(BuyerInputSchema, getBuyer, updateBuyer),
  });
  registerRotateKey(app, spec, (db, id) => rotateKey(db, "buy", id));
}
