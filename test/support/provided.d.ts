import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The loopback server hosting the simulated buyers (buyers.global.ts). */
    buyersUrl: string;
    /** redocly lint and openapi-typescript, run in Node (openapi.global.ts). */
    openapiToolsUrl: string;
  }
}
