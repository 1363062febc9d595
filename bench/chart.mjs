// The latency chart of the report, as hand-written SVG: per scenario and
// concurrency one bar per system on a log scale (p50), a tick at p95 and a
// whisker to p99, with p50 / p99 and leads per second beside it.

import { fixed, runLabel } from "./analyse.mjs";

function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[ch]);
}

const COLOURS = { baseline: "#80868b", leadtree: "#1a73e8", variant: "#e8710a" };

/** Horizontal bars on a log scale: p50 as the bar, a whisker to p99 with a tick at p95. */
export function latencyChart(results) {
  const groups = [];
  for (const scenario of results.scenarios) {
    for (const connections of [...new Set(results.runs.map((run) => run.connections))].sort((a, b) => a - b)) {
      const runs = results.runs.filter((run) => run.scenario === scenario.id && run.connections === connections);
      const refusals = (results.refusals ?? []).filter((refusal) => refusal.scenario === scenario.id);
      if (runs.length) groups.push({ title: `${scenario.title}, concurrency ${connections}`, runs, refusals });
    }
  }
  const width = 1000;
  const left = 230;
  const right = 770;
  const top = 70;
  const barHeight = 14;
  const barGap = 5;
  const groupGap = 26;
  const values = results.runs.flatMap((run) => [run.latency.p50, run.latency.p99]).filter((v) => Number.isFinite(v) && v > 0);
  const low = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...values))));
  const decade = 10 ** Math.floor(Math.log10(Math.max(...values)));
  const high = decade * ([1, 2, 5, 10].find((step) => decade * step >= Math.max(...values)) ?? 10);
  const x = (ms) => left + ((Math.log10(Math.max(low, ms)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * (right - left);
  let y = top;
  const body = [];
  for (const group of groups) {
    body.push(`<text x="10" y="${y + 11}" class="group">${escapeXml(group.title)}</text>`);
    y += 16;
    for (const run of group.runs) {
      const colour = (run.phase ?? "main") !== "main" && run.system === "leadtree" ? COLOURS.variant : COLOURS[run.system];
      const l = run.latency;
      const mid = y + barHeight / 2;
      body.push(`<text x="24" y="${y + 11}" class="label">${escapeXml(runLabel(results, run, true))}</text>`);
      body.push(`<rect x="${left}" y="${y}" width="${(x(l.p50) - left).toFixed(1)}" height="${barHeight}" fill="${colour}"/>`);
      body.push(`<line x1="${x(l.p50).toFixed(1)}" y1="${mid}" x2="${x(l.p99).toFixed(1)}" y2="${mid}" stroke="${colour}" stroke-width="1.5"/>`);
      body.push(`<line x1="${x(l.p95).toFixed(1)}" y1="${y + 3}" x2="${x(l.p95).toFixed(1)}" y2="${y + barHeight - 3}" stroke="${colour}" stroke-width="1.5"/>`);
      body.push(`<line x1="${x(l.p99).toFixed(1)}" y1="${y}" x2="${x(l.p99).toFixed(1)}" y2="${y + barHeight}" stroke="${colour}" stroke-width="2"/>`);
      body.push(
        `<text x="${right + 12}" y="${y + 11}" class="value">${fixed(l.p50, 1)} / ${fixed(l.p99, 1)} ms · ${fixed(run.leadsPerSecond, 0)} sold/s</text>`,
      );
      y += barHeight + barGap;
    }
    for (const refusal of group.refusals) {
      body.push(`<text x="24" y="${y + 11}" class="label">${escapeXml(refusal.system)}</text>`);
      body.push(`<text x="${left + 6}" y="${y + 11}" class="note">not measured: it refused the tree (see the report)</text>`);
      y += barHeight + barGap;
    }
    y += groupGap - barGap;
  }
  const bottom = y;
  const axis = [];
  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const ms = decade * step;
      if (ms > high * 1.0001) break;
      const px = x(ms).toFixed(1);
      axis.push(`<line x1="${px}" y1="${top - 6}" x2="${px}" y2="${bottom}" class="${step === 1 ? "grid major" : "grid"}"/>`);
      axis.push(`<text x="${px}" y="${bottom + 16}" class="tick" text-anchor="middle">${ms >= 1 ? Math.round(ms) : ms.toFixed(1)}</text>`);
    }
  }
  const height = bottom + 70;
  const legend = [
    ["baseline (bare fan-out Worker)", COLOURS.baseline],
    ["leadtree", COLOURS.leadtree],
    ["leadtree, one gate object per key", COLOURS.perKey],
  ]
    .map(([name, colour], i) => `<rect x="${left + i * 230}" y="${bottom + 34}" width="12" height="12" fill="${colour}"/><text x="${left + i * 230 + 18}" y="${bottom + 44}" class="label">${escapeXml(name)}</text>`)
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">
<style>
  .title { font-size: 16px; font-weight: bold; fill: #202124; }
  .subtitle, .tick, .label, .value { font-size: 12px; fill: #3c4043; }
  .group { font-size: 12px; font-weight: bold; fill: #202124; }
  .note { font-size: 12px; font-style: italic; fill: #80868b; }
  .grid { stroke: #e8eaed; stroke-width: 1; }
  .major { stroke: #dadce0; }
</style>
<rect width="${width}" height="${height}" fill="#ffffff"/>
<text x="10" y="24" class="title">End-to-end latency per lead: leadtree vs the bare fan-out baseline</text>
<text x="10" y="44" class="subtitle">bar = p50, tick = p95, whisker end = p99; log scale, ms. Right: p50 / p99 and throughput. ${escapeXml(results.date.slice(0, 10))}</text>
${axis.join("\n")}
${body.join("\n")}
<text x="${(left + right) / 2}" y="${bottom + 28}" class="tick" text-anchor="middle">milliseconds (log scale)</text>
${legend}
</svg>
`;
}
