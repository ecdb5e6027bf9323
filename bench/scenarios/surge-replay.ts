// Surge replay through the real inference pool: steady load, a 10× surge within 1 s decaying back
// over ~30 s, then idle — once with livepipe's autoscaler (KPA + queue-budget prediction) and once as
// pure KPA (same code, prediction off, Knative defaults). Open loop: latency counts from each
// event's scheduled time. With --cycles N it instead measures RSS over N scale cycles 0→2→0.
// Run: npx tsx bench/scenarios/surge-replay.ts [--quick] [--rate 1000] [--factor 10] [--repeat 2]
// [--cycles 30]
// Writes bench/results/autoscale-<ts>.json and .svg (bench/results is git-ignored). The harness runs
// the same replay as its `autoscale` scenario (autoscale.ts, `livepipe bench autoscale`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { KNATIVE_DEFAULTS, type ScaleDecision } from '../../src/workers/kpa.js';
import { InferencePool } from '../../src/workers/inference-pool.js';
import type { AutoscaleOptions } from '../../src/workers/autoscaler.js';
import { LatencyHistogram } from '../harness/latency-histogram.js';
import { collectMachineInfo } from '../harness/machine-info.js';
import { lineChart, type LineChartOptions } from '../harness/svg-chart.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment.yaml', import.meta.url));
const QUEUE_BUDGET_MS = 50;
const E2E_BUDGET_MS = 150;
const BIN_MS = 250;

export type AutoscaleMode = 'livepipe' | 'pure-kpa';
export const AUTOSCALE_MODES: readonly AutoscaleMode[] = ['livepipe', 'pure-kpa'];

export interface SurgeReplayOptions {
  /** Shrinks every duration — load phases and autoscaler windows alike — tenfold (~1 min for both modes). */
  quick: boolean;
  /** Steady offered rate, events/s (default 1000). */
  baseRate?: number;
  /** Peak of the surge as a multiple of the steady rate (default 10). */
  factor?: number;
  /** Pairs of runs, in A-B-B-A order so that drift on a shared machine hits both modes alike (default 1). */
  repeat?: number;
  /** Most workers the autoscaler may start (default: the machine's cores, at least 2). */
  maxWorkers?: number;
  /** Called after each finished run, for progress output. */
  onRun?: (run: SurgeRun) => void;
}

/** The load shape and the autoscaler windows a replay runs with, fixed before it starts. */
export interface SurgePlan {
  quick: boolean;
  timeScale: number;
  baseRate: number;
  factor: number;
  maxWorkers: number;
  phases: { steadyMs: number; decayTauMs: number; surgeMs: number; idleMs: number };
  queueBudgetMs: number;
  e2eBudgetMs: number;
  binMs: number;
}

export function surgePlan(
  options: Pick<SurgeReplayOptions, 'quick' | 'baseRate' | 'factor' | 'maxWorkers'>,
): SurgePlan {
  const timeScale = options.quick ? 0.1 : 1;
  const baseRate = options.baseRate ?? 1000;
  const factor = options.factor ?? 10;
  if (!(baseRate > 0) || !(factor >= 1))
    throw new Error(`surge replay needs a positive rate and a factor ≥ 1 (got rate ${baseRate}, factor ${factor})`);
  return {
    quick: options.quick,
    timeScale,
    baseRate,
    factor,
    maxWorkers: options.maxWorkers ?? Math.max(2, availableParallelism()),
    phases: {
      steadyMs: options.quick ? 4000 : 20_000,
      /** Time constant of the surge's exponential decay; ~3τ brings it back near the base rate. */
      decayTauMs: options.quick ? 3000 : 10_000,
      surgeMs: options.quick ? 9000 : 30_000,
      idleMs: Math.ceil(
        (KNATIVE_DEFAULTS.stableWindowMs + KNATIVE_DEFAULTS.scaleToZeroGracePeriodMs) * timeScale * 1.3,
      ),
    },
    queueBudgetMs: QUEUE_BUDGET_MS,
    e2eBudgetMs: E2E_BUDGET_MS,
    binMs: BIN_MS,
  };
}

