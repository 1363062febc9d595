// How many durable commits leadtree makes per sold lead. Local workerd keeps
// each Durable Object and each D1 database in an SQLite file and fsyncs (or
// fdatasyncs) it on every commit; on tmpfs the flush is free but the call is
// still made. So strace, attached to leadtree's workerd for a phase of its
// own, counts the commits, and `-y` names the file of each, which tells the
// gate object's storage from the other objects' and from local D1. strace
// stops the process at every traced call, so this phase stays outside the
// measured rounds.

import fs from "node:fs";
import path from "node:path";
import { startGroup, stopGroup, tail } from "./processes.mjs";

const STRACE = "/usr/bin/strace";
const GATE_CLASS = "LeadGate";
const D1 = "D1";
const OTHER = "other: ";
const ATTACH_MS = 5000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why strace cannot attach to a process it did not start, or undefined when it may. */
function ptraceBlocked() {
  if (!fs.existsSync(STRACE)) return `${STRACE} is not installed`;
  let scope;
  try {
    scope = fs.readFileSync("/proc/sys/kernel/yama/ptrace_scope", "utf8").trim();
  } catch {
    return undefined; // no Yama: the ordinary rules (same user, or root), which the attach itself checks
  }
  if (scope === "3") return "ptrace is disabled on this machine (kernel.yama.ptrace_scope = 3)";
  if (scope !== "0" && process.getuid?.() !== 0) return `ptrace of a process that is not a child needs root here (kernel.yama.ptrace_scope = ${scope})`;
  return undefined;
}

/** True once every thread of `pids` is traced by `tracer`: only then does the count miss nothing. */
function allTraced(pids, tracer) {
  return pids.every((pid) => {
    try {
      return fs.readdirSync(`/proc/${pid}/task`).every((tid) => {
        const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
        return Number(/^TracerPid:\s+(\d+)/m.exec(status)?.[1]) === tracer;
      });
    } catch {
      return false;
    }
  });
}

/**
 * The store a file belongs to: a Durable Object class (`--persist-to` puts
 * its SQLite files in `v3/do/<script>-<class>/`), D1 (`v3/d1/…`), or
 * `other: <its directory>` (miniflare's own KV, R2 and flag stores, or a
 * file outside the state directory).
 */
function storeOf(file, stateDir) {
  const relative = path.relative(stateDir, file.replace(/ \(deleted\)$/, ""));
  const inside = !relative.startsWith("..") && !path.isAbsolute(relative);
  if (inside && relative.split(path.sep).includes("d1")) return D1;
  const object = inside && /(?:^|\/)do\/(?:[^/]*-)?([^/-]+)\//.exec(relative);
  return object ? object[1] : `${OTHER}${path.dirname(inside ? relative : file)}`;
}

/** fsync/fdatasync calls per file in strace's output (`-y` puts the path in angle brackets after the fd). */
function callsPerFile(text) {
  const files = {};
  // A call interrupted by another thread's is printed twice (`<unfinished ...>`, then `resumed>`); this matches its first line only.
  for (const match of text.matchAll(/\b(?:fsync|fdatasync)\(\d+<([^>\n]*)>/g)) files[match[1]] = (files[match[1]] ?? 0) + 1;
  return files;
}

/**
 * Counts the fsync and fdatasync calls of the processes `pids` (leadtree's
 * workerd) while `drive` runs; `drive` sends the leads, waits until the
 * processes are idle (so the gate's later D1 flush is counted too) and
 * answers `{ leads, sold }`. Answers the calls per store and per file and
 * the figures per sold lead, or `{ measured: false, reason }`.
 */
export async function countCommits({ pids, stateDir, logDir, drive }) {
  const blocked = ptraceBlocked();
  if (blocked) return { measured: false, reason: blocked };
  const tracePath = path.join(logDir, "strace.txt");
  const logPath = path.join(logDir, "strace.log");
  const argv = ["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync", "-o", tracePath, ...pids.flatMap((pid) => ["-p", String(pid)])];
  const handle = startGroup("strace", argv, { logPath, command: STRACE });
  let phase;
  try {
    const until = Date.now() + ATTACH_MS;
    while (handle.exit === undefined && !allTraced(pids, handle.pid) && Date.now() < until) await sleep(20);
    if (handle.exit !== undefined || !allTraced(pids, handle.pid)) {
      return { measured: false, reason: `strace did not attach to workerd (pids ${pids.join(", ")}): ${tail(logPath, 5).trim() || "no message"}` };
    }
    phase = await drive();
  } finally {
    // SIGTERM makes strace detach and write out what it has.
    await stopGroup(handle);
  }
  if (phase.sold === 0) return { measured: false, reason: `none of the ${phase.leads} leads of the phase was sold` };
  const files = callsPerFile(fs.readFileSync(tracePath, "utf8"));
  const stores = {};
  for (const [file, calls] of Object.entries(files)) {
    const store = storeOf(file, stateDir);
    stores[store] = (stores[store] ?? 0) + calls;
  }
  const perSold = (calls) => calls / phase.sold;
  const total = (keep) => Object.entries(stores).reduce((sum, [store, calls]) => sum + (keep(store) ? calls : 0), 0);
  return {
    measured: true,
    ...phase,
    stores,
    files: Object.fromEntries(Object.entries(files).map(([file, calls]) => [path.relative(stateDir, file), calls])),
    perSoldLead: {
      gate: perSold(stores[GATE_CLASS] ?? 0),
      otherObjects: perSold(total((store) => store !== GATE_CLASS && store !== D1 && !store.startsWith(OTHER))),
      d1: perSold(stores[D1] ?? 0),
      other: perSold(total((store) => store.startsWith(OTHER))),
    },
  };
}
