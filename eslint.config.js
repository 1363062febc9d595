import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules", "**/.wrangler", "worker-configuration.d.ts", "bench/results", "migrations"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["bench/**/*.mjs", "scripts/**/*.mjs", "test/support/*.global.ts"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", Buffer: "readonly", fetch: "readonly", AbortController: "readonly", performance: "readonly", WebSocket: "readonly" } },
  },
  {
    // The benchmark's probe Worker: plain JavaScript run by workerd.
    files: ["bench/probes/*.js"],
    languageOptions: { globals: { crypto: "readonly", Response: "readonly", TextEncoder: "readonly", URL: "readonly" } },
  },
);
