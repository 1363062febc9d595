/**
 * The OpenAPI document, generated from the same zod schemas that validate
 * every route. Clients generate their code from it, so it carries what
 * generators and gateways read: one tag and one credential per audience,
 * named components, and a server to call.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { audiences } from "./audiences";
import type { AppEnv } from "./router";

export const info = {
  title: "leadtree",
  version: "1.0.0",
  description: "Real-time lead distribution exchange: publishers post leads, buyers bid in ping-post auctions. Money is integer cents; every error has the one `Error` shape.",
};

export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

/**
 * The server is the origin the document was fetched from, not a relative
 * `/`: Postman, API gateways and openapi-generator take an absolute URL as
 * it is, while a relative one leaves them a bare `/` or `localhost`. A
 * document saved from one deployment thus names that deployment; a client
 * for another passes its own base URL.
 */
export function openApiDocument(app: OpenAPIHono<AppEnv>, origin: string): OpenApiDocument {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info,
    servers: [{ url: origin, description: "The deployment that served this document" }],
    tags: Object.values(audiences).map((audience) => audience.tag),
  });
}

export function registerOpenApi(app: OpenAPIHono<AppEnv>): void {
  for (const audience of Object.values(audiences)) {
    app.openAPIRegistry.registerComponent("securitySchemes", audience.schemeName, audience.scheme);
  }
  app.get("/openapi.json", (c) => c.json(openApiDocument(app, new URL(c.req.url).origin)));
}
