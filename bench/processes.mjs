// The processes of a benchmark run: each command runs in its own process
// group (so that wrangler's workerd and esbuild children stop with it), its
// output goes to a log file, and `stopAll` ends every group still running,
// also from an exit handler.

import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitForHttp } from "./load.mjs";
import { workerdPids } from "./workerd.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const TMPFS = "/dev/shm";

/**
 * Where a measured Worker's local state (leadtree's Durable Objects and D1)
 * goes. Local workerd keeps it in SQLite files and fsyncs on every commit, on
 * the one thread that runs the Worker: on this VM's disk ~0.2 ms of blocked
 * thread per commit, three per lead (the lead, the post intent, the
 * outcome), a cost of the local emulation and the disk under it, not of the
 * exchange (a production object's write is confirmed by replication, off
 * its isolate's thread). So it is tmpfs when the machine has one, unless
 * `disk` is asked for.
 */
export function stateRoot({ disk = false } = {}) {
  if (disk) return os.tmpdir();
  try {
    fs.accessSync(TMPFS, fs.constants.W_OK);
    return fs.statSync(TMPFS).isDirectory() ? TMPFS : os.tmpdir();
  } catch {
    return os.tmpdir();
  }
}
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const PINNED_NODE = path.join(ROOT, "node_modules", "node", "bin", "node");
// wrangler needs the project's Node 22; `npm run` puts it first on PATH, and this finds it without.
const NODE = fs.existsSync(PINNED_NODE) ? PINNED_NODE : process.execPath;

const running = new Set();

process.on("exit", () => {
  for (const handle of running) {
    try {
      process.kill(-handle.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Runs `command argv…` (the project's Node unless told) in its own process group; answers a handle for `stopGroup`. */
export function startGroup(name, argv, { logPath, cwd = ROOT, env = {}, command = NODE }) {
  const out = fs.openSync(logPath, "a");
  const child = spawn(command, argv, {
    cwd,
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0", ...env },
  });
  fs.closeSync(out);
  const handle = { name, pid: child.pid, logPath, exit: undefined };
  child.on("exit", (code, signal) => {
    handle.exit = { code, signal };
  });
  running.add(handle);
  return handle;
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the group, SIGKILL to whatever is left of it after 5 s. */
export async function stopGroup(handle) {
  if (!running.has(handle)) return;
  running.delete(handle);
  try {
    process.kill(-handle.pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await sleep(100);
    if (handle.exit !== undefined && (!groupAlive(handle.pid) || workerdPids(handle.pid).length === 0)) break;
  }
  try {
    process.kill(-handle.pid, "SIGKILL");
  } catch {
    // the group is gone
  }
}

export async function stopAll() {
  await Promise.all([...running].map((handle) => stopGroup(handle)));
}

/** Runs wrangler to its end; throws with the end of its log unless it exits 0 within `timeoutMs`. */
export async function wrangler(name, argv, { logDir, cwd, env, timeoutMs = 120_000 }) {
  const logPath = path.join(logDir, `${name}.log`);
  const handle = startGroup(name, [WRANGLER, ...argv], { logPath, cwd, env });
  const until = Date.now() + timeoutMs;
  while (handle.exit === undefined && Date.now() < until) await sleep(100);
  await stopGroup(handle);
  if (handle.exit?.code !== 0) throw new Error(`wrangler ${argv.join(" ")} failed (${JSON.stringify(handle.exit ?? "timed out")}):\n${tail(logPath)}`);
}

/**
 * Bundles a Worker once (`wrangler deploy --dry-run`), so that the run
 * measures one snapshot of the code and no file saved meanwhile reloads it.
 * Answers the bundle's entry file.
 */
export async function buildWorker(name, { config, cwd, logDir }) {
  const outdir = path.join(logDir, `${name}-dist`);
  await wrangler(`${name}-build`, ["deploy", "--dry-run", "--outdir", outdir, "--config", config], { logDir, cwd });
  return path.join(outdir, "index.js");
}

/**
 * leadtree from `source` (this checkout, or a commit unpacked by
 * unpackCommit) bundled, and its local D1 migrated into `persistTo`: ready
 * for startWorker. Answers the bundle's entry file.
 */
export async function prepareLeadtree(name, { source, persistTo, logDir }) {
  const config = path.join(source, "wrangler.toml");
  const [entry] = await Promise.all([
    buildWorker(name, { config, cwd: source, logDir }),
    // CI=true answers wrangler's confirmation prompt.
    wrangler(`${name}-d1-migrations`, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo, "--config", config], { logDir, cwd: source, env: { CI: "true" } }),
  ]);
  return entry;
}

/** `ref`'s commit unpacked into `dir`, with this checkout's node_modules. Answers the commit's short id. */
export function unpackCommit(ref, dir) {
  fs.mkdirSync(dir);
  const tar = execFileSync("git", ["-C", ROOT, "archive", "--format=tar", ref], { maxBuffer: 512 * 2 ** 20 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return execFileSync("git", ["-C", ROOT, "rev-parse", "--short", ref]).toString().trim();
}

/**
 * What `wrangler dev` runs beside every Worker it serves unless told not to:
 * its local observability (X_LOCAL_OBSERVABILITY, on by default whatever
 * `[observability]` says) streams every span of every invocation (each
 * fetch, RPC, SQL and D1 call) to a collector Worker that writes them into
 * a SQLite file, all on the same workerd thread as the Worker measured.
 * Production collects traces outside the Worker's isolate, and the cost
 * grows with the number of spans, so it would charge leadtree (an RPC, a
 * relay call and a journal per lead) far more than the baseline for work
 * neither does in production: both are measured without it.
 */
const MEASURED_ENV = { X_LOCAL_OBSERVABILITY: "false" };

/**
 * Serves a bundle under `wrangler dev --no-bundle` on 127.0.0.1:`port` and
 * waits until it answers HTTP on one of `readyPaths`. The DevTools inspector
 * listens on `inspectorPort` (0: any free port).
 */
export async function startWorker(name, { entry, config, cwd, port, persistTo, vars = {}, readyPaths, logDir, log, inspectorPort = 0 }) {
  const argv = [WRANGLER, "dev", entry, "--no-bundle", "--config", config];
  argv.push("--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort), "--persist-to", persistTo);
  argv.push("--show-interactive-dev-session=false", "--log-level", "warn");
  for (const [key, value] of Object.entries(vars)) argv.push("--var", `${key}:${value}`);
  const logPath = path.join(logDir, `${name}.log`);
  const handle = startGroup(name, argv, { logPath, cwd, env: { WRANGLER_CI_DISABLE_CONFIG_WATCHING: "true", ...MEASURED_ENV } });
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const up = await waitForHttp(base, { paths: readyPaths, timeoutMs: 60_000, isAlive: () => handle.exit === undefined });
  if (!up) throw new Error(`${name} did not answer on ${base}:\n${tail(logPath)}`);
  log(`${name} is up on ${base} after ${((performance.now() - t0) / 1000).toFixed(1)} s (workerd pids ${workerdPids(handle.pid).join(", ")})`);
  return { name, base, handle };
}