/** Offered events/s at t ms into the replay: steady, a linear climb to factor× within 1 s, exponential decay, then idle. */
export function offeredRate(plan: SurgePlan, t: number): number {
  const { steadyMs, decayTauMs, surgeMs } = plan.phases;
  const { baseRate, factor } = plan;
  if (t < steadyMs) return baseRate;
  const s = t - steadyMs;
  if (s < 1000) return baseRate * (1 + ((factor - 1) * s) / 1000);
  if (s < surgeMs) return baseRate * (1 + (factor - 1) * Math.exp(-(s - 1000) / decayTauMs));
  return 0;
}

/**
 * livepipe: the pipeline file's defaults (target 32 in flight per worker, budget prediction on).
 * pure-kpa: Knative's defaults throughout (target 100), prediction off. Windows as Knative's in both.
 */
function autoscaleFor(plan: SurgePlan, mode: AutoscaleMode): AutoscaleOptions {
  const k = KNATIVE_DEFAULTS;
  return {
    ...k,
    targetConcurrency: mode === 'livepipe' ? 32 : k.targetConcurrency,
    min: 0,
    max: plan.maxWorkers,
    stableWindowMs: k.stableWindowMs * plan.timeScale,
    scaleToZeroGracePeriodMs: k.scaleToZeroGracePeriodMs * plan.timeScale,
    tickMs: Math.max(100, 2000 * plan.timeScale),
    budgetPrediction: mode === 'livepipe',
  };
}

/** One BIN_MS slice of a replay: what was offered, what the pool looked like, how late answers were. */
export interface SurgeBin {
  t: number;
  offered: number;
  workers: number;
  starting: number;
  desired: number;
  queued: number;
  p99Ms: number;
  breaches: number;
  answered: number;
}

/** One replay of the surge in one autoscaler mode. Times are ms; null where the event never happened. */
export interface SurgeRun {
  mode: AutoscaleMode;
  events: number;
  budgetBreaches: number;
  budgetBreachPercent: number;
  p50E2eMs: number;
  p99E2eMs: number;
  maxE2eMs: number;
  /** Workers (ready + starting) integrated over the replay. */
  workerSeconds: number;
  /** From the start of the surge to the first moment more than one worker is ready or starting. */
  timeToScaleUpMs: number | null;
  /** From the start of the idle phase to the last worker gone. */
  timeToZeroMs: number | null;
  maxWorkersSeen: number;
  coldStarts: number;
  meanColdStartMs: number;
  late: number;
  decisionsByReason: Record<string, number>;
  batchTime: ReturnType<InferencePool['stats']>['batchTime'];
  bins: SurgeBin[];
}

/** The median over a mode's runs; null where no run saw the event (never scaled up, never reached zero). */
export interface SurgeMedian {
  mode: AutoscaleMode;
  runs: number;
  budgetBreachPercent: number | null;
  p99E2eMs: number | null;
  workerSeconds: number | null;
  timeToScaleUpMs: number | null;
  timeToZeroMs: number | null;
  meanColdStartMs: number | null;
}

export interface SurgeReplayResult {
  plan: SurgePlan;
  runs: SurgeRun[];
  medians: Record<AutoscaleMode, SurgeMedian>;
}

export interface ScaleCycleResult {
  variant: string;
  cycles: number;
  coldStarts: number;
  reused: number;
  meanColdStartMs: number;
  rssStartMiB: number;
  rssEndMiB: number | undefined;
  rssGrowthMiB: number;
  rssMiB: number[];
}

