// Which of two leadtree builds costs less CPU per lead: the working tree and
// `--ref`'s commit, served side by side against the same simulated buyers
// and driven in alternating rounds, so that the machine's drifts (which move
// one quick benchmark run's figures by more than most changes do) fall on
// both alike. Prints workerd's CPU per sold lead and the throughput of each,
// round by round and in all, with the median latency of each round (read it
// at --concurrency=1, where it is the time one lead takes).
//
//   npm run bench:compare -- --ref=HEAD~1
//   npm run bench:compare -- --ref=main --rounds=8 --leads=500 --concurrency=32 --buyers=10

import fs from "node:fs";
import path from "node:path";
import { forkSimulator } from "./simulator.mjs";
import { driveLeads, provisionLeadtree, putLeadtreeTree } from "./load.mjs";
import { ROOT, freePort, prepareLeadtree, startWorker, stateRoot, stopAll, unpackCommit } from "./processes.mjs";
import { cpuMs, workerdPids } from "./workerd.mjs";

const args = process.argv.slice(2);
const text = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const option = (name, fallback) => Number(text(name) ?? fallback);
const REF = text("ref");
const ROUNDS = option("rounds", 6);
const LEADS = option("leads", 400);
const CONCURRENCY = option("concurrency", 32);
const BUYERS = option("buyers", 10);
const WARMUP = 200;
/** After a round, both wait this long, so the round's background work (D1 flushes, consumer batches) is counted in it. */
const SETTLE_MS = 2_000;

if (!REF) {
  console.error("usage: npm run bench:compare -- --ref=<git ref> [--rounds=6 --leads=400 --concurrency=32 --buyers=10]");
  process.exit(2);
}

const scratch = fs.mkdtempSync(path.join(stateRoot(), "leadtree-compare-"));
const log = (line) => console.error(`[compare] ${line}`);

async function serve(name, source, simulator) {
  const persistTo = path.join(scratch, `${name}-state`);
  const entry = await prepareLeadtree(name, { source, persistTo, logDir: scratch });
  const worker = await startWorker(name, { entry, config: path.join(source, "wrangler.toml"), cwd: source, port: await freePort(), persistTo, readyPaths: ["/openapi.json"], logDir: scratch, log });
  const account = await provisionLeadtree(worker.base, simulator.urls());
  await putLeadtreeTree(worker.base, "compare", account.leadPointIds.slice(0, BUYERS));
  return { name, url: `${worker.base}/v1/trees/compare/leads`, apiKey: account.apiKey, pids: workerdPids(worker.handle.pid), cpu: 0, seconds: 0, rounds: [], p50s: [] };
}

let simulator;
try {
  simulator = await forkSimulator({ count: BUYERS });
  const refDir = path.join(scratch, "ref-src");
  log(`${REF} (${unpackCommit(REF, refDir)}) unpacked into ${refDir}`);
  // One after the other: two builds at once would each take the other's CPU for its start-up.
  const systems = [await serve("working-tree", ROOT, simulator), await serve("ref", refDir, simulator)];
  const tag = Date.now().toString(36);
  for (const system of systems) await driveLeads(system.url, system.apiKey, { count: WARMUP, concurrency: CONCURRENCY, tag: `${tag}w` });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  for (let round = 0; round < ROUNDS; round++) {
    // Each round the other goes first.
    for (const system of round % 2 === 0 ? systems : [...systems].reverse()) {
      const before = cpuMs(system.pids);
      const started = performance.now();
      const { p50 } = await driveLeads(system.url, system.apiKey, { count: LEADS, concurrency: CONCURRENCY, tag, offset: WARMUP + round * LEADS });
      const seconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const cpu = cpuMs(system.pids) - before;
      system.cpu += cpu;
      system.seconds += seconds;
      system.rounds.push(cpu / LEADS);
      system.p50s.push(p50);
      log(`round ${round + 1} ${system.name}: ${(cpu / LEADS).toFixed(2)} ms CPU/lead, ${(LEADS / seconds).toFixed(0)} leads/s, p50 ${p50.toFixed(2)} ms`);
    }
  }
  const [mine, theirs] = systems;
  const perLead = (system) => system.cpu / (ROUNDS * LEADS);
  const differences = mine.rounds.map((ms, i) => ms - theirs.rounds[i]);
  const p50Differences = mine.p50s.map((ms, i) => ms - theirs.p50s[i]);
  const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
  // The standard error of the rounds' mean difference: a difference inside about two of these is the machine, not the change.
  const standardError = (values) => Math.sqrt(values.reduce((sum, v) => sum + (v - mean(values)) ** 2, 0) / (values.length - 1) / values.length);
  for (const system of systems) {
    console.log(`${system.name.padEnd(12)} ${perLead(system).toFixed(3)} ms CPU/lead, ${((ROUNDS * LEADS) / system.seconds).toFixed(1)} leads/s at concurrency ${CONCURRENCY} (${ROUNDS} rounds of ${LEADS})`);
  }
  console.log(
    `working tree - ${REF}: ${(perLead(mine) - perLead(theirs)).toFixed(3)} ms CPU/lead (${(((perLead(mine) - perLead(theirs)) / perLead(theirs)) * 100).toFixed(1)} %, standard error ${standardError(differences).toFixed(3)}), per round from ${Math.min(...differences).toFixed(2)} to ${Math.max(...differences).toFixed(2)}`,
  );
  console.log(
    `working tree - ${REF}: ${mean(p50Differences).toFixed(3)} ms of median latency (the rounds' p50s, ${mean(mine.p50s).toFixed(2)} against ${mean(theirs.p50s).toFixed(2)}; standard error ${standardError(p50Differences).toFixed(3)}), per round from ${Math.min(...p50Differences).toFixed(2)} to ${Math.max(...p50Differences).toFixed(2)}`,
  );
} finally {
  await Promise.all([stopAll(), simulator?.close()]);
  fs.rmSync(scratch, { recursive: true, force: true });
}
