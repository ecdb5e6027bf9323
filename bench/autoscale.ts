// Surge replay through the real inference pool: steady load, a 10× surge within 1 s decaying back
// over ~30 s, then idle — once with livepipe's autoscaler (KPA + queue-budget prediction) and once as
// pure KPA (same code, prediction off, Knative defaults). Open loop: latency counts from each
// event's scheduled time. With --cycles N it instead measures RSS over N scale cycles 0→2→0.
// Run: npx tsx bench/autoscale.ts [--quick] [--rate 1000] [--factor 10] [--repeat 2] [--cycles 30]
// Writes bench/results/autoscale-<ts>.json and .svg (bench/results is git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSentimentSentences } from '../models/sentiment-data.js';
import { KNATIVE_DEFAULTS, type ScaleDecision } from '../src/workers/kpa.js';
import { InferencePool } from '../src/workers/inference-pool.js';
import type { AutoscaleOptions } from '../src/workers/autoscaler.js';
import { collectMachineInfo } from './harness/machine-info.js';
import { lineChart } from './harness/svg-chart.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rate: { type: 'string', default: '1000' },
    factor: { type: 'string', default: '10' },
    cycles: { type: 'string' },
    /** Pairs of runs, in A-B-B-A order so that drift on a shared machine hits both modes alike. */
    repeat: { type: 'string', default: '1' },
    'max-workers': { type: 'string' },
  },
});

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const manifestPath = fileURLToPath(new URL('../models/chat-sentiment.yaml', import.meta.url));
const texts = loadSentimentSentences().map((s) => s.text);
const QUEUE_BUDGET_MS = 50;
const E2E_BUDGET_MS = 150;
const BIN_MS = 250;

/** Quick mode shrinks every duration — load phases and autoscaler windows alike — by this factor. */
const timeScale = args.quick ? 0.1 : 1;
const baseRate = Number(args.rate);
const factor = Number(args.factor);
const maxWorkers = Number(args['max-workers'] ?? Math.max(2, availableParallelism()));
const phases = {
  steadyMs: args.quick ? 4000 : 20_000,
  /** Time constant of the surge's exponential decay; ~3τ brings it back near the base rate. */
  decayTauMs: args.quick ? 3000 : 10_000,
  surgeMs: args.quick ? 9000 : 30_000,
  idleMs: Math.ceil((KNATIVE_DEFAULTS.stableWindowMs + KNATIVE_DEFAULTS.scaleToZeroGracePeriodMs) * timeScale * 1.3),
};

