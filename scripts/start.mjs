// `npm start`: install what is missing, migrate the local D1, then serve the
// exchange on workerd at http://127.0.0.1:$PORT (8787 unless PORT says otherwise).
import { spawn } from "node:child_process";
import { ensureInstalled, root, run } from "./ensure-install.mjs";

ensureInstalled();
const port = process.env.PORT ?? "8787";

run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { env: { ...process.env, CI: "true" } });

const dev = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", port, ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: root,
  shell: process.platform === "win32",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
