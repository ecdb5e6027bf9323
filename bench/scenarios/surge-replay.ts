// Surge replay through the real inference pool: steady load, a 10× surge within 1 s decaying back
// over ~30 s, then idle — once with livepipe's autoscaler (KPA + queue-budget prediction) and once as
// pure KPA (same code, prediction off, Knative defaults). Open loop: latency counts from each
// event's scheduled time. The `autoscale` scenario (autoscale.ts) runs it and reports the medians.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { InferencePool } from '../../src/workers/local/inference-pool.js';
import type { ScaleDecision } from '../../src/workers/autoscale/kpa.js';
import { LatencyHistogram } from '../harness/latency-histogram.js';
import { round } from '../harness/rounding.js';
import {
  AUTOSCALE_MODES,
  autoscaleFor,
  offeredRate,
  SURGE_MODEL_MANIFEST,
  surgePlan,
  type AutoscaleMode,
  type SurgeLoadOptions,
  type SurgePlan,
} from './surge-plan.js';

export interface SurgeReplayOptions extends SurgeLoadOptions {
  /** Pairs of runs, in A-B-B-A order so that drift on a shared machine hits both modes alike (default 1). */
  repeat?: number;
  /** Called after each finished run, for progress output. */
  onRun?: (run: SurgeRun) => void;
}

/** One binMs slice of a replay: what was offered, what the pool looked like, how late answers were. */
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

/** The pool of every replay and of its warm-up: one worker to start, batches ≤ 32 within 2 ms, no queue limit. */
const POOL_BASE = {
  manifestPath: SURGE_MODEL_MANIFEST,
  workers: 1,
  maxBatch: 32,
  maxDelayMs: 2,
  queueLimit: 1_000_000,
};

async function replay(plan: SurgePlan, texts: readonly string[], mode: AutoscaleMode): Promise<SurgeRun> {
  const decisions: ScaleDecision[] = [];
  const pool = new InferencePool({
    ...POOL_BASE,
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
  const pool = new InferencePool(POOL_BASE);
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

function medianOf(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length / 2;
  return Number.isInteger(mid)
    ? ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
    : (sorted[Math.floor(mid)] as number);
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
