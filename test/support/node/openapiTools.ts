/**
 * The Node side of the OpenAPI tests, on a loopback port: redocly and
 * openapi-typescript need Node (file system, code generation) and cannot
 * load inside workerd, so a test fetches the document from the Worker and
 * posts it here; scripts/openapi/tool.ts answers in a process of its own.
 *   POST /lint          the document → its redocly problems
 *   POST /client-types  the document → {generated, committed}: the types it makes and the committed file
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { text } from "node:stream/consumers";
import { readBody, serveOnLoopback, type LoopbackServer } from "./loopback.ts";

const toolScript = path.resolve(import.meta.dirname, "../../../scripts/openapi/tool.ts");

async function runTool(name: string, document: string): Promise<{ ok: boolean; output: string }> {
  const child = spawn(process.execPath, [toolScript, name], { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(document);
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const [stdout, stderr] = await Promise.all([text(child.stdout), text(child.stderr)]);
  const code = await exited;
  return code === 0 ? { ok: true, output: stdout } : { ok: false, output: `tool ${name} exited ${code}: ${stderr}` };
}

export function startOpenApiTools(): Promise<LoopbackServer> {
  return serveOnLoopback(async (request, response) => {
    if (request.method !== "POST") {
      response.writeHead(405).end();
      return;
    }
    const { ok, output } = await runTool((request.url ?? "").slice(1), await readBody(request));
    response.writeHead(ok ? 200 : 500, { "content-type": ok ? "application/json" : "text/plain" });
    response.end(output);
  });
}
