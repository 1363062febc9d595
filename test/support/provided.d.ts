import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The loopback server hosting the simulated buyers (buyers.global.ts). */
    buyersUrl: string;
  }
}
