// The benchmark of issue 3: how much time does leadtree add to the buyers'
// own time? It starts the buyer simulator, leadtree under `wrangler dev` (its
// own migrated local D1) and the baseline Worker under a second `wrangler
// dev`, runs every scenario against both in the same run, and reports the
// difference. Every process it starts, it stops, also on an error or Ctrl-C.
// bench/README.md says how to read the figures.
//
//   npm run bench -- --quick     10 buyers at 0 ms; prints the summary line last
//   npm run bench                every scenario; writes bench/results/report.md and latency.svg
//   --ref=<git ref>              benchmark that commit's leadtree instead of the working tree
//   --only=baseline              the harness alone, without leadtree
//   --disk                       keep the Workers' local state on disk (default: tmpfs, see STATE_ROOT)
//   --baseline-cap=6             the baseline pings at most 6 buyers waiting for headers at once, as production allows (default: all at once)

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { forkSimulator } from "./simulator.mjs";
import { makeLead, provisionLeadtree, putLeadtreeTree, runLoad } from "./load.mjs";
import { ROOT, TMPFS, buildWorker, freePort, prepareLeadtree, startWorker, stateRoot, stopAll, stopGroup, unpackCommit } from "./processes.mjs";
import { WorkerdSampler } from "./workerd.mjs";
import { analyse, answersText, commitsText, countsText, summaryLine } from "./analyse.mjs";
import { countCommits } from "./commits.mjs";
import { createMeasure } from "./measure.mjs";
import { writeReport } from "./report.mjs";

const RESULTS = path.join(ROOT, "bench", "results");

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const DISK = args.includes("--disk");
const option = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const ONLY = option("only");
// Production lets an invocation have six connections waiting for headers; wrangler dev does not, and by default neither does the baseline.
const BASELINE_CAP = option("baseline-cap");
if (BASELINE_CAP !== undefined && !/^[1-9][0-9]*$/.test(BASELINE_CAP)) throw new Error(`--baseline-cap must be a positive whole number, not ${BASELINE_CAP}`);
const REF = option("ref");
const SYSTEMS = ONLY ? [ONLY] : ["baseline", "leadtree"];

const ZERO = { latency: { meanMs: 0, jitterMs: 0 } };
const FIFTY = { latency: { meanMs: 50, jitterMs: 20 } };
const SCENARIOS = [
  { id: "10x0ms", title: "10 buyers at 0 ms", buyers: 10, profile: ZERO, quick: true },
  { id: "10x50ms", title: "10 buyers at 50±20 ms", buyers: 10, profile: FIFTY },
  { id: "40x0ms", title: "40 buyers at 0 ms", buyers: 40, profile: ZERO },
  { id: "100x0ms", title: "100 buyers at 0 ms", buyers: 100, profile: ZERO },
];
const GATE_SHARDS_PER_KEY = "1000000000";
// The full run measures leadtree with its state on disk as a variant (see stateRoot).
const STATE_ROOT = stateRoot({ disk: DISK });
// Per system and load, in ROUNDS rounds that alternate between the systems
// (A B B A …): first `warmup` leads (at most WARMUP_SECONDS), then, per round,
// `rampSeconds` of load that is not measured (concurrency 32 takes a while to
// reach its steady state) and a window of `measured / ROUNDS` answers or
// `windowSeconds / ROUNDS`, whichever comes first.
const ROUNDS = 4;
const LOADS = [
  { connections: 1, warmup: 50, rampSeconds: 0, measured: 200, windowSeconds: QUICK ? 15 : 30 },
  { connections: 32, warmup: 96, rampSeconds: QUICK ? 1 : 1.5, measured: 2000, windowSeconds: 10 },
];
const WARMUP_SECONDS = QUICK ? 3 : 5;
// The longest wait, after a round, for the system to finish its work (see WorkerdSampler.settle).
const SETTLE_MAX_MS = 10_000;
const POSITION_TIMEOUT_SECONDS = 1;
// The phase that counts leadtree's commits per sold lead under strace (bench/commits.mjs).
const COMMIT_PHASE = { warmup: 20, leads: 100, maxSeconds: 60 };

