// Installs the project's dependencies when node_modules is missing or older
// than package-lock.json, so that `npm start` and `npm test` work on a fresh
// clone. It runs before anything is installed, so on whatever Node the
// machine has (18 or later) and with Node's own modules only.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
const windows = process.platform === "win32";

/** Runs a command in the project root with our output; a failure ends this process with its status. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, shell: windows, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

export function ensureInstalled() {
  // npm writes this file last in every install, after package-lock.json.
  const installed = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  const hasLock = existsSync(lock);
  const why = !existsSync(installed)
    ? "are not installed"
    : hasLock && statSync(lock).mtimeMs > statSync(installed).mtimeMs
      ? "are older than package-lock.json"
      : undefined;
  if (why) {
    // ci installs exactly the lock and never rewrites it; install only when there is none.
    const command = hasLock ? "ci" : "install";
    console.log(`leadtree: the dependencies ${why}; running npm ${command}`);
    run("npm", [command]);
  }
  // The project's own Node (the `node` dev dependency) is node_modules/.bin/node.
  // npm puts that folder first on its scripts' PATH, but it did not exist when
  // this script started; putting it first here makes every command we start
  // from now on (npm, npx, wrangler, vitest) run on the pinned Node.
  process.env.PATH = `${join(root, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`;
}