async function replay(plan: SurgePlan, texts: readonly string[], mode: AutoscaleMode): Promise<SurgeRun> {
  const decisions: ScaleDecision[] = [];
  const pool = new InferencePool({
    manifestPath,
    workers: 1,
    maxBatch: 32,
    maxDelayMs: 2,
    queueLimit: 1_000_000,
    queueBudgetMs: plan.queueBudgetMs,
    deadlinePolicy: 'deliver-late',
    autoscale: autoscaleFor(plan, mode),
    parkMs: 0,
    events: { onScaleDecision: (d) => decisions.push(d) },
  });
  await pool.start();
  // Warm the session and the batch-time model before the clock starts, in small batches so that
  // the warm-up itself does not look like a surge to the autoscaler.
  for (let i = 0; i < 500; i += 16)
    await Promise.all(texts.slice(i, i + 16).map((text, j) => pool.infer({ id: `w${i + j}`, text })));
  while (pool.stats().workers + pool.stats().starting !== 1) await sleep(50);

  const latency = new LatencyHistogram();
  const binLatency = new LatencyHistogram();
  let breaches = 0;
  let binBreaches = 0;
  const bins: SurgeBin[] = [];
  const { phases } = plan;
  const totalMs = phases.surgeMs + phases.steadyMs + phases.idleMs;
  const started = performance.now();
  let sent = 0;
  let due = 0;
  let workerMs = 0;
  let lastAccount = started;
  let scaleUpAt: number | undefined;
  let zeroAt: number | undefined;
  const idleFrom = phases.steadyMs + phases.surgeMs;
  const pending = new Set<Promise<void>>();

  const account = (now: number) => {
    const stats = pool.stats();
    workerMs += (stats.workers + stats.starting) * (now - lastAccount);
    lastAccount = now;
    const t = now - started;
    if (scaleUpAt === undefined && t >= phases.steadyMs && stats.workers + stats.starting > 1)
      scaleUpAt = t - phases.steadyMs;
    if (zeroAt === undefined && t >= idleFrom && stats.workers + stats.starting === 0) zeroAt = t - idleFrom;
    return stats;
  };

  let nextBin = started + plan.binMs;
  let lastSendAt = started;
  while (true) {
    const now = performance.now();
    const t = now - started;
    if (t >= totalMs) break;
    // Integrate the offered rate over the step and send what is due, spread evenly over the step:
    // latency counts from each event's scheduled time, however late the loop ran.
    const rate = offeredRate(plan, t);
    const stepMs = now - lastSendAt;
    due += (rate * stepMs) / 1000;
    const count = Math.floor(due) - sent;
    for (let i = 0; i < count; i++) {
      const scheduled = lastSendAt + (stepMs * (i + 1)) / count;
      const seq = sent++;
      const deadlineMs = performance.timeOrigin + scheduled + plan.e2eBudgetMs;
      const work = pool.infer({ id: `e${seq}`, text: texts[seq % texts.length] as string }, { deadlineMs }).then(() => {
        const ms = performance.now() - scheduled;
        latency.record(ms);
        binLatency.record(ms);
        if (ms > plan.e2eBudgetMs) {
          breaches++;
          binBreaches++;
        }
      });
      pending.add(work);
      void work.finally(() => pending.delete(work));
    }
    lastSendAt = now;
    if (now >= nextBin) {
      const stats = account(now);
      bins.push({
        t: t / 1000,
        offered: rate,
        workers: stats.workers,
        starting: stats.starting,
        desired: stats.desiredWorkers,
        queued: stats.queued,
        p99Ms: binLatency.percentile(0.99),
        breaches: binBreaches,
        answered: binLatency.count,
      });
      binLatency.reset();
      binBreaches = 0;
      nextBin += plan.binMs;
    }
    await sleep(1);
  }
  await Promise.all(pending);
  account(performance.now());
  const stats = pool.stats();
  await pool.close();
  const reasons: Record<string, number> = {};
  for (const d of decisions) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
  return {
    mode,
    events: latency.count,
    budgetBreaches: breaches,
    budgetBreachPercent: round((100 * breaches) / Math.max(1, latency.count), 3),
    p50E2eMs: round(latency.percentile(0.5), 2),
    p99E2eMs: round(latency.percentile(0.99), 2),
    maxE2eMs: round(latency.count === 0 ? 0 : latency.maxMs, 2),
    workerSeconds: round(workerMs / 1000, 2),
    timeToScaleUpMs: scaleUpAt === undefined ? null : Math.round(scaleUpAt),
    timeToZeroMs: zeroAt === undefined ? null : Math.round(zeroAt),
    maxWorkersSeen: Math.max(...bins.map((b) => b.workers)),
    coldStarts: stats.coldStarts,
    meanColdStartMs: round(stats.meanColdStartMs, 1),
    late: stats.deadline.late,
    decisionsByReason: reasons,
    batchTime: stats.batchTime,
    bins,
  };
}