/** The leadtree runs after the main ones, each against a baseline measured beside it: what one setting costs. */
const VARIANTS = [
  { phase: "per-key", title: `one gate object per lead key (GATE_SHARDS=${GATE_SHARDS_PER_KEY})`, short: "GATE_SHARDS=1e9", vars: { GATE_SHARDS: GATE_SHARDS_PER_KEY } },
  ...(STATE_ROOT === TMPFS ? [{ phase: "disk", title: `local state on disk (${stateRoot({ disk: true })})`, short: "state on disk", disk: true }] : []),
];

/** A numeric var of leadtree's wrangler.toml: its defaults are what the benchmark measures. */
function configuredVar(config, name) {
  const match = new RegExp(`^${name}\\s*=\\s*"(\\d+)"`, "m").exec(fs.readFileSync(config, "utf8"));
  if (!match) throw new Error(`${config} sets no ${name} var`);
  return match[1];
}

const runTag = Date.now().toString(36);
let leadCounter = 0;
const nextLead = () => makeLead(runTag, leadCounter++);

let simulator;
let scratch;
let diskScratch;

function log(message) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function cleanup() {
  const stops = [stopAll()];
  if (simulator) stops.push(simulator.close().catch(() => {}));
  simulator = undefined;
  await Promise.all(stops);
  for (const dir of [scratch, diskScratch]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  scratch = undefined;
  diskScratch = undefined;
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    log(`${signal}: stopping everything`);
    cleanup().finally(() => process.exit(130));
  });
}

/** The leadtree source to run: the working tree, or `--ref`'s commit unpacked into the scratch directory. */
function leadtreeSource() {
  if (!REF) return ROOT;
  const dir = path.join(scratch, "leadtree-src");
  log(`leadtree from ${REF} (${unpackCommit(REF, dir)}) unpacked into ${dir}`);
  return dir;
}

// ---------------------------------------------------------------- systems

async function startBaseline(urls) {
  const config = path.join(ROOT, "bench", "baseline", "wrangler.toml");
  const entry = await buildWorker("baseline", { config, cwd: ROOT, logDir: scratch });
  const worker = await startWorker("baseline", {
    entry,
    config,
    cwd: ROOT,
    port: await freePort(),
    persistTo: path.join(scratch, "baseline-state"),
    vars: { BUYER_URLS: urls.join(","), TIMEOUT_MS: String(POSITION_TIMEOUT_SECONDS * 1000), ...(BASELINE_CAP ? { MAX_WAITING_FOR_HEADERS: BASELINE_CAP } : {}) },
    readyPaths: ["/"],
    logDir: scratch,
    log,
  });
  return {
    name: "baseline",
    worker,
    prepare: async () => ({ ok: true }),
    target: (scenario) => ({ url: `${worker.base}/leads?buyers=${scenario.buyers}` }),
  };
}

