import type { OpenAPIHono } from "@hono/zod-openapi";
import { PublisherInputSchema } from "../../core/config";
import { createPublisher, disablePublisher, getPublisher, listPublishers, type Publisher } from "../../store/config";
import { rotateKey, updatePublisher } from "../../store/configEdits";
import type { AppEnv } from "../router";
import { servicesOf } from "../../store/services";
import { errorAnswer, jsonBody, jsonAnswer, operatorRoute } from "../operations";
import { patchWithEnabled, registerPatch, registerReadAndDisable, registerRotateKey, type ResourceSpec } from "./resource";
import { CreatedPublisherSchema, PublisherInput, PublisherPatch, PublisherSchema } from "./schemas";

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
  const spec: ResourceSpec<Publisher> = { path: "/publishers", param: "id", noun: "publisher", schema: PublisherSchema, get: getPublisher, list: listPublishers, disable: disablePublisher };
  registerReadAndDisable(app, spec);
  registerPatch(app, spec, {
    body: PublisherPatch,
    description: "A new payout applies to sales from the next lead; its API key stays (rotate-key changes it).",
    apply: patchWithEnabled(PublisherInputSchema, getPublisher, updatePublisher),
  });
  registerRotateKey(app, spec, (db, id) => rotateKey(db, "pub", id));
}
