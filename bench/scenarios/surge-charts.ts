// The surge replay drawn: per mode, workers (ready, desired, offered load) and p99 per bin over the
// replay — for the HTML report and, as one SVG file, for a stand-alone run.
import { lineChart, type LineChartOptions } from '../harness/svg-chart.js';
import { AUTOSCALE_MODES } from './surge-plan.js';
import type { SurgeReplayResult } from './surge-replay.js';

/** Per mode (its first run), workers over time and p99 e2e per bin against the budget. */
export function surgeCharts(result: SurgeReplayResult): LineChartOptions[] {
  const { plan } = result;
  const charted = AUTOSCALE_MODES.flatMap((mode) => result.runs.filter((run) => run.mode === mode).slice(0, 1));
  return charted.flatMap((run) => [
    {
      title: `${run.mode}: workers`,
      xLabel: 's',
      yLabel: 'workers',
      series: [
        { label: 'ready', points: run.bins.map((b) => ({ x: b.t, y: b.workers })) },
        { label: 'desired', points: run.bins.map((b) => ({ x: b.t, y: b.desired })), dashed: true },
        {
          label: `offered / ${Math.round(plan.baseRate)} per s`,
          points: run.bins.map((b) => ({ x: b.t, y: b.offered / plan.baseRate })),
          dashed: true,
        },
      ],
    },
    {
      title: `${run.mode}: p99 e2e per ${plan.binMs} ms`,
      xLabel: 's',
      yLabel: 'ms',
      yReference: { value: plan.e2eBudgetMs, label: 'e2e budget' },
      yMax: plan.e2eBudgetMs * 4,
      series: [{ label: 'p99', points: run.bins.filter((b) => b.answered > 0).map((b) => ({ x: b.t, y: b.p99Ms })) }],
    },
  ]);
}

/** The charts as one SVG file, two per row (one row per mode). */
export function surgeSvg(result: SurgeReplayResult): string {
  const charts = surgeCharts(result).map(lineChart);
  const rows = Math.ceil(charts.length / 2);
  const placed = charts.map(
    (chart, i) => `<g transform="translate(${(i % 2) * 570} ${300 * Math.floor(i / 2)})">${chart}</g>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1140" height="${300 * rows}">${placed.join('')}</svg>`;
}
