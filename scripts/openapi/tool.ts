// `node scripts/openapi/tool.ts lint|client-types < openapi.json`: one of
// the OpenAPI tools over a document read from standard input, its answer
// as JSON on standard output. The tests run it in a process of its own, so
// redocly and openapi-typescript load as plain Node, not through vite.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { text } from "node:stream/consumers";
import { CLIENT_TYPES_FILE, clientTypes } from "./clientTypes.ts";
import { lintOpenApi } from "./lint.ts";

const root = path.resolve(import.meta.dirname, "../..");

const tools: Record<string, (document: unknown) => Promise<unknown>> = {
  lint: lintOpenApi,
  /** What the generator makes of the document, beside what is committed. */
  "client-types": async (document) => ({
    generated: await clientTypes(document),
    committed: await readFile(path.join(root, CLIENT_TYPES_FILE), "utf8").catch(() => ""),
  }),
};

const tool = tools[process.argv[2] ?? ""];
if (!tool) throw new Error(`usage: tool.ts ${Object.keys(tools).join("|")} < openapi.json`);
process.stdout.write(JSON.stringify(await tool(JSON.parse(await text(process.stdin)))));