async function startLeadtree(urls, source) {
  const config = path.join(source, "wrangler.toml");
  const persistTo = path.join(scratch, "leadtree-state");
  const entry = await prepareLeadtree("leadtree", { source, persistTo, logDir: scratch });
  const port = await freePort();
  const gateShards = configuredVar(config, "GATE_SHARDS");
  const serve = (name, vars, statePath) =>
    startWorker(name, { entry, config, cwd: source, port, persistTo: statePath, vars: { GATE_SHARDS: gateShards, ...vars }, readyPaths: ["/openapi.json"], logDir: scratch, log });
  const system = { name: "leadtree", gateShards, statePath: persistTo, worker: await serve("leadtree", {}, persistTo) };
  const t0 = performance.now();
  const account = await provisionLeadtree(system.worker.base, urls);
  log(`leadtree: publisher and ${account.leadPointIds.length} buyer lead points created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // A variant runs its own tree: a tree records its gate count when it is saved (GATE_SHARDS then), and a
  // tree whose count changed keeps asking its old gates for a window, which is a transition, not the variant.
  const treeId = (scenario) => `bench-${scenario.id}${system.variant ? `-${system.variant}` : ""}`;
  system.prepare = async (scenario) => {
    try {
      await putLeadtreeTree(system.worker.base, treeId(scenario), account.leadPointIds.slice(0, scenario.buyers), {
        timeoutSeconds: POSITION_TIMEOUT_SECONDS,
      });
      return { ok: true };
    } catch (error) {
      return { ok: false, error: error.message };
    }
  };
  system.target = (scenario) => ({
    url: `${system.worker.base}/v1/trees/${treeId(scenario)}/leads`,
    headers: { "x-api-key": account.apiKey },
  });
  /** Serves the same state again as `variant` says: other vars, or a copy of the state on disk. */
  system.restart = async (variant) => {
    await stopGroup(system.worker.handle);
    system.statePath = persistTo;
    if (variant.disk) {
      diskScratch = fs.mkdtempSync(path.join(stateRoot({ disk: true }), "leadtree-bench-disk-"));
      system.statePath = path.join(diskScratch, "leadtree-state");
      fs.cpSync(persistTo, system.statePath, { recursive: true });
    }
    system.worker = await serve(`leadtree-${variant.phase}`, variant.vars ?? {}, system.statePath);
    system.variant = variant.phase;
  };
  return system;
}

/**
 * The durable commits a sold lead of leadtree costs (bench/commits.mjs), in a
 * phase of its own after the measured rounds, as strace slows workerd: at
 * concurrency 1, after a warm-up that loads the tree's configuration, until
 * leadtree is idle again so that its D1 flush is counted.
 */
async function commitPhase(leadtree, scenario, { sampler, untilIdle }) {
  await simulator.configure({ profile: scenario.profile });
  const prepared = await leadtree.prepare(scenario);
  if (!prepared.ok) return { measured: false, reason: `leadtree refused the ${scenario.id} tree: ${prepared.error}` };
  const label = `leadtree ${scenario.id} commit count`;
  const load = (measured) => runLoad({ ...leadtree.target(scenario), connections: 1, measured, maxSeconds: COMMIT_PHASE.maxSeconds, makeBody: nextLead });
  await load(COMMIT_PHASE.warmup);
  await untilIdle(leadtree, `${label} warm-up`);
  sampler.scan();
  return countCommits({
    pids: sampler.pids.leadtree,
    stateDir: leadtree.statePath,
    logDir: scratch,
    drive: async () => {
      const result = await load(COMMIT_PHASE.leads);
      await untilIdle(leadtree, label);
      return { leads: result.samples.length + result.errors, sold: result.samples.filter((sample) => sample.sold).length };
    },
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const t0 = performance.now();
  fs.mkdirSync(RESULTS, { recursive: true });
  scratch = fs.mkdtempSync(path.join(STATE_ROOT, "leadtree-bench-"));
  const scenarios = SCENARIOS.filter((scenario) => !QUICK || scenario.quick);
  const maxBuyers = Math.max(...scenarios.map((scenario) => scenario.buyers));
  log(`${QUICK ? "quick" : "full"} run, node ${process.versions.node}, scratch and local state in ${scratch}${STATE_ROOT === TMPFS ? " (tmpfs)" : ""}`);

  simulator = await forkSimulator({ count: maxBuyers });
  const urls = simulator.urls();
  log(`buyer simulator: ${urls.length} buyers on 127.0.0.1 (pid ${simulator.pid})`);

  const source = SYSTEMS.includes("leadtree") ? leadtreeSource() : ROOT;
  // Both systems wait as long after a round, so that neither is charged the other's background work.
  const settle = { minMs: Number(configuredVar(path.join(source, "wrangler.toml"), "LOG_FLUSH_MS")), maxMs: SETTLE_MAX_MS };
  const systems = await Promise.all([
    ...(SYSTEMS.includes("baseline") ? [startBaseline(urls)] : []),
    ...(SYSTEMS.includes("leadtree") ? [startLeadtree(urls, source)] : []),
  ]);
  const sampler = new WorkerdSampler(Object.fromEntries(systems.map((system) => [system.name, system.worker.handle.pid])));
  sampler.start();
  const { measure, untilIdle } = createMeasure({ simulator, sampler, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, settle, nextLead, log });
  const runs = [];
  const refusals = [];
  let commits;
  try {
    for (const scenario of scenarios) {
      await simulator.configure({ profile: scenario.profile });
      const ready = [];
      for (const system of systems) {
        const prepared = await system.prepare(scenario);
        if (prepared.ok) ready.push(system);
        else {
          refusals.push({ system: system.name, scenario: scenario.id, error: prepared.error });
          log(`${system.name} refused the ${scenario.id} tree, so it is not measured there: ${prepared.error}`);
        }
      }
      for (const load of LOADS) {
        runs.push(...(await measure(ready, scenario, load, (system) => `${system.name} ${scenario.id}`)));
      }
    }

    const leadtree = systems.find((system) => system.name === "leadtree");
    if (leadtree) {
      commits = await commitPhase(leadtree, scenarios[0], { sampler, untilIdle });
      if (commits.measured) log(`commit count, fsync/fdatasync calls per file of ${commits.sold} sold leads: ${countsText(commits.files)}`);
    }
    for (const variant of !QUICK && leadtree ? VARIANTS : []) {
      const scenario = scenarios[0];
      log(`restarting leadtree: ${variant.title}`);
      await leadtree.restart(variant);
      const prepared = await leadtree.prepare(scenario);
      if (!prepared.ok) throw new Error(`leadtree (${variant.phase}) could not set up its tree: ${prepared.error}`);
      sampler.watch("leadtree", leadtree.worker.handle.pid);
      await simulator.configure({ profile: scenario.profile });
      // The baseline again beside it, so that every leadtree variant has a baseline from its own time.
      const phase = systems.filter((system) => system === leadtree || system.name === "baseline");
      for (const load of LOADS) {
        const entries = await measure(phase, scenario, load, (system) => `${system.name} ${scenario.id} ${variant.phase}`);
        for (const entry of entries) entry.phase = variant.phase;
        runs.push(...entries);
      }
    }
  } finally {
    sampler.stop();
  }

  const results = {
    quick: QUICK,
    date: new Date().toISOString(),
    leadtree: REF ? { ref: REF, commit: execFileSync("git", ["-C", ROOT, "rev-parse", REF]).toString().trim() } : { ref: "working tree" },
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, node: process.versions.node },
    settings: { loads: LOADS, rounds: ROUNDS, warmupSeconds: WARMUP_SECONDS, settle, commitPhase: COMMIT_PHASE, positionTimeoutSeconds: POSITION_TIMEOUT_SECONDS,
      gateShardsDefault: systems.find((system) => system.name === "leadtree")?.gateShards ?? null,
      state: STATE_ROOT === TMPFS ? "tmpfs" : "disk",
      baselineMaxWaitingForHeaders: BASELINE_CAP ? Number(BASELINE_CAP) : null,
      variants: VARIANTS.map(({ phase, title, short }) => ({ phase, title, short })),
    },
    scenarios: scenarios.map(({ id, title, buyers, profile }) => ({ id, title, buyers, profile })),
    refusals,
    runs,
    commits,
    wallSeconds: (performance.now() - t0) / 1000,
  };
  results.analysis = analyse(results);
  fs.writeFileSync(path.join(RESULTS, QUICK ? "quick.json" : "results.json"), JSON.stringify(results, null, 2));
  if (!QUICK) {
    const written = writeReport(results, RESULTS);
    log(`wrote ${written.map((file) => path.relative(ROOT, file)).join(", ")}`);
  }
  return results;
}

let results;
let failed = false;
try {
  results = await main();
} catch (error) {
  failed = true;
  console.error(`[bench] failed: ${error?.stack ?? error}`);
} finally {
  await cleanup();
}
if (results) {
  for (const run of results.runs.filter((run) => run.sold < run.leads * 0.99 || run.sold === 0)) {
    failed = true;
    console.error(`[bench] ${run.label} c${run.connections}: less than 99 % of the leads sold (${answersText(run)}); first answers that were not sales: ${JSON.stringify(run.failures)}`);
  }
  for (const refusal of results.refusals) {
    console.error(`[bench] ${refusal.system} refused the ${refusal.scenario} tree: ${refusal.error}`);
  }
  log(`done in ${results.wallSeconds.toFixed(0)} s`);
  if (results.commits) console.log(commitsText(results.commits));
  if (BASELINE_CAP) console.log(`(the baseline pinged at most ${BASELINE_CAP} buyers waiting for headers at once, as production allows)`);
  console.log(summaryLine(results));
}
if (failed) process.exitCode = 1;
