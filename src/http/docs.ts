/**
 * A readable page of the OpenAPI document that needs nothing from the
 * network: the operations by audience, each with the credential it takes
 * and how to send it.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { html, raw } from "hono/html";
import { info, openApiDocument } from "./openapi";
import type { AppEnv } from "./router";

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses?: Record<string, { description?: string }>;
}
interface SecurityScheme {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
  description?: string;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** How a client sends a scheme's credential, as a line it could paste. */
function howToSend(scheme: SecurityScheme): string {
  if (scheme.type === "http" && scheme.scheme?.toLowerCase() === "bearer") return "Authorization: Bearer <token>";
  if (scheme.type === "apiKey") return scheme.in === "header" ? `${scheme.name}: <key>` : `${scheme.name}=<key> in the ${scheme.in}`;
  return scheme.type;
}

function credentialOf(operation: Operation, schemes: Record<string, SecurityScheme>): string {
  const names = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
  if (names.length === 0) return "No credential.";
  return names.map((name) => `<code>${escape(name)}</code>: <code>${escape(howToSend(schemes[name] ?? { type: "unknown" }))}</code>`).join(" or ");
}

function operationSection(path: string, method: string, operation: Operation, schemes: Record<string, SecurityScheme>): string {
  const responses = Object.entries(operation.responses ?? {})
    .map(([status, r]) => `<li><code>${status}</code> ${escape(r.description ?? "")}</li>`)
    .join("");
  return `<section id="${escape(operation.operationId ?? `${method}-${path}`)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code> <small>${escape(operation.operationId ?? "")}</small></h3>
    <p><strong>${escape(operation.summary ?? "")}</strong>${operation.description ? `<br />${escape(operation.description)}` : ""}</p>
    <p class="auth">Authentication: ${credentialOf(operation, schemes)}</p><ul>${responses}</ul></section>`;
}

function schemeRow(name: string, scheme: SecurityScheme): string {
  return `<tr><td><code>${escape(name)}</code></td><td><code>${escape(howToSend(scheme))}</code></td><td>${escape(scheme.description ?? "")}</td></tr>`;
}

export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  // The browser's way in; it will point at the operator dashboard once there is one.
  app.get("/", (c) => c.redirect("/docs", 302));
  app.get("/docs", (c) => {
    const document = openApiDocument(app, new URL(c.req.url).origin);
    const schemes = (document.components?.securitySchemes ?? {}) as Record<string, SecurityScheme>;
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, Operation>).map(([method, operation]) => ({ path, method, operation })),
    );
    const audiences = (document.tags ?? []).map((tag) => {
      const sections = operations.filter(({ operation }) => operation.tags?.includes(tag.name)).map(({ path, method, operation }) => operationSection(path, method, operation, schemes));
      return `<h2 id="${escape(tag.name)}">${escape(tag.name)}</h2><p>${escape(tag.description ?? "")}</p>${sections.join("") || "<p><em>No operations yet.</em></p>"}`;
    });
    const credentials = Object.entries(schemes).map(([name, scheme]) => schemeRow(name, scheme));
    return c.html(html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>leadtree API</title>
          <style>
            body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2330; }
            section { border-top: 1px solid #dde; padding: .5rem 0; }
            h3 { margin: .3rem 0; font-size: 1rem; } h3 small { color: #678; font-weight: normal; }
            table { border-collapse: collapse; } td, th { border-top: 1px solid #dde; padding: .3rem .6rem; text-align: left; vertical-align: top; }
            .auth { color: #456; }
            .m { display: inline-block; min-width: 4.5rem; font-size: .8rem; padding: .1rem .4rem; border-radius: 4px; color: #fff; background: #567; }
            .get { background: #2b7a4b; } .post { background: #2457a6; } .put { background: #8a5a00; } .delete { background: #a62424; }
          </style>
        </head>
        <body>
          <h1>leadtree API</h1>
          <p>${info.description} The machine-readable document is <a href="/openapi.json">/openapi.json</a>: generate a client from it.</p>
          <h2>Authentication</h2>
          <table>
            <tr><th>scheme</th><th>send</th><th></th></tr>
            ${raw(credentials.join(""))}
          </table>
          ${raw(audiences.join(""))}
        </body>
      </html>`);
  });
}
