// Measures systems side by side under one load: a warm-up each, then rounds
// that alternate between them (A B B A …), so that whatever else the machine
// is doing falls on every system alike. After each round it waits until the
// system's workerd is idle, then joins the answers with what the buyers saw.

import { runLoad, summarise } from "./load.mjs";

/**
 * @param {{simulator, sampler, rounds: number, warmupSeconds: number, settleMs: number, nextLead: () => object, log: (message: string) => void}} context
 * @returns {(systems, scenario, load, labelOf) => Promise<object[]>} one entry per system
 */
export function createMeasure({ simulator, sampler, rounds, warmupSeconds, settleMs, nextLead, log }) {
  function emptyTally(system, label) {
    return {
      system,
      label,
      samples: [],
      failures: [],
      errors: 0,
      timeouts: 0,
      elapsedS: 0,
      peakMiB: 0,
      peakAnonMiB: 0,
      cpuMs: 0,
      unsettled: 0,
      memorySamples: 0,
      pids: [],
      buyers: {},
      leadsSeen: 0,
      warmup: { requests: 0, failures: 0 },
    };
  }

  function entryOf(tally, scenario, connections) {
    const ok = tally.samples.filter((sample) => sample.status === 200);
    const outcomes = {};
    for (const sample of tally.samples) {
      const key = sample.status === 200 ? sample.outcome : `http ${sample.status}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    const timed = ok.filter((sample) => sample.slowestBuyerMs !== undefined);
    const entry = {
      system: tally.system,
      phase: "main",
      label: tally.label,
      scenario: scenario.id,
      connections,
      rounds: rounds,
      requests: tally.samples.length,
      ok: ok.length,
      warmup: tally.warmup,
      elapsedS: tally.elapsedS,
      leadsPerSecond: ok.length / tally.elapsedS,
      latency: summarise(ok.map((sample) => sample.ms)),
      outcomes,
      failures: tally.failures,
      errors: tally.errors,
      timeouts: tally.timeouts,
      memory: { peakMiB: tally.peakMiB, peakAnonMiB: tally.peakAnonMiB, samples: tally.memorySamples, pids: tally.pids },
      // workerd CPU time from the start of each round until it was idle again, per lead that reached the buyers.
      cpu: { ms: tally.cpuMs, msPerLead: tally.cpuMs / (tally.leadsSeen || 1), unsettledRounds: tally.unsettled },
      buyers: { ...tally.buyers, leadsSeen: tally.leadsSeen },
      slowestBuyer: summarise(timed.map((sample) => sample.slowestBuyerMs)),
      aboveSlowestBuyer: summarise(timed.map((sample) => sample.ms - sample.slowestBuyerMs)),
    };
    const l = entry.latency;
    log(
      `${entry.label.padEnd(28)} c${String(connections).padEnd(3)} ${String(entry.ok).padStart(5)}/${entry.requests} ok ` +
        `p50 ${l.p50.toFixed(2)} p95 ${l.p95.toFixed(2)} p99 ${l.p99.toFixed(2)} ms, ${entry.leadsPerSecond.toFixed(1)} leads/s, ` +
        `workerd peak ${entry.memory.peakMiB.toFixed(0)} MiB, CPU ${entry.cpu.msPerLead.toFixed(1)} ms/lead, ${JSON.stringify(outcomes)}`,
    );
    if (entry.failures.length) log(`  first failures: ${JSON.stringify(entry.failures.slice(0, 2))}`);
    return entry;
  }

  return async function measure(systems, scenario, load, labelOf) {
    const { connections, warmup, rampSeconds, measured, windowSeconds } = load;
    const tallies = new Map(systems.map((system) => [system, emptyTally(system.name, labelOf(system))]));
    for (const system of systems) {
      const warm = await runLoad({ ...system.target(scenario), connections, measured: warmup, maxSeconds: warmupSeconds, makeBody: nextLead });
      tallies.get(system).warmup = { requests: warm.samples.length, failures: warm.samples.filter((sample) => sample.status !== 200).length };
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
        if (!(await sampler.settle({ maxMs: settleMs }))) tally.unsettled++;
        const memory = sampler.end();
        const leadIds = result.samples.map((sample) => sample.leadId).filter(Boolean);
        const stats = await simulator.stats({ leadIds });
        for (const sample of result.samples) sample.slowestBuyerMs = stats.leads[sample.leadId]?.maxDelayMs;
        tally.samples.push(...result.samples);
        tally.failures.push(...result.failures.slice(0, 5 - tally.failures.length));
        tally.errors += result.errors;
        tally.timeouts += result.timeouts;
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
  };
}
