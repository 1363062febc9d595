/**
 * The OpenAPI document, generated from the same zod schemas that validate
 * every route, and a readable page of it that needs nothing from the network.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { html, raw } from "hono/html";
import type { AppEnv } from "./router";

const info = {
  title: "leadtree",
  version: "1.0.0",
  description: "Real-time lead distribution exchange: publishers post leads, buyers bid in ping-post auctions. Money is integer cents; errors share one shape.",
};

type Operation = { summary?: string; description?: string; tags?: string[]; requestBody?: unknown; responses?: Record<string, { description?: string }> };
type PathItem = Record<string, Operation>;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer", description: "ADMIN_TOKEN, on /v1/admin/*" });
  app.openAPIRegistry.registerComponent("securitySchemes", "publisherKey", { type: "apiKey", in: "header", name: "X-Api-Key" });
  const document = () => app.getOpenAPI31Document({ openapi: "3.1.0", info });
  app.get("/openapi.json", (c) => c.json(document()));
  app.get("/docs", (c) => {
    const paths = (document().paths ?? {}) as Record<string, PathItem>;
    const rows = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        const responses = Object.entries(op.responses ?? {})
          .map(([status, r]) => `<li><code>${status}</code> ${escape(r.description ?? "")}</li>`)
          .join("");
        return `<section><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
          <p>${escape(op.summary ?? op.description ?? "")}</p><ul>${responses}</ul></section>`;
      }),
    );
    return c.html(html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>leadtree API</title>
          <style>
            body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; }
            section { border-top: 1px solid #dde; padding: .5rem 0; }
            h3 { margin: .3rem 0; font-size: 1rem; }
            .m { display: inline-block; min-width: 4.5rem; font-size: .8rem; padding: .1rem .4rem; border-radius: 4px; color: #fff; background: #567; }
            .get { background: #2b7a4b; } .post { background: #2457a6; } .put { background: #8a5a00; } .delete { background: #a62424; }
          </style>
        </head>
        <body>
          <h1>leadtree API</h1>
          <p>${info.description} The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p>
          ${raw(rows.join(""))}
        </body>
      </html>`);
  });
}
