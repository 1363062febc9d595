import type { TestProject } from "vitest/node";
import { startBuyerServer } from "./node/buyerServer.ts";

declare module "vitest" {
  export interface ProvidedContext {
    buyersUrl: string;
  }
}

/** One loopback server hosts every simulated buyer of the run; tests get its URL by inject("buyersUrl"). */
export default async function setup(project: TestProject) {
  const server = await startBuyerServer();
  project.provide("buyersUrl", server.url);
  return () => server.close();
}
