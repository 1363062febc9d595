import type { TestProject } from "vitest/node";
import { startBuyerServer } from "./node/buyerServer.ts";

// Types only: at run time this file must not load vitest, which globalSetup cannot import.
import type {} from "./provided.d.ts";

/** One loopback server hosts every simulated buyer of the run; tests get its URL by inject("buyersUrl"). */
export default async function setup(project: TestProject) {
  const server = await startBuyerServer();
  project.provide("buyersUrl", server.url);
  return () => server.close();
}