/** Two seconds of load through a throwaway pool, so that the first measured run does not pay for JIT and module loading. */
async function warmUp(texts: readonly string[]): Promise<void> {
  const pool = new InferencePool({ manifestPath, workers: 1, maxBatch: 32, maxDelayMs: 2, queueLimit: 1_000_000 });
  await pool.start();
  const until = performance.now() + 2000;
  let seq = 0;
  while (performance.now() < until) {
    const batch = [];
    for (let i = 0; i < 10; i++, seq++)
      batch.push(pool.infer({ id: `x${seq}`, text: texts[seq % texts.length] as string }));
    await Promise.all(batch);
  }
  await pool.close();
}

export async function measureScaleCycles(cycles: number): Promise<ScaleCycleResult[]> {
  const texts = loadSentimentSentences().map((s) => s.text);
  const variants = [
    { name: 'terminate (parkMs 0)', parkMs: 0, maxParked: 0 },
    { name: 'park and reuse (parkMs 60 s, maxParked 2)', parkMs: 60_000, maxParked: 2 },
  ];
  const out = [];
  for (const variant of variants) {
    const pool = new InferencePool({
      manifestPath,
      workers: 1,
      maxBatch: 32,
      maxDelayMs: 2,
      queueLimit: 100_000,
      parkMs: variant.parkMs,
      maxParked: variant.maxParked,
    });
    await pool.start();
    pool.resize(0);
    const rssMiB: number[] = [];
    const startRss = rssNow();
    for (let c = 0; c < cycles; c++) {
      pool.resize(2);
      while (pool.stats().workers < 2) await sleep(5);
      await Promise.all(texts.slice(0, 200).map((text, i) => pool.infer({ id: `c${c}-${i}`, text })));
      pool.resize(0);
      while (pool.stats().workers + pool.stats().starting > 0) await sleep(5);
      await sleep(50);
      rssMiB.push(rssNow());
    }
    const stats = pool.stats();
    await pool.close();
    out.push({
      variant: variant.name,
      cycles,
      coldStarts: stats.coldStarts,
      reused: stats.reused,
      meanColdStartMs: round(stats.meanColdStartMs, 1),
      rssStartMiB: startRss,
      rssEndMiB: rssMiB[rssMiB.length - 1],
      rssGrowthMiB: round((rssMiB[rssMiB.length - 1] ?? startRss) - startRss, 1),
      rssMiB,
    });
    await sleep(500);
  }
  return out;
}

function rssNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return round(process.memoryUsage().rss / 2 ** 20, 1);
}

function medianOf(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length / 2;
  return Number.isInteger(mid)
    ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
    : (sorted[Math.floor(mid)] as number);
}

function round(value: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(value * p) / p;
}

/** Replays the surge with livepipe's autoscaler and with pure KPA (repeat pairs, A-B-B-A), after one warm-up. */
export async function runSurgeReplay(options: SurgeReplayOptions): Promise<SurgeReplayResult> {
  const plan = surgePlan(options);
  const texts = loadSentimentSentences().map((s) => s.text);
  await warmUp(texts);
  const runs: SurgeRun[] = [];
  const repeat = Math.max(1, Math.floor(options.repeat ?? 1));
  for (let r = 0; r < repeat; r++) {
    const order = r % 2 === 0 ? AUTOSCALE_MODES : [...AUTOSCALE_MODES].reverse();
    for (const mode of order) {
      const run = await replay(plan, texts, mode);
      runs.push(run);
      options.onRun?.(run);
    }
  }
  const medianFor = (mode: AutoscaleMode): SurgeMedian => {
    const of = runs.filter((run) => run.mode === mode);
    const median = (pick: (run: SurgeRun) => number | null): number | null => {
      const value = medianOf(of.map(pick).filter((v): v is number => v !== null));
      return Number.isNaN(value) ? null : value;
    };
    return {
      mode,
      runs: of.length,
      budgetBreachPercent: median((run) => run.budgetBreachPercent),
      p99E2eMs: median((run) => run.p99E2eMs),
      workerSeconds: median((run) => run.workerSeconds),
      timeToScaleUpMs: median((run) => run.timeToScaleUpMs),
      timeToZeroMs: median((run) => run.timeToZeroMs),
      meanColdStartMs: median((run) => run.meanColdStartMs),
    };
  };
  return { plan, runs, medians: { livepipe: medianFor('livepipe'), 'pure-kpa': medianFor('pure-kpa') } };
}

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
  const machine = collectMachineInfo(repoRoot);

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
