import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// core/ is pure by rule, and so are the buyer wire and a few helpers: their
// tests run on Node, in one process, which proves they need no Workers
// runtime and spares each file the start of a workerd (about 2 s here).
const runtimeFreeTests = ["src/core/**/*.test.ts", "src/buyers/**/*.test.ts", "src/store/ids.test.ts", "src/http/publisher/answerXml.test.ts"];

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        { test: { name: "runtime-free", include: runtimeFreeTests, environment: "node", isolate: false } },
        {
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
            name: "workers",
            globalSetup: ["./test/support/buyers.global.ts", "./test/support/openapi.global.ts"],
            setupFiles: ["./test/support/migrate.ts"],
            include: ["src/**/*.test.ts", "test/**/*.test.ts"],
            exclude: runtimeFreeTests,
            testTimeout: 20_000,
          },
        },
      ],
    },
  };
});
