/**
 * The OpenAPI document as the Worker serves it, obtained in Node without
 * starting anything: esbuild bundles the app (the Workers-only
 * `cloudflare:workers` module replaced by a stub, since no route's
 * declaration touches a Durable Object), and the bundle's app answers
 * `GET /openapi.json` through its own route, the same code the Worker runs.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const root = path.resolve(import.meta.dirname, "../..");

const workersStub: Plugin = {
  name: "cloudflare-workers-stub",
  setup(builder) {
    builder.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "workers-stub" }));
    builder.onLoad({ filter: /.*/, namespace: "workers-stub" }, () => ({
      contents: "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\nexport class RpcTarget {}\nexport const env = {};\nexport const exports = {};\n",
      loader: "js",
    }));
  },
};

interface AppModule {
  createApp(): { request(path: string): Response | Promise<Response> };
}

export async function loadDocument(): Promise<unknown> {
  const bundle = await build({
    entryPoints: [path.join(root, "src/http/app.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    write: false,
    logLevel: "silent",
    plugins: [workersStub],
  });
  const dir = await mkdtemp(path.join(tmpdir(), "leadtree-openapi-"));
  try {
    const file = path.join(dir, "app.mjs");
    await writeFile(file, bundle.outputFiles[0]?.text ?? "");
    const { createApp } = (await import(pathToFileURL(file).href)) as AppModule;
    // The origin `npm start` serves; the types do not depend on it.
    const response = await createApp().request("http://127.0.0.1:8787/openapi.json");
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}: ${await response.text()}`);
    return await response.json();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
