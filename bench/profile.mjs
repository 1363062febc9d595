// Where leadtree's CPU goes: serves the committed-or-working-tree bundle under
// `wrangler dev` with its DevTools inspector, drives distinct leads at a fixed
// concurrency against simulated buyers, records a V8 CPU profile of the
// Worker's isolate (the Worker and its Durable Objects; local D1 runs in
// another isolate of the same process), and prints workerd's CPU per lead and
// the profile's heaviest functions. The benchmark says how much; this says where.
//
//   npm run bench:profile                     10 buyers at 0 ms, concurrency 8, 800 leads
//   npm run bench:profile -- --concurrency=1 --leads=300 --buyers=40 --top=30
//   npm run bench:profile -- --save=/tmp/leadtree.cpuprofile   also keeps the profile and the bundle it names
//   npm run bench:profile -- --heap           also samples allocations: the bytes each function allocates per lead

import fs from "node:fs";
import path from "node:path";
import { forkSimulator } from "./simulator.mjs";
import { driveLeads, provisionLeadtree, putLeadtreeTree } from "./load.mjs";
import { ROOT, freePort, prepareLeadtree, startWorker, stateRoot, stopAll } from "./processes.mjs";
import { cpuMs, workerdPids } from "./workerd.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const CONCURRENCY = option("concurrency", 8);
const LEADS = option("leads", 800);
const BUYERS = option("buyers", 10);
const TOP = option("top", 25);
const WARMUP = Math.min(200, LEADS);
const HEAP = args.includes("--heap");

// The same place for the state as the benchmark, so the profile shows the same work.
const scratch = fs.mkdtempSync(path.join(stateRoot(), "leadtree-profile-"));
const log = (line) => console.error(`[profile] ${line}`);

/** A DevTools protocol session; the inspector proxy admits a loopback Origin only. */
async function inspect(inspectorPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const socket = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://127.0.0.1" } });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`the inspector at ${target.webSocketDebuggerUrl} refused the connection`));
  });
  const pending = new Map();
  let nextId = 0;
  socket.onmessage = (event) => {
    const message = JSON.parse(String(event.data));
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  };
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const id = ++nextId;
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Self time per function, and time per entry frame (the function an event or continuation started in). */
function tables(profile, leads) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (node) => `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber + 1}`;
  const self = new Map();
  const entry = new Map();
  profile.samples.forEach((sample, i) => {
    // A sample stands for the time until the next one: the delta before it belongs to the previous sample, and a gap in sampling
    // (the thread outside this isolate) would otherwise be charged to whatever JS ran first after it.
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(sample);
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + micros);
    let id = sample;
    let bottom = leaf;
    while (parent.has(id) && byId.get(parent.get(id)).callFrame.functionName !== "(root)") {
      id = parent.get(id);
      bottom = byId.get(id);
    }
    entry.set(name(bottom), (entry.get(name(bottom)) ?? 0) + micros);
  });
  const print = (title, map) => {
    console.log(`\n${title} (ms per lead)`);
    for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${(micros / 1000 / leads).toFixed(3).padStart(8)}  ${key}`);
  };
  print("self time", self);
  print("by entry frame", entry);
}

/** Sampled bytes allocated per lead, by the function that allocated them and by the frame its event started in. */
function allocations(heap, leads) {
  const name = (node) => `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber + 1}`;
  const self = new Map();
  const entry = new Map();
  const walk = (node, bottom) => {
    const start = bottom ?? (node.callFrame.functionName === "(root)" ? undefined : node);
    self.set(name(node), (self.get(name(node)) ?? 0) + node.selfSize);
    if (start) entry.set(name(start), (entry.get(name(start)) ?? 0) + node.selfSize);
    for (const child of node.children ?? []) walk(child, start);
  };
  walk(heap.head, undefined);
  const print = (title, map) => {
    console.log(`\n${title} (KiB per lead, sampled)`);
    for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${(bytes / 1024 / leads).toFixed(2).padStart(8)}  ${key}`);
  };
  print("allocated by", self);
  print("allocated under entry frame", entry);
}

let simulator;
try {
  simulator = await forkSimulator({ count: BUYERS });
  const config = path.join(ROOT, "wrangler.toml");
  const persistTo = path.join(scratch, "state");
  const entry = await prepareLeadtree("leadtree", { source: ROOT, persistTo, logDir: scratch });
  const inspectorPort = await freePort();
  const worker = await startWorker("leadtree", { entry, config, cwd: ROOT, port: await freePort(), persistTo, readyPaths: ["/openapi.json"], logDir: scratch, log, inspectorPort });
  const account = await provisionLeadtree(worker.base, simulator.urls());
  await putLeadtreeTree(worker.base, "profile", account.leadPointIds.slice(0, BUYERS));
  const url = `${worker.base}/v1/trees/profile/leads`;
  const tag = Date.now().toString(36);
  log(`warming up with ${WARMUP} leads`);
  await driveLeads(url, account.apiKey, { count: WARMUP, concurrency: CONCURRENCY, tag: `${tag}w` });

  const session = await inspect(inspectorPort);
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 100 });
  await session.send("Profiler.start");
  if (HEAP) {
    await session.send("HeapProfiler.enable");
    // Collected objects too: what costs GC time is what a lead allocates and drops.
    await session.send("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  const pids = workerdPids(worker.handle.pid);
  const cpuBefore = cpuMs(pids);
  const started = performance.now();
  // After the warm-up's numbers: a lead's phone follows its number, and a repeated phone is a duplicate.
  const latency = await driveLeads(url, account.apiKey, { count: LEADS, concurrency: CONCURRENCY, tag, offset: WARMUP });
  const seconds = (performance.now() - started) / 1000;
  const cpu = (cpuMs(pids) - cpuBefore) / LEADS;
  const { profile } = await session.send("Profiler.stop");
  const heap = HEAP ? (await session.send("HeapProfiler.stopSampling")).profile : undefined;
  session.close();

  console.log(`${BUYERS} buyers at 0 ms, concurrency ${CONCURRENCY}, ${LEADS} leads (profiler attached, so slower than the benchmark)`);
  console.log(`leads/s ${(LEADS / seconds).toFixed(1)}, p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, workerd CPU ${cpu.toFixed(2)} ms/lead`);
  tables(profile, LEADS);
  if (heap) allocations(heap, LEADS);
  const save = args.find((arg) => arg.startsWith("--save="))?.slice(7);
  if (save) {
    fs.writeFileSync(save, JSON.stringify(profile));
    fs.copyFileSync(entry, `${save}.js`);
  }
} finally {
  // The simulator is a child process: left running, it would keep this script from ending.
  await Promise.all([stopAll(), simulator?.close()]);
  fs.rmSync(scratch, { recursive: true, force: true });
}
