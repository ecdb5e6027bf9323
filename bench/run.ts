// The benchmark runner: `npm run bench -- [--quick|--full] [--out DIR] [--scenario NAME] [NAME...]`.
// Runs the scenarios in one process, each with its baseline and ceiling, and writes one JSON file
// per scenario, summary.json and report.html (default out dir bench/results/<timestamp>/).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { collectMachineInfo } from './harness/machine-info.js';
import { Progress } from './harness/progress.js';
import { writeResults } from './harness/result-writer.js';
import {
  FULL_SETTINGS,
  QUICK_SETTINGS,
  skippedResult,
  type Scenario,
  type ScenarioResult,
} from './harness/scenario.js';
import { formatNumber } from './harness/svg-chart.js';
import { autoscaleSurge } from './scenarios/autoscale.js';
import { REPO_ROOT } from './scenarios/bench-pipeline.js';
import { embeddedE2e } from './scenarios/embedded-e2e.js';
import { kafkaE2e } from './scenarios/kafka-e2e.js';
import { overlayFanout } from './scenarios/overlay-fanout.js';
import { rocketmqE2e } from './scenarios/rocketmq-e2e.js';
import { routerFilters } from './scenarios/router-filters.js';
import { surgeSimulation } from './scenarios/surge-simulation.js';

/** Every scenario, in the order a run goes through them. */
export const SCENARIOS: readonly Scenario[] = [
  embeddedE2e,
  kafkaE2e,
  rocketmqE2e,
  routerFilters,
  overlayFanout,
  autoscaleSurge,
  surgeSimulation,
];

export interface BenchOptions {
  mode: 'quick' | 'full';
  outDir?: string;
  /** Scenario names to run; all when empty. */
  scenarios?: string[];
  command?: string;
}

export async function runBench(
  options: BenchOptions,
): Promise<{ outDir: string; results: ScenarioResult[]; files: string[] }> {
  const settings = options.mode === 'full' ? FULL_SETTINGS : QUICK_SETTINGS;
  const wanted = options.scenarios ?? [];
  const unknown = wanted.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const selected = wanted.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => wanted.includes(s.name));
  // A scenario too long for the 3-minute quick suite runs only when named; the report says so.
  const leftOut = (scenario: Scenario): boolean =>
    options.mode === 'quick' && wanted.length === 0 && scenario.notInQuick !== undefined;
  const startedAt = new Date();
  const outDir = options.outDir ?? join(REPO_ROOT, 'bench', 'results', startedAt.toISOString().replace(/[:.]/g, '-'));
  const machine = collectMachineInfo(REPO_ROOT);
  const progress = new Progress();
  const began = performance.now();
  progress.begin(selected.length);
  const results: ScenarioResult[] = [];
  for (const scenario of selected) {
    progress.scenario(scenario.name);
    const scenarioStart = performance.now();
    let result: ScenarioResult;
    try {
      result = leftOut(scenario)
        ? skippedResult(scenario, [`not part of a whole-suite --quick run: ${scenario.notInQuick ?? ''}`], 0)
        : await scenario.run({ settings, progress });
    } catch (error) {
      result = {
        scenario: scenario.name,
        title: scenario.title,
        status: 'failed',
        notes: [`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`],
        rows: [],
        ratio: { toBaseline: null, toCeiling: null },
        measures: [],
        curves: [],
        durationMs: performance.now() - scenarioStart,
      };
    }
    results.push(result);
    progress.finishScenario(describe(result));
  }
  progress.end();
  const files = await writeResults(
    outDir,
    {
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - began,
      machine,
      settings,
      command: options.command ?? `bench --${options.mode}`,
    },
    results,
  );
  return { outDir, results, files };
}

function describe(result: ScenarioResult): string {
  if (result.status !== 'ok') return `${result.status} — ${result.notes[0] ?? ''}`.split('\n')[0] as string;
  return result.rows
    .map((r) => {
      const ratios = [
        ...(r.ratioToBaseline === undefined ? [] : [`${r.ratioToBaseline}× baseline`]),
        ...(r.ratioToCeiling === undefined ? [] : [`${Math.round(r.ratioToCeiling * 100)} % of ceiling`]),
      ];
      return `${r.variant}: ${formatNumber(r.value)} ${r.unit}${ratios.length === 0 ? '' : ` (${ratios.join(', ')})`}`;
    })
    .join('; ');
}

/** The summary as a plain-text table for stdout. */
export function summaryTable(results: ScenarioResult[]): string {
  const lines = ['scenario | variant | value | p99 @50% | baseline | ceiling | ×baseline | of ceiling'];
  for (const result of results) {
    if (result.status !== 'ok') {
      lines.push(`${result.scenario} | ${result.status}: ${(result.notes[0] ?? '').split('\n')[0]}`);
      continue;
    }
    for (const r of result.rows) {
      lines.push(
        [
          r.scenario,
          r.variant,
          `${formatNumber(r.value)} ${r.unit}`,
          r.p99AtHalfMs === undefined ? '—' : `${r.p99AtHalfMs.toFixed(2)} ms`,
          r.baseline === undefined ? '—' : formatNumber(r.baseline),
          r.ceiling === undefined ? '—' : formatNumber(r.ceiling),
          r.ratioToBaseline === undefined ? '—' : `${r.ratioToBaseline}×`,
          r.ratioToCeiling === undefined ? '—' : `${Math.round(r.ratioToCeiling * 100)} %`,
        ].join(' | '),
      );
    }
  }
  return lines.join('\n');
}

const USAGE = `usage: npm run bench -- [--quick|--full] [--out DIR] [--scenario NAME]... [NAME...]
  --quick         short steps, the suite in under 3 minutes (default)
  --full          longer steps, finer search, 10k fan-out clients, every scenario
  --out DIR       results folder (default bench/results/<timestamp>/)
  --scenario NAME run only these scenarios (also as positional names, comma-separated allowed)
  --list          list the scenarios
micro-benchmarks run on their own: npx tsx bench/micro/<file>.ts`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      out: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.list) {
    for (const s of SCENARIOS)
      console.log(`${s.name.padEnd(16)} ${s.title}${s.notInQuick === undefined ? '' : ' (--full or by name only)'}`);
    return;
  }
  if (values.quick && values.full) throw new Error('choose one of --quick and --full');
  const mode = values.full ? 'full' : 'quick';
  const scenarios = [...(values.scenario ?? []), ...positionals].flatMap((s) => s.split(',')).filter((s) => s !== '');
  const { outDir, results } = await runBench({
    mode,
    outDir: values.out,
    scenarios,
    command: `bench ${process.argv.slice(2).join(' ')}`.trim(),
  });
  console.log(summaryTable(results));
  console.log(`results: ${outDir} (report.html, summary.json, one JSON per scenario)`);
  // Broker clients and worker threads can hold the loop open after close; the results are written.
  setTimeout(() => process.exit(results.some((r) => r.status === 'failed') ? 1 : 0), 200).unref();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
