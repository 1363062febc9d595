import type { TestProject } from "vitest/node";
import { startOpenApiTools } from "./node/openapiTools.ts";

// Types only: at run time this file must not load vitest, which globalSetup cannot import.
import type {} from "./provided.d.ts";

/** redocly and openapi-typescript run here, in Node; tests reach them by inject("openapiToolsUrl"). */
export default async function setup(project: TestProject) {
  const server = await startOpenApiTools();
  project.provide("openapiToolsUrl", server.url);
  return () => server.close();
}
