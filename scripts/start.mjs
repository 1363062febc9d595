// `npm start`: migrate the local D1, then serve the exchange on workerd at
// http://127.0.0.1:$PORT (8787 unless PORT says otherwise).
import { spawn, spawnSync } from "node:child_process";

const port = process.env.PORT ?? "8787";
const wrangler = (args, options) => spawnSync("npx", ["wrangler", ...args], { stdio: "inherit", ...options });

const migrated = wrangler(["d1", "migrations", "apply", "DB", "--local"], { env: { ...process.env, CI: "true" } });
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

const dev = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
