// Renders report.html: the machine, a summary table (rate, p99 at 50 %, baseline, ceiling,
// ratios) and per scenario inline SVG plots — latency vs offered load, throughput over time,
// per-stage latency. One self-contained file, no scripts, no chart library.
import type { BenchSummary, ScenarioResult, SummaryRow } from './scenario.js';
import { barChart, escapeXml, formatNumber, lineChart, type Series } from './svg-chart.js';

export function renderReport(summary: BenchSummary, results: ScenarioResult[]): string {
  const m = summary.machine;
  const packages = Object.entries(m.packages)
    .map(([name, version]) => `${name} ${version ?? '—'}`)
    .join(', ');
  const sections = results.map(renderScenario).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>livepipe benchmark report — ${escapeXml(summary.startedAt)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
section { margin-top: 28px; border-top: 1px solid #ddd; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.note { color: #555; }
.skipped { color: #a60; }
code { background: #f4f4f4; padding: 0 3px; }
</style>
</head>
<body>
<h1>livepipe benchmark report</h1>
<p>${escapeXml(summary.settings.mode)} run started ${escapeXml(summary.startedAt)}, took ${(summary.durationMs / 1000).toFixed(1)} s
(<code>${escapeXml(summary.command)}</code>).</p>
<p>Machine: ${escapeXml(m.cpuModel)}, ${m.cores} cores, ${m.memoryGiB} GiB, ${escapeXml(m.platform)} ${escapeXml(m.osRelease)}, Node ${escapeXml(m.node)}, load average at start ${m.loadAverage.join(' / ')}.
Packages: ${escapeXml(packages)}. Commit ${escapeXml(m.gitCommit ?? 'unknown')}${m.gitDirty ? ' (with uncommitted changes)' : ''}.</p>
<p class="note">Open-loop load: latency counts from each event's scheduled send time. Max sustainable rate: the highest offered rate with p99 within the budget and ≥ 98 % delivered in the step.
Baselines and ceilings ran in the same process run; compare ratios across machines, not absolutes.</p>
<h2>Summary</h2>
${renderSummaryTable(summary.rows, results)}
${sections}
</body>
</html>
`;
}

export function renderSummaryTable(rows: SummaryRow[], results: ScenarioResult[]): string {
  const head =
    '<tr><th>scenario</th><th>variant</th><th>max sustainable / throughput</th><th>p99 at 50 %</th><th>baseline</th><th>ceiling</th><th>× baseline</th><th>of ceiling</th></tr>';
  const body = rows.map(
    (row) =>
      `<tr><td>${escapeXml(row.scenario)}</td><td class="text">${escapeXml(row.variant)}</td><td>${cell(row.value)} ${escapeXml(row.unit)}</td>` +
      `<td>${row.p99AtHalfMs === undefined ? '—' : `${row.p99AtHalfMs.toFixed(2)} ms`}</td><td>${cell(row.baseline)}</td><td>${cell(row.ceiling)}</td>` +
      `<td>${row.ratioToBaseline === undefined ? '—' : `${row.ratioToBaseline.toFixed(2)}×`}</td><td>${row.ratioToCeiling === undefined ? '—' : `${(row.ratioToCeiling * 100).toFixed(0)} %`}</td></tr>`,
  );
  const skipped = results
    .filter((r) => r.status !== 'ok')
    .map(
      (r) =>
        `<tr><td>${escapeXml(r.scenario)}</td><td class="text skipped" colspan="7">${escapeXml(r.status)}: ${escapeXml(r.notes.join(' '))}</td></tr>`,
    );
  return `<table>${head}${[...body, ...skipped].join('')}</table>`;
}

function cell(value: number | undefined): string {
  return value === undefined ? '—' : formatNumber(value);
}

function renderScenario(result: ScenarioResult): string {
  const charts: string[] = [];
  if (result.curves.length > 0) {
    const series: Series[] = [];
    for (const curve of result.curves) {
      series.push({ label: `${curve.label} p50`, points: curve.points.map((p) => ({ x: p.rate, y: p.p50Ms })) });
      series.push({
        label: `${curve.label} p99`,
        points: curve.points.map((p) => ({ x: p.rate, y: p.p99Ms })),
        dashed: true,
      });
    }
    const budget = result.budgetMs;
    charts.push(
      lineChart({
        title: 'Latency vs offered load',
        xLabel: 'offered events/s',
        yLabel: 'latency ms',
        series,
        yMax: budget === undefined ? undefined : budget * 3,
        yReference: budget === undefined ? undefined : { value: budget, label: `e2e budget ${budget} ms` },
      }),
    );
  }
  if (result.timeline && result.timeline.length > 1) {
    const timeline = result.timeline;
    charts.push(
      lineChart({
        title: 'Throughput over time (rate search and load points)',
        xLabel: 'seconds',
        yLabel: 'events/s',
        series: [
          { label: 'offered', points: timeline.map((b) => ({ x: b.tMs / 1000, y: b.offeredPerSec })), dashed: true },
          { label: 'delivered', points: timeline.map((b) => ({ x: b.tMs / 1000, y: b.deliveredPerSec })) },
        ],
      }),
    );
  }
  if (result.stages && Object.keys(result.stages).length > 0) {
    charts.push(
      barChart({
        title: 'Per-stage latency at 50 % of max (pipeline metrics)',
        unit: 'ms',
        groups: Object.entries(result.stages).map(([stage, s]) => ({
          label: stage,
          values: [
            { label: 'p50', value: s.p50Ms },
            { label: 'p99', value: s.p99Ms },
            { label: 'budget', value: s.budgetMs },
          ],
        })),
      }),
    );
  }
  for (const chart of result.charts ?? []) charts.push(lineChart(chart));
  const measures = result.measures.length
    ? `<table><tr><th>measure</th><th>value</th><th>what it is</th></tr>${result.measures
        .map(
          (m) =>
            `<tr><td>${escapeXml(m.name)}</td><td>${formatNumber(m.value)} ${escapeXml(m.unit)}</td><td class="text">${escapeXml(m.description)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const notes = result.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('');
  return `<section id="${escapeXml(result.scenario)}">
<h2>${escapeXml(result.title)} <small>(${escapeXml(result.scenario)}, ${escapeXml(result.status)}, ${(result.durationMs / 1000).toFixed(1)} s)</small></h2>
${notes ? `<ul class="note">${notes}</ul>` : ''}
${measures}
<div class="charts">${charts.join('\n')}</div>
</section>`;
}
