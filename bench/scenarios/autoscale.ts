// Scenario: the surge replay (surge-replay.ts: steady load, 10× within 1 s, decay, idle) through
// the real inference pool, livepipe's autoscaler against pure KPA (Knative's defaults, no
// queue-budget prediction) as the baseline. Every number is lower-is-better.
// Run on its own: npx tsx bench/scenarios/autoscale.ts [--quick] [--rate 1000] [--factor 10]
// [--repeat 2] [--max-workers N] writes bench/results/autoscale-<ts>.json and .svg (git-ignored);
// with --cycles N it instead measures RSS over N scale cycles 0→2→0 (scale-cycles.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectMachineInfo } from '../harness/machine-info.js';
import { summaryRow, type Measure, type Scenario, type ScenarioResult, type SummaryRow } from '../harness/scenario.js';
import { lineChart } from '../harness/svg-chart.js';
import { REPO_ROOT } from './bench-pipeline.js';
import { measureScaleCycles } from './scale-cycles.js';
import { surgeCharts, surgeSvg } from './surge-charts.js';
import { AUTOSCALE_MODES, surgePlan } from './surge-plan.js';
import { runSurgeReplay, type SurgeMedian, type SurgeReplayOptions, type SurgeReplayResult } from './surge-replay.js';

const SCENARIO = 'autoscale';

/** The compared figures: which median, how the summary names it, its unit. */
const COMPARED: ReadonlyArray<{
  key: keyof Omit<SurgeMedian, 'mode' | 'runs' | 'meanColdStartMs'>;
  variant: string;
  unit: string;
}> = [
  { key: 'budgetBreachPercent', variant: 'surge: answers over the e2e budget', unit: '%' },
  { key: 'p99E2eMs', variant: 'surge: p99 e2e', unit: 'ms' },
  { key: 'workerSeconds', variant: 'surge: worker-seconds', unit: 'worker-s' },
  { key: 'timeToScaleUpMs', variant: 'surge start → a second worker', unit: 'ms' },
  { key: 'timeToZeroMs', variant: 'idle start → zero workers', unit: 'ms' },
];

/**
 * One summary row per compared figure: livepipe as the value, pure KPA as the baseline (the ratio is
 * livepipe / pure KPA, below 1 is better). A figure livepipe never reached gets no row but a note;
 * one only pure KPA never reached keeps its row without a baseline.
 */
export function autoscaleRows(livepipe: SurgeMedian, pureKpa: SurgeMedian): { rows: SummaryRow[]; notes: string[] } {
  const rows: SummaryRow[] = [];
  const notes: string[] = [];
  for (const { key, variant, unit } of COMPARED) {
    const value = livepipe[key];
    const baseline = pureKpa[key];
    const label = `${variant} (lower is better)`;
    if (value === null) {
      notes.push(
        `livepipe: "${variant}" never happened in the replay${baseline === null ? ' (nor with pure KPA)' : `; pure KPA: ${baseline} ${unit}`}.`,
      );
      continue;
    }
    if (baseline === null)
      notes.push(`pure KPA: "${variant}" never happened in the replay; livepipe: ${value} ${unit}.`);
    rows.push(
      summaryRow({
        scenario: SCENARIO,
        variant: label,
        unit,
        value,
        p99AtHalfMs: undefined,
        baseline: baseline ?? undefined,
        ceiling: undefined,
      }),
    );
  }
  return { rows, notes };
}

function measuresOf(result: SurgeReplayResult): Measure[] {
  const measures: Measure[] = [];
  for (const run of result.runs) {
    measures.push(
      {
        name: `${run.mode}: events`,
        description: 'answers received over the replay',
        value: run.events,
        unit: 'events',
      },
      { name: `${run.mode}: p50 e2e`, description: 'scheduled send → answer, median', value: run.p50E2eMs, unit: 'ms' },
      { name: `${run.mode}: max e2e`, description: 'slowest answer', value: run.maxE2eMs, unit: 'ms' },
      {
        name: `${run.mode}: most workers`,
        description: 'most workers ready at once',
        value: run.maxWorkersSeen,
        unit: 'workers',
      },
      {
        name: `${run.mode}: cold starts`,
        description: 'workers started (the first one included)',
        value: run.coldStarts,
        unit: 'starts',
      },
      {
        name: `${run.mode}: mean cold start`,
        description: 'worker start → session ready',
        value: run.meanColdStartMs,
        unit: 'ms',
      },
    );
  }
  return measures;
}

