import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { PublisherInputSchema } from "../../core/config";
import { createPublisher, disablePublisher, getPublisher, listPublishers } from "../../store/config";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { errorResponses, registerReadAndDisable } from "./resource";
import { CreatedPublisherSchema, PublisherSchema } from "./schemas";

export function registerPublishers(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/publishers",
      tags: ["Publishers"],
      request: { body: { required: true, content: { "application/json": { schema: PublisherInputSchema } } } },
      responses: { 201: { description: "Created; the API key is shown only here", content: { "application/json": { schema: CreatedPublisherSchema } } }, ...errorResponses },
    }),
    async (c) => {
      const services = servicesOf(c.env);
      const { publisher, apiKey } = await createPublisher(services.db, c.req.valid("json"));
      services.config.invalidate();
      return c.json({ ...publisher, apiKey }, 201);
    },
  );
  registerReadAndDisable(app, { path: "/publishers", param: "id", tag: "Publishers", schema: PublisherSchema, get: getPublisher, list: listPublishers, disable: disablePublisher });
}
