import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// core/ is pure by rule, and so are the buyer wire and a few helpers: their
// tests run on Node, in one process, which proves they need no Workers
// runtime and spares each file the start of a workerd (about 2 s here).
const runtimeFreeTests = ["src/core/**/*.test.ts", "src/buyers/**/*.test.ts", "src/store/ids.test.ts", "src/http/publisher/answerXml.test.ts"];

// These files read or set what is the whole exchange's, not one tree's: every
// report summed over a window against the ledger, and the score weights that
// every lead is scored with. Each gets a runtime of its own.
const wholeExchangeTests = ["test/http/reconciliation.test.ts", "test/http/scoreWeights.test.ts", "src/store/scoreWeights.test.ts"];

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  const workersProject = (name: string, include: string[], exclude: string[], isolate: boolean) => ({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Tests read D1 right after a lead is answered, so gates write their logs at once.
          bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: "test-admin-token", CLICK_SECRET: "test-click-secret", PII_KEY: "test1:LcytphJNkFQXaDVlHoE01/k6d0fSj4/lMxflYVmUzx4=", CONSUMER_KEY: "jvZPbyJi4cFJLntMvzLCDYa1duKMOfwKRkUpe0jzvGY=", LOG_FLUSH_MS: "10" },
        },
      }),
    ],
    test: {
      name,
      globalSetup: ["./test/support/buyers.global.ts", "./test/support/openapi.global.ts"],
      setupFiles: ["./test/support/migrate.ts"],
      include,
      exclude,
      testTimeout: 20_000,
      // Without isolation, one workerd per pool worker runs its files one
      // after another on the same D1 and objects: starting a workerd per file
      // cost 4 s a file, most of the suite. Tests make their own publishers,
      // buyers and trees (unique ids), so what an earlier file left does not
      // touch them.
      isolate,
    },
  });
  return {
    test: {
      projects: [
        { test: { name: "runtime-free", include: runtimeFreeTests, environment: "node", isolate: false } },
        workersProject("workers", ["src/**/*.test.ts", "test/**/*.test.ts"], [...runtimeFreeTests, ...wholeExchangeTests], false),
        workersProject("whole-exchange", wholeExchangeTests, [], true),
      ],
    },
  };
});