export const autoscaleSurge: Scenario = {
  name: SCENARIO,
  title: 'Autoscaling: 10× surge replay, livepipe autoscaler vs pure KPA',
  notInQuick:
    'about 1 minute on its own, which would take the whole --quick run past 3 minutes; run it with --full or `livepipe bench autoscale`',
  async run({ settings, progress }): Promise<ScenarioResult> {
    const started = performance.now();
    const result = await runSurgeReplay({
      quick: settings.mode === 'quick',
      onRun: (run) =>
        progress.step(
          `${run.mode}: ${run.budgetBreachPercent} % over budget, p99 ${run.p99E2eMs} ms, ${run.workerSeconds} worker-s, up to ${run.maxWorkersSeen} workers`,
        ),
    });
    const { rows, notes } = autoscaleRows(result.medians.livepipe, result.medians['pure-kpa']);
    const { plan } = result;
    notes.unshift(
      `Open loop through the real InferencePool (maxBatch 32, 2 ms): ${plan.baseRate}/s for ${plan.phases.steadyMs / 1000} s, a climb to ${plan.factor}× within 1 s decaying with τ ${plan.phases.decayTauMs / 1000} s until ${plan.phases.surgeMs / 1000} s, then ${plan.phases.idleMs / 1000} s idle; latency from each event's scheduled time, e2e budget ${plan.e2eBudgetMs} ms, queue budget ${plan.queueBudgetMs} ms, at most ${plan.maxWorkers} workers.`,
      `Baseline: pure KPA — the same autoscaler code with Knative's defaults (target 100 in flight per worker) and no queue-budget prediction; livepipe: target 32 with prediction.${plan.timeScale === 1 ? '' : ` Quick mode: every duration and autoscaler window ×${plan.timeScale}.`}`,
    );
    const first = rows[0];
    return {
      scenario: SCENARIO,
      title: autoscaleSurge.title,
      status: 'ok',
      notes,
      rows,
      ratio: { toBaseline: first?.ratioToBaseline ?? null, toCeiling: null },
      measures: measuresOf(result),
      budgetMs: plan.e2eBudgetMs,
      curves: [],
      charts: surgeCharts(result),
      details: { plan, medians: result.medians, runs: result.runs },
      durationMs: performance.now() - started,
    };
  },
};

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rate: { type: 'string', default: '1000' },
      factor: { type: 'string', default: '10' },
      cycles: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'max-workers': { type: 'string' },
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  const machine = collectMachineInfo(REPO_ROOT);

  if (args.cycles !== undefined) {
    const cycles = Number(args.cycles);
    const result = await measureScaleCycles(cycles);
    const file = `${resultsDir}autoscale-cycles-${stamp}.json`;
    writeFileSync(file, `${JSON.stringify({ scenario: 'autoscale-cycles', machine, result }, null, 2)}\n`);
    for (const r of result) console.log(JSON.stringify({ ...r, rssMiB: undefined }));
    writeFileSync(
      `${resultsDir}autoscale-cycles-${stamp}.svg`,
      lineChart({
        title: `RSS after each scale cycle 0→2→0 (${cycles} cycles)`,
        xLabel: 'cycle',
        yLabel: 'RSS MiB',
        series: result.map((r) => ({ label: r.variant, points: r.rssMiB.map((y, x) => ({ x: x + 1, y })) })),
      }),
    );
    console.log(`wrote ${file}`);
    return;
  }
  const options: SurgeReplayOptions = {
    quick: args.quick,
    baseRate: Number(args.rate),
    factor: Number(args.factor),
    repeat: Number(args.repeat),
    maxWorkers: args['max-workers'] === undefined ? undefined : Number(args['max-workers']),
    onRun: (run) => console.log(JSON.stringify({ ...run, bins: undefined })),
  };
  console.error(`surge replay: ${JSON.stringify(surgePlan(options))}`);
  const result = await runSurgeReplay(options);
  for (const mode of AUTOSCALE_MODES) console.log(JSON.stringify({ median: result.medians[mode] }));
  const file = `${resultsDir}autoscale-${stamp}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ scenario: 'autoscale', machine, settings: result.plan, medians: Object.values(result.medians), runs: result.runs }, null, 2)}\n`,
  );
  writeFileSync(`${resultsDir}autoscale-${stamp}.svg`, surgeSvg(result));
  console.log(`wrote ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
