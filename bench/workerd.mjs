// The workerd processes behind each `wrangler dev`, read from /proc: their
// resident memory and the CPU time they use. A `wrangler dev` runs two workerd
// processes (its entry proxy and the runtime with the Worker, its Durable
// Objects and local D1); a system's figure is the sum over the workerd
// processes that descend from its wrangler process.

import fs from "node:fs";
import { clearInterval, setInterval } from "node:timers";

// Linux reports CPU time in clock ticks of 1/100 s on every platform it runs on here.
const TICK_MS = 10;

function readStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces; the fields after it are fixed.
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    return { comm, state: fields[0], ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** The pids of the live workerd processes that descend from `rootPid`. */
export function workerdPids(rootPid) {
  const children = new Map();
  const info = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (!stat) continue;
    const pid = Number(name);
    info.set(pid, stat);
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(pid);
  }
  const found = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift();
    for (const child of children.get(pid) ?? []) {
      const stat = info.get(child);
      if (stat.comm === "workerd" && stat.state !== "Z") found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Resident set of one process in KiB (`rss`), and its anonymous part (`anon`, not the mapped binary); 0 when it is gone. */
export function residentKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    const anon = /^RssAnon:\s+(\d+)\s+kB/m.exec(status);
    return { rss: rss ? Number(rss[1]) : 0, anon: anon ? Number(anon[1]) : 0 };
  } catch {
    return { rss: 0, anon: 0 };
  }
}

/** User + system CPU time used so far by `pids`, in ms. */
export function cpuMs(pids) {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuTicks ?? 0), 0) * TICK_MS;
}

/**
 * CPU time of the live threads of `pids` in ns, from the scheduler's own
 * accounting (/proc/<pid>/task/<tid>/schedstat): the 10 ms ticks of `cpuMs`
 * are too coarse to tell a process that is idle from one using 2 % of a core
 * over 200 ms. A thread's time leaves the sum when it exits, so this is for
 * short differences, not for totals.
 */
export function threadCpuNs(pids) {
  let sum = 0;
  for (const pid of pids) {
    let tids;
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        sum += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // the thread has exited
      }
    }
  }
  return sum;
}

/**
 * Samples the workerd memory of every system every `intervalMs`. A window
 * (`begin` … `end`) reports, for the focused system, the peak inside it and
 * the CPU time its workerd processes used; `overall` keeps each system's peak
 * over the whole run.
 */
export class WorkerdSampler {
  constructor(roots, { intervalMs = 100, rescanMs = 2000 } = {}) {
    this.roots = { ...roots };
    this.intervalMs = intervalMs;
    this.rescanMs = rescanMs;
    this.pids = {};
    this.overall = {};
    this.window = undefined;
    this.focused = undefined;
    this.lastScan = 0;
  }

  watch(name, rootPid) {
    this.roots[name] = rootPid;
    this.scan();
  }

  focus(name) {
    this.focused = name;
  }

  scan() {
    for (const [name, root] of Object.entries(this.roots)) this.pids[name] = workerdPids(root);
    this.lastScan = Date.now();
  }

  sample() {
    if (Date.now() - this.lastScan > this.rescanMs) this.scan();
    for (const [name, pids] of Object.entries(this.pids)) {
      let kib = 0;
      let anon = 0;
      for (const pid of pids) {
        const resident = residentKiB(pid);
        kib += resident.rss;
        anon += resident.anon;
      }
      this.overall[name] = Math.max(this.overall[name] ?? 0, kib);
      if (this.window) {
        this.window.peak[name] = Math.max(this.window.peak[name] ?? 0, kib);
        this.window.peakAnon[name] = Math.max(this.window.peakAnon[name] ?? 0, anon);
        if (name === this.focused) this.window.samples++;
      }
    }
  }

  start() {
    this.scan();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
  }

  cpuMs(name = this.focused) {
    return cpuMs(this.pids[name] ?? []);
  }

  /**
   * Waits `minMs`, then until the focused system's workerd processes are idle
   * (under `threshold` of one core over `sliceMs`), at most `maxMs` in all:
   * the work of leads whose requests were cut off, and work done after the
   * answer (`waitUntil`, leadtree's D1 flush every LOG_FLUSH_MS), is then
   * finished and counted in this system's window. False when the bound was hit.
   */
  async settle({ minMs = 0, sliceMs = 200, threshold = 0.02, maxMs = 10_000 } = {}) {
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const until = Date.now() + maxMs;
    await sleep(Math.min(minMs, maxMs));
    const pids = () => this.pids[this.focused] ?? [];
    let before = threadCpuNs(pids());
    while (Date.now() < until) {
      await sleep(sliceMs);
      const now = threadCpuNs(pids());
      // A negative difference is a thread that ended: the process is still busy.
      if (now >= before && now - before <= sliceMs * 1e6 * threshold) return true;
      before = now;
    }
    return false;
  }

  begin() {
    this.window = { peak: {}, peakAnon: {}, samples: 0, cpuStartMs: this.cpuMs() };
    this.sample();
  }

  end() {
    this.sample();
    const window = this.window;
    this.window = undefined;
    const toMiB = (kib) => kib / 1024;
    return {
      peakMiB: toMiB(window.peak[this.focused] ?? 0),
      peakAnonMiB: toMiB(window.peakAnon[this.focused] ?? 0),
      cpuMs: this.cpuMs() - window.cpuStartMs,
      samples: window.samples,
      pids: this.pids[this.focused] ?? [],
    };
  }
}
