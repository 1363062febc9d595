// The figures of a benchmark run: leadtree's overhead over the baseline,
// throughput ratios, the slowest-buyer comparison, cost growth and the
// leadtree variants (`analyse`), the one-line summary, and the formatting the report
// and the chart share.

const PERCENTILES = ["p50", "p95", "p99"];

function findRun(results, system, scenario, connections, phase = "main") {
  return results.runs.find(
    (run) => run.system === system && run.scenario === scenario && run.connections === connections && (run.phase ?? "main") === phase,
  );
}

function difference(a, b) {
  return Object.fromEntries(PERCENTILES.map((p) => [p, a && b ? a.latency[p] - b.latency[p] : NaN]));
}

/** Overheads, throughput ratios and the derived lines of the report. */
export function analyse(results) {
  const connectionsList = [...new Set(results.runs.map((run) => run.connections))].sort((a, b) => a - b);
  const comparisons = [];
  for (const scenario of results.scenarios) {
    for (const connections of connectionsList) {
      const baseline = findRun(results, "baseline", scenario.id, connections);
      const leadtree = findRun(results, "leadtree", scenario.id, connections);
      if (!baseline && !leadtree) continue;
      comparisons.push({
        scenario: scenario.id,
        connections,
        overheadMs: difference(leadtree, baseline),
        throughputRatio: leadtree && baseline ? leadtree.leadsPerSecond / baseline.leadsPerSecond : NaN,
      });
    }
  }
  const comparison = (scenario, connections) => comparisons.find((c) => c.scenario === scenario && c.connections === connections);
  const headline = {
    c1_p50_overhead_ms: comparison("10x0ms", 1)?.overheadMs.p50 ?? NaN,
    c1_p99_overhead_ms: comparison("10x0ms", 1)?.overheadMs.p99 ?? NaN,
    c32_throughput_vs_baseline: comparison("10x0ms", 32)?.throughputRatio ?? NaN,
    gate_commits_per_sold_lead: results.commits?.perSoldLead?.gate ?? NaN,
  };

  const slowest = [];
  for (const scenario of results.scenarios.filter((s) => s.profile.latency.meanMs > 0)) {
    for (const connections of connectionsList) {
      for (const system of ["leadtree", "baseline"]) {
        const run = findRun(results, system, scenario.id, connections);
        if (!run) continue;
        slowest.push({
          scenario: scenario.id,
          system,
          connections,
          p50EndToEnd: run.latency.p50,
          p50SlowestBuyer: run.slowestBuyer.p50,
          p50Difference: run.latency.p50 - run.slowestBuyer.p50,
          perLeadAboveSlowest: run.aboveSlowestBuyer,
        });
      }
    }
  }

  // Overhead with N buyers at 0 ms over the overhead with 10, for every N measured.
  const growth = [];
  for (const scenario of results.scenarios.filter((s) => s.profile.latency.meanMs === 0 && s.buyers > 10)) {
    for (const connections of connectionsList) {
      const small = comparison("10x0ms", connections)?.overheadMs.p50;
      const large = comparison(scenario.id, connections)?.overheadMs.p50;
      growth.push({
        scenario: scenario.id,
        buyers: scenario.buyers,
        connections,
        overhead10: small ?? NaN,
        overheadN: large ?? NaN,
        ratio: small > 0 && Number.isFinite(large) ? large / small : NaN,
      });
    }
  }

  const variant = (run, baseline) => ({
    latency: run.latency,
    leadsPerSecond: run.leadsPerSecond,
    peakMiB: run.memory.peakMiB,
    overheadMs: difference(run, baseline),
    throughputRatio: baseline ? run.leadsPerSecond / baseline.leadsPerSecond : NaN,
  });
  // Each variant of leadtree beside the default, both against the baseline measured in their own phase.
  const variants = [];
  for (const { phase, title } of results.settings.variants ?? []) {
    for (const connections of connectionsList) {
      const main = findRun(results, "leadtree", "10x0ms", connections);
      const other = findRun(results, "leadtree", "10x0ms", connections, phase);
      if (!main || !other) continue;
      variants.push({
        phase,
        title,
        connections,
        main: variant(main, findRun(results, "baseline", "10x0ms", connections)),
        variant: variant(other, findRun(results, "baseline", "10x0ms", connections, phase)),
      });
    }
  }

  return { comparisons, headline, slowest, growth, variants };
}

export const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "NaN");
export const signed = (value, digits = 2) => (Number.isFinite(value) ? `${value >= 0 ? "+" : ""}${value.toFixed(digits)}` : "n/a");

/** The last line of every run; people grep for its keys, so they stay as they are. */
export function summaryLine(results) {
  const h = results.analysis.headline;
  return (
    `c1_p50_overhead_ms=${fixed(h.c1_p50_overhead_ms)} c1_p99_overhead_ms=${fixed(h.c1_p99_overhead_ms)} ` +
    `c32_throughput_vs_baseline=${fixed(h.c32_throughput_vs_baseline, 3)} gate_commits_per_sold_lead=${fixed(h.gate_commits_per_sold_lead)}`
  );
}

/** The commits per sold lead of bench/commits.mjs, or why they were not measured. */
export function commitsText(commits) {
  if (!commits.measured) return `gate_commits_per_sold_lead not measured: ${commits.reason}`;
  const p = commits.perSoldLead;
  return (
    `gate_commits_per_sold_lead=${fixed(p.gate)} other_object_commits_per_sold_lead=${fixed(p.otherObjects)} d1_commits_per_sold_lead=${fixed(p.d1)} ` +
    `other_commits_per_sold_lead=${fixed(p.other)} (fsync/fdatasync calls of leadtree's workerd over ${commits.sold} sold of ${commits.leads} leads at concurrency 1; ` +
    `per store: ${countsText(commits.stores)})`
  );
}

/** `key=n, key=n` of a map of counts (each key after `prefix`), or "none". */
export function countsText(counts, prefix = "") {
  return (
    Object.entries(counts)
      .map(([key, count]) => `${prefix}${key}=${count}`)
      .join(", ") || "none"
  );
}

/** What became of a run's leads: sold, answered but not sold (by the answer's status), non-2xx answers (by HTTP status), client-side timeouts and errors. */
export function answersText(run) {
  const a = run.answers;
  return `sold ${run.sold} of ${run.leads}; not sold: ${countsText(a.unsold)}; non-2xx: ${countsText(a.http, "HTTP ")}; client timeouts ${a.clientTimeouts}, errors ${a.clientErrors}`;
}

export function scenarioTitle(results, id) {
  return results.scenarios.find((scenario) => scenario.id === id)?.title ?? id;
}

export function runLabel(results, run, short = false) {
  const variant = (results.settings.variants ?? []).find((v) => v.phase === run.phase);
  if (!variant) return run.system;
  if (run.system === "leadtree") return `leadtree, ${short ? variant.short : variant.title}`;
  return short ? "baseline, beside it" : `baseline, beside leadtree with ${variant.title}`;
}
