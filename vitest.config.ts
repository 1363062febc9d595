import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
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
      globalSetup: ["./test/support/buyers.global.ts", "./test/support/openapi.global.ts"],
      setupFiles: ["./test/support/migrate.ts"],
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 20_000,
    },
  };
});
