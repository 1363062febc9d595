// Measures systems side by side under one load: a warm-up each, then rounds
// that alternate between them (A B B A …), so that whatever else the machine
// is doing falls on every system alike. After the warm-up and after each
// round it waits until the system's workerd is idle (its background work
// done, see `settle`), then joins the answers with what the buyers saw.

import { answersText } from "./analyse.mjs";
import { runLoad, summarise } from "./load.mjs";

/**
 * @param {{simulator, sampler, rounds: number, warmupSeconds: number, settle: {minMs: number, maxMs: number}, nextLead: () => object, log: (message: string) => void}} context
 * @returns {{measure: (systems, scenario, load, labelOf) => Promise<object[]>, untilIdle: (system, label: string) => Promise<boolean>}}
 *   `measure` answers one entry per system
 */
export function createMeasure({ simulator, sampler, rounds, warmupSeconds, settle, nextLead, log }) {
  /** Waits until `system`'s workerd is idle; false (with a warning) when it was still busy at the bound. */
  async function untilIdle(system, label) {
    sampler.focus(system.name);
    const idle = await sampler.settle(settle);
    if (!idle) log(`warning: ${label}: ${system.name}'s workerd was still busy ${settle.maxMs / 1000} s after the load ended; its CPU figure may miss work`);
    return idle;
  }

  function emptyTally(system, label) {
    return {
      system,
      label,
      samples: [],
      failures: [],
      clientErrors: 0,
      clientTimeouts: 0,
      elapsedS: 0,
      peakMiB: 0,
      peakAnonMiB: 0,
      cpuMs: 0,
      unsettled: 0,
      memorySamples: 0,
      pids: [],
      buyers: {},
      leadsSeen: 0,
      warmup: { requests: 0, sold: 0 },
    };
  }

  function entryOf(tally, scenario, connections) {
    const sold = tally.samples.filter((sample) => sample.sold);
    const unsold = {};
    const http = {};
    for (const sample of tally.samples.filter((sample) => !sample.sold)) {
      if (sample.status >= 200 && sample.status < 300) unsold[sample.outcome] = (unsold[sample.outcome] ?? 0) + 1;
      else http[sample.status] = (http[sample.status] ?? 0) + 1;
    }
    const timed = sold.filter((sample) => sample.slowestBuyerMs !== undefined);
    const entry = {
      system: tally.system,
      phase: "main",
      label: tally.label,
      scenario: scenario.id,
      connections,
      rounds: rounds,
      // Every lead sent that got an outcome: an answer inside the window, or a client-side error or timeout.
      leads: tally.samples.length + tally.clientErrors + tally.clientTimeouts,
      sold: sold.length,
      answers: { requests: tally.samples.length, unsold, http, clientErrors: tally.clientErrors, clientTimeouts: tally.clientTimeouts },
      warmup: tally.warmup,
      elapsedS: tally.elapsedS,
      leadsPerSecond: sold.length / tally.elapsedS,
      // Over sold leads only, like the throughput: a quick refusal or error answer is not a faster sale.
      latency: summarise(sold.map((sample) => sample.ms)),
      failures: tally.failures,
      memory: { peakMiB: tally.peakMiB, peakAnonMiB: tally.peakAnonMiB, samples: tally.memorySamples, pids: tally.pids },
      // workerd CPU time from the start of each round until it was idle again, per lead that reached the buyers.
      cpu: { ms: tally.cpuMs, msPerLead: tally.cpuMs / (tally.leadsSeen || 1), unsettledRounds: tally.unsettled },
      buyers: { ...tally.buyers, leadsSeen: tally.leadsSeen },
      slowestBuyer: summarise(timed.map((sample) => sample.slowestBuyerMs)),
      aboveSlowestBuyer: summarise(timed.map((sample) => sample.ms - sample.slowestBuyerMs)),
    };
    const l = entry.latency;
    log(
      `${entry.label.padEnd(28)} c${String(connections).padEnd(3)} ${String(entry.sold).padStart(5)}/${entry.leads} sold ` +
        `p50 ${l.p50.toFixed(2)} p95 ${l.p95.toFixed(2)} p99 ${l.p99.toFixed(2)} ms, ${entry.leadsPerSecond.toFixed(1)} sold/s, ` +
        `workerd peak ${entry.memory.peakMiB.toFixed(0)} MiB, CPU ${entry.cpu.msPerLead.toFixed(1)} ms/lead; ${answersText(entry)}`,
    );
    if (entry.failures.length) log(`  first answers that were not sales: ${JSON.stringify(entry.failures.slice(0, 2))}`);
    return entry;
  }

  async function measure(systems, scenario, load, labelOf) {
    const { connections, warmup, rampSeconds, measured, windowSeconds } = load;
    const tallies = new Map(systems.map((system) => [system, emptyTally(system.name, labelOf(system))]));
    for (const system of systems) {
      const warm = await runLoad({ ...system.target(scenario), connections, measured: warmup, maxSeconds: warmupSeconds, makeBody: nextLead });
      tallies.get(system).warmup = { requests: warm.samples.length, sold: warm.samples.filter((sample) => sample.sold).length };
      // Its background work would otherwise fall into the first round, maybe the other system's.
      await untilIdle(system, `${labelOf(system)} c${connections} warm-up`);
    }
    const round = {
      connections,
      rampSeconds,
      measured: Math.max(connections, Math.ceil(measured / rounds)),
      maxSeconds: rampSeconds + windowSeconds / rounds,
      makeBody: nextLead,
    };
    for (let index = 0; index < rounds; index++) {
      const order = index % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        const tally = tallies.get(system);
        await simulator.reset();
        sampler.focus(system.name);
        sampler.begin();
        const result = await runLoad({ ...system.target(scenario), ...round });
        if (!(await untilIdle(system, `${tally.label} c${connections} round ${index + 1}`))) tally.unsettled++;
        const memory = sampler.end();
        const leadIds = result.samples.map((sample) => sample.leadId).filter(Boolean);
        const stats = await simulator.stats({ leadIds });
        for (const sample of result.samples) sample.slowestBuyerMs = stats.leads[sample.leadId]?.maxDelayMs;
        tally.samples.push(...result.samples);
        tally.failures.push(...result.failures.slice(0, 5 - tally.failures.length));
        tally.clientErrors += result.errors - result.timeouts;
        tally.clientTimeouts += result.timeouts;
        tally.elapsedS += result.elapsedS;
        tally.peakMiB = Math.max(tally.peakMiB, memory.peakMiB);
        tally.peakAnonMiB = Math.max(tally.peakAnonMiB, memory.peakAnonMiB);
        tally.cpuMs += memory.cpuMs;
        tally.memorySamples += memory.samples;
        tally.pids = memory.pids;
        tally.leadsSeen += stats.leadCount;
        for (const [key, value] of Object.entries(stats.totals)) tally.buyers[key] = (tally.buyers[key] ?? 0) + value;
      }
    }
    return systems.map((system) => entryOf(tallies.get(system), scenario, connections));
  }

  return { measure, untilIdle };
}
