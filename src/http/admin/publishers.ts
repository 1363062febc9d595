import type { OpenAPIHono } from "@hono/zod-openapi";
import { createPublisher, disablePublisher, getPublisher, listPublishers } from "../../store/config";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { registerReadAndDisable } from "./resource";
import { CreatedPublisherSchema, PublisherInput, PublisherSchema } from "./schemas";

export function registerPublishers(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    operatorRoute({
      method: "post",
      path: "/publishers",
      operationId: "createPublisher",
      summary: "Create a publisher and its API key",
      request: { body: jsonBody(PublisherInput) },
      responses: {
        201: jsonAnswer("Created; the API key is shown only here", CreatedPublisherSchema),
        400: errorAnswer("The document is not valid"),
      },
    }),
    async (c) => {
      const services = servicesOf(c.env);
      const { publisher, apiKey } = await createPublisher(services.db, c.req.valid("json"));
      services.config.invalidate();
      return c.json({ ...publisher, apiKey }, 201);
    },
  );
  registerReadAndDisable(app, { path: "/publishers", param: "id", noun: "publisher", schema: PublisherSchema, get: getPublisher, list: listPublishers, disable: disablePublisher });
}
