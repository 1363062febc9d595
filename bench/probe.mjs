// What one building block of a lead's path costs workerd, measured apart
// from leadtree: bench/probes/index.js serves a route per block, each is
// driven with autocannon in alternating rounds, and the bare route's CPU per
// request (HTTP in and out, through wrangler's proxy) is subtracted from the
// others measured in the same round. bench/README.md's table of where
// leadtree's CPU goes was measured with it.
//
//   npm run bench:probe
//   npm run bench:probe -- --requests=3000 --rounds=5 --connections=16

import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { ROOT, buildWorker, freePort, startWorker, stateRoot, stopAll } from "./processes.mjs";
import { cpuMs, workerdPids } from "./workerd.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const REQUESTS = option("requests", 2000);
const ROUNDS = option("rounds", 3);
const CONNECTIONS = option("connections", 16);

const BARE = "/none";
/** `per`: how many times a request does the block (the figure is per block); `leads`: how many leads' worth one block is. */
const PROBES = [
  { path: "/object-call", what: "a call to a warm Durable Object", per: 10 },
  { path: "/object-call-back", what: "that call, calling back into the caller's RpcTarget (leadtree's relay)", per: 10 },
  { path: "/object-visit-read", what: "that call, its turn reading as the consumer visit does (leadtree's: the limit written in)", per: 10 },
  { path: "/object-visit-read-bound-limit", what: "the same read with its limit bound as a parameter", per: 10 },
  { path: "/object-commit", what: "that call, its turn writing one row (so it commits)", per: 10 },
  { path: "/object-commit-10-rows", what: "that call, its turn writing ten rows (one commit)", per: 10 },
  { path: "/d1-batch-empty", what: "a D1 batch of one SELECT 1", per: 1, leads: 40 },
  { path: "/d1-trace-objects", what: "40 leads' trace rows (11 each) into D1 as JSON objects", per: 1, leads: 40 },
  { path: "/d1-trace-arrays", what: "the same rows as JSON arrays, each column read from json_each", per: 1, leads: 40 },
  { path: "/d1-trace-arrays-materialized", what: "the same arrays read out of json_each once (leadtree's lead log)", per: 1, leads: 40 },
  { path: "/d1-leads-arrays", what: "40 leads' rows (24 columns, PII sealed) as arrays, each column read from json_each", per: 1, leads: 40 },
  { path: "/d1-leads-arrays-materialized", what: "the same lead rows read out of json_each once (leadtree's lead log)", per: 1, leads: 40 },
  { path: "/seal-each", what: "sealing a lead's 8 PII values, one AES-GCM each (leadtree's seal)", per: 10 },
  { path: "/seal-one", what: "sealing the same 8 values as one envelope", per: 10 },
];

const scratch = fs.mkdtempSync(path.join(stateRoot(), "leadtree-probe-"));
const log = (line) => console.error(`[probe] ${line}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function cpuPerRequest(base, pids, route, amount) {
  const before = cpuMs(pids);
  const result = await autocannon({ url: `${base}${route}`, connections: CONNECTIONS, amount });
  if (result.non2xx || result.errors) throw new Error(`${route}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return ((cpuMs(pids) - before) * 1000) / result.requests.total;
}

try {
  const config = path.join(ROOT, "bench", "probes", "wrangler.toml");
  const entry = await buildWorker("probes", { config, cwd: ROOT, logDir: scratch });
  const worker = await startWorker("probes", { entry, config, cwd: ROOT, port: await freePort(), persistTo: path.join(scratch, "state"), readyPaths: [BARE], logDir: scratch, log });
  const pids = workerdPids(worker.handle.pid);
  const routes = [BARE, ...PROBES.map((probe) => probe.path)];
  for (const route of routes) await cpuPerRequest(worker.base, pids, route, 200);
  const extra = new Map(PROBES.map((probe) => [probe.path, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts at another route, so a drift of the machine's speed falls on each in turn.
    const order = routes.map((_, i) => routes[(i + round) % routes.length]);
    const measured = new Map();
    for (const route of order) measured.set(route, await cpuPerRequest(worker.base, pids, route, REQUESTS));
    for (const probe of PROBES) extra.get(probe.path).push(measured.get(probe.path) - measured.get(BARE));
    log(`round ${round + 1}: bare route ${measured.get(BARE).toFixed(0)} µs CPU per request`);
  }
  console.log(`CPU of workerd per block beyond the bare route's request (median of ${ROUNDS} rounds of ${REQUESTS} requests, ${CONNECTIONS} connections):`);
  for (const probe of PROBES) {
    const micros = median(extra.get(probe.path)) / probe.per;
    const perLead = probe.leads ? ` (${(micros / probe.leads).toFixed(0)} µs a lead)` : "";
    console.log(`${`${micros.toFixed(0)} µs`.padStart(9)}  ${probe.what}${perLead}`);
  }
} finally {
  await stopAll();
  fs.rmSync(scratch, { recursive: true, force: true });
}