function offeredRate(t: number): number {
  const { steadyMs, decayTauMs, surgeMs } = phases;
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
function autoscaleFor(mode: 'livepipe' | 'pure-kpa'): AutoscaleOptions {
  const k = KNATIVE_DEFAULTS;
  return {
    ...k,
    targetConcurrency: mode === 'livepipe' ? 32 : k.targetConcurrency,
    min: 0,
    max: maxWorkers,
    stableWindowMs: k.stableWindowMs * timeScale,
    scaleToZeroGracePeriodMs: k.scaleToZeroGracePeriodMs * timeScale,
    tickMs: Math.max(100, 2000 * timeScale),
    budgetPrediction: mode === 'livepipe',
  };
}

interface Bin {
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

async function replay(mode: 'livepipe' | 'pure-kpa') {
  const decisions: ScaleDecision[] = [];
  const pool = new InferencePool({
    manifestPath,
    workers: 1,
    maxBatch: 32,
    maxDelayMs: 2,
    queueLimit: 1_000_000,
    queueBudgetMs: QUEUE_BUDGET_MS,
    deadlinePolicy: 'deliver-late',
    autoscale: autoscaleFor(mode),
    parkMs: 0,
    events: { onScaleDecision: (d) => decisions.push(d) },
  });
  await pool.start();
  // Warm the session and the batch-time model before the clock starts, in small batches so that
  // the warm-up itself does not look like a surge to the autoscaler.
  for (let i = 0; i < 500; i += 16) await Promise.all(texts.slice(i, i + 16).map((text, j) => pool.infer({ id: `w${i + j}`, text })));
  while (pool.stats().workers + pool.stats().starting !== 1) await sleep(50);

  const latencies: number[] = [];
  let binLatencies: number[] = [];
  let breaches = 0;
  let binBreaches = 0;
  const bins: Bin[] = [];
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
    if (scaleUpAt === undefined && t >= phases.steadyMs && stats.workers + stats.starting > 1) scaleUpAt = t - phases.steadyMs;
    if (zeroAt === undefined && t >= idleFrom && stats.workers + stats.starting === 0) zeroAt = t - idleFrom;
    return stats;
  };

  let nextBin = started + BIN_MS;
  let lastSendAt = started;
  while (true) {
    const now = performance.now();
    const t = now - started;
    if (t >= totalMs) break;
    // Integrate the offered rate over the step and send what is due, spread evenly over the step:
    // latency counts from each event's scheduled time, however late the loop ran.
    const rate = offeredRate(t);
    const stepMs = now - lastSendAt;
    due += (rate * stepMs) / 1000;
    const count = Math.floor(due) - sent;
    for (let i = 0; i < count; i++) {
      const scheduled = lastSendAt + (stepMs * (i + 1)) / count;
      const seq = sent++;
      const deadlineMs = performance.timeOrigin + scheduled + E2E_BUDGET_MS;
      const work = pool.infer({ id: `e${seq}`, text: texts[seq % texts.length] as string }, { deadlineMs }).then(() => {
        const ms = performance.now() - scheduled;
        latencies.push(ms);
        binLatencies.push(ms);
        if (ms > E2E_BUDGET_MS) {
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
        p99Ms: percentile(binLatencies, 0.99),
        breaches: binBreaches,
        answered: binLatencies.length,
      });
      binLatencies = [];
      binBreaches = 0;
      nextBin += BIN_MS;
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
    events: latencies.length,
    budgetBreaches: breaches,
    budgetBreachPercent: round((100 * breaches) / Math.max(1, latencies.length), 3),
    p50E2eMs: round(percentile(latencies, 0.5), 2),
    p99E2eMs: round(percentile(latencies, 0.99), 2),
    maxE2eMs: round(latencies.reduce((m, v) => (v > m ? v : m), 0), 2),
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
async function warmUp(): Promise<void> {
  const pool = new InferencePool({ manifestPath, workers: 1, maxBatch: 32, maxDelayMs: 2, queueLimit: 1_000_000 });
  await pool.start();
  const until = performance.now() + 2000;
  let seq = 0;
  while (performance.now() < until) {
    const batch = [];
    for (let i = 0; i < 10; i++, seq++) batch.push(pool.infer({ id: `x${seq}`, text: texts[seq % texts.length] as string }));
    await Promise.all(batch);
  }
  await pool.close();
}

async function scaleCycles(cycles: number) {
  const variants = [
    { name: 'terminate (parkMs 0)', parkMs: 0, maxParked: 0 },
    { name: 'park and reuse (parkMs 60 s, maxParked 2)', parkMs: 60_000, maxParked: 2 },
  ];
  const out = [];
  for (const variant of variants) {
    const pool = new InferencePool({ manifestPath, workers: 1, maxBatch: 32, maxDelayMs: 2, queueLimit: 100_000, parkMs: variant.parkMs, maxParked: variant.maxParked });
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

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function medianOf(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2 : (sorted[Math.floor(mid)] as number);
}

function round(value: number, digits: number): number {
  const p = 10 ** digits;
  return Math.round(value * p) / p;
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const machine = collectMachineInfo(repoRoot);

if (args.cycles !== undefined) {
  const cycles = Number(args.cycles);
  const result = await scaleCycles(cycles);
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
} else {
  const settings = { quick: args.quick, timeScale, baseRate, factor, maxWorkers, phases, queueBudgetMs: QUEUE_BUDGET_MS, e2eBudgetMs: E2E_BUDGET_MS };
  console.error(`surge replay: ${JSON.stringify(settings)}`);
  await warmUp();
  const runs: Array<Awaited<ReturnType<typeof replay>>> = [];
  const repeat = Math.max(1, Number(args.repeat));
  for (let r = 0; r < repeat; r++) {
    const order = r % 2 === 0 ? (['livepipe', 'pure-kpa'] as const) : (['pure-kpa', 'livepipe'] as const);
    for (const mode of order) {
      const run = await replay(mode);
      runs.push(run);
      console.log(JSON.stringify({ ...run, bins: undefined }));
    }
  }
  const medians = (['livepipe', 'pure-kpa'] as const).map((mode) => {
    const of = runs.filter((run) => run.mode === mode);
    const median = (pick: (run: (typeof runs)[number]) => number | null) => medianOf(of.map(pick).filter((v): v is number => v !== null));
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
  });
  for (const row of medians) console.log(JSON.stringify({ median: row }));
  const file = `${resultsDir}autoscale-${stamp}.json`;
  writeFileSync(file, `${JSON.stringify({ scenario: 'autoscale', machine, settings, medians, runs }, null, 2)}\n`);
  const charted = (['livepipe', 'pure-kpa'] as const).flatMap((mode) => runs.filter((run) => run.mode === mode).slice(0, 1));
  const charts = charted.map((run) =>
    [
      lineChart({
        title: `${run.mode}: workers`,
        xLabel: 's',
        yLabel: 'workers',
        series: [
          { label: 'ready', points: run.bins.map((b) => ({ x: b.t, y: b.workers })) },
          { label: 'desired', points: run.bins.map((b) => ({ x: b.t, y: b.desired })), dashed: true },
          { label: `offered / ${Math.round(baseRate)} per s`, points: run.bins.map((b) => ({ x: b.t, y: b.offered / baseRate })), dashed: true },
        ],
      }),
      lineChart({
        title: `${run.mode}: p99 e2e per ${BIN_MS} ms`,
        xLabel: 's',
        yLabel: 'ms',
        yReference: { value: E2E_BUDGET_MS, label: 'e2e budget' },
        yMax: E2E_BUDGET_MS * 4,
        series: [{ label: 'p99', points: run.bins.filter((b) => b.answered > 0).map((b) => ({ x: b.t, y: b.p99Ms })) }],
      }),
    ].join(''),
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1140" height="${300 * charted.length}">${charts
    .map((c, i) => `<g transform="translate(0 ${300 * i})">${c.replace(/<svg[^>]*>/g, (m, offset: number) => (offset === 0 ? m : m.replace('<svg', '<svg x="570"')))}</g>`)
    .join('')}</svg>`;
  writeFileSync(`${resultsDir}autoscale-${stamp}.svg`, svg);
  console.log(`wrote ${file}`);
}
