// The surge replay as a discrete-event simulation, for pools larger than this machine can run: the
// real batcher, load meter, batch-time model and autoscaler (KPA + queue-budget prediction) over a
// simulated clock, with workers that are busy t(n) = a·n + b ms per batch and take a cold start to join.
// No wall clock: one seed gives one result.
import { parseArgs } from 'node:util';
import { LatencyHistogram } from '../harness/latency-histogram.js';
import { round } from '../harness/rounding.js';
import type { Measure, Scenario, ScenarioResult, SummaryRow } from '../harness/scenario.js';
import { summaryRow } from '../harness/scenario.js';
import { type AutoscaleOptions, PoolAutoscaler, type ScalableTarget } from '../../src/workers/autoscale/autoscaler.js';
import { BatchTimeModel } from '../../src/workers/autoscale/batch-time-model.js';
import { type BatchItem, type DeadlinePolicy, DynamicBatcher } from '../../src/workers/batching/dynamic-batcher.js';
import { LoadMeter } from '../../src/workers/pool/load-meter.js';
import { KNATIVE_DEFAULTS } from '../../src/workers/autoscale/kpa.js';
import { type AutoscaleMode, autoscaleFor, offeredRate, type SurgePlan, surgePlan } from './surge-plan.js';
import { SeededRandom } from '../../src/sources/generator/seeded-random.js';

/**
 * MiniLM-q on one onnxruntime thread, measured on the development machine: ~2.2 ms for one message,
 * 736 messages/s at batch 32 × 16 tokens (43.5 ms a batch). The line through those two points is
 * a = (43.5 − 2.2) / 31 ≈ 1.33 ms per item and b ≈ 0.87 ms; rounded to 1.3 and 1.
 */
export const MINILM_BATCH_TIME = { perItemMs: 1.3, fixedMs: 1 } as const;
/** Worker thread start plus MiniLM session load, measured at ~600–900 ms. */
export const DEFAULT_COLD_START_MS = 700;

/** How a simulated pool is sized: by an autoscaler mode, or fixed at a number of workers. */
export type SimulatedSizing = { kind: 'autoscale'; mode: AutoscaleMode } | { kind: 'fixed'; workers: number };

export interface SimulationOptions {
  /** Offered events/s at t ms. */
  rate: (t: number) => number;
  /** An upper bound of rate(t), for Poisson thinning. */
  peakRate: number;
  /** Arrivals stop at this time (ms). */
  arrivalsEndMs: number;
  /** The simulation stops at this time, or later once everything is answered (ms). */
  endMs: number;
  sizing: SimulatedSizing;
  /** Autoscaler settings for sizing 'autoscale'. */
  autoscale?: AutoscaleOptions;
  /** Poisson arrivals from this seed; deterministic arrivals (every 1/rate) when undefined. */
  seed?: number;
  batchTime?: { perItemMs: number; fixedMs: number };
  coldStartMs?: number;
  maxBatch?: number;
  maxDelayMs?: number;
  queueBudgetMs: number;
  e2eBudgetMs: number;
  policy?: DeadlinePolicy;
  /** Workers ready at time 0 with autoscaling (the replay starts from one warm worker). */
  initialWorkers?: number;
  /** When the surge starts, for the time to the first scale-up after it (ms). */
  surgeStartMs?: number;
  /** A warm-up before this time (ms): its arrivals are served but not measured, nor are its worker-seconds. */
  measureFromMs?: number;
}

export interface SimulationResult {
  /** Every arrival, warm-up included; answered + shed + still queued at the end. */
  arrivals: number;
  /** Arrivals after the warm-up: the latencies, breaches and percentages count these. */
  measuredArrivals: number;
  answered: number;
  shed: number;
  batches: number;
  meanBatchSize: number;
  queue: { meanMs: number; p50Ms: number; p99Ms: number; breaches: number; breachPercent: number };
  e2e: { meanMs: number; p50Ms: number; p99Ms: number; breaches: number; breachPercent: number };
  peakWorkers: number;
  /** Workers in existence (starting, ready, busy, retiring) integrated over time: what the pool costs. */
  workerSeconds: number;
  /** From the surge's start to the first resize that adds workers; undefined without one. */
  firstScaleUpAfterSurgeMs: number | undefined;
  durationMs: number;
  decisions: number;
}

interface SimItem extends BatchItem {
  /** Scheduled arrival: latency counts from here, as in the real replay. */
  arrivedAt: number;
}

interface SimWorker {
  state: 'starting' | 'idle' | 'busy';
  retiring: boolean;
  /** Bumped when a start is cancelled, so that its ready event is ignored. */
  generation: number;
  /** When the pool expects it to take a batch: its cold start's end, or its batch's predicted end. */
  expectedFreeAt: number;
}

type SimEvent =
  | { kind: 'arrival' }
  | { kind: 'ready'; worker: SimWorker; generation: number }
  | { kind: 'done'; worker: SimWorker; batch: SimItem[]; startedAt: number }
  | { kind: 'wake' }
  | { kind: 'sample' };

interface Scheduled<E> {
  at: number;
  seq: number;
  event: E;
}

/** A binary min-heap of events by time, ties broken by scheduling order so that a run is deterministic. */
export class EventQueue<E> {
  private readonly heap: Array<Scheduled<E>> = [];
  private seq = 0;

  get length(): number {
    return this.heap.length;
  }

  push(at: number, event: E): void {
    this.heap.push({ at, seq: this.seq++, event });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): Scheduled<E> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.before(left, smallest)) smallest = left;
      if (right < heap.length && this.before(right, smallest)) smallest = right;
      if (smallest === i) return top;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private before(i: number, j: number): boolean {
    const x = this.heap[i] as Scheduled<E>;
    const y = this.heap[j] as Scheduled<E>;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private swap(i: number, j: number): void {
    const heap = this.heap;
    const x = heap[i] as Scheduled<E>;
    heap[i] = heap[j] as Scheduled<E>;
    heap[j] = x;
  }
}

/** Runs one simulation to its end and returns what it measured. */
export function simulate(options: SimulationOptions): SimulationResult {
  return new PoolSimulation(options).run();
}

class PoolSimulation implements ScalableTarget {
  private readonly o: SimulationOptions;
  private readonly events = new EventQueue<SimEvent>();
  private readonly batchTime: { perItemMs: number; fixedMs: number };
  private readonly learned = new BatchTimeModel();
  private readonly batcher: DynamicBatcher<SimItem>;
  private readonly load: LoadMeter;
  private readonly autoscaler: PoolAutoscaler | undefined;
  private readonly random: SeededRandom | undefined;
  private readonly workers = new Set<SimWorker>();
  private now = 0;
  private running = 0;
  private wakeAt = Infinity;
  private workerArea = 0;
  private workerSince = 0;
  private peakWorkers = 0;
  private arrivals = 0;
  private measuredArrivals = 0;
  private readonly measureFrom: number;
  private answered = 0;
  private measuredAnswered = 0;
  private shed = 0;
  private batches = 0;
  private decisions = 0;
  private firstScaleUp: number | undefined;
  private readonly queueLatency = new LatencyHistogram();
  private readonly e2eLatency = new LatencyHistogram();
  private queueSum = 0;
  private e2eSum = 0;
  private queueBreaches = 0;
  private e2eBreaches = 0;

  constructor(options: SimulationOptions) {
    this.o = options;
    this.measureFrom = options.measureFromMs ?? 0;
    this.batchTime = options.batchTime ?? MINILM_BATCH_TIME;
    this.batcher = new DynamicBatcher<SimItem>(
      { maxBatch: options.maxBatch ?? 32, maxDelayMs: options.maxDelayMs ?? 2, policy: options.policy },
      this.learned,
    );
    this.load = new LoadMeter(() => this.batcher.length + this.running, 0);
    this.random = options.seed === undefined ? undefined : new SeededRandom(options.seed);
    const { sizing } = options;
    if (sizing.kind === 'fixed') {
      for (let i = 0; i < sizing.workers; i++) this.addWorker('idle');
    } else {
      if (options.autoscale === undefined) throw new Error('an autoscaled simulation needs its autoscale options');
      for (let i = 0; i < (options.initialWorkers ?? 1); i++) this.addWorker('idle');
      this.autoscaler = new PoolAutoscaler(this, options.autoscale, {
        now: () => this.now,
        queueBudgetMs: options.queueBudgetMs,
        onDecision: () => {
          this.decisions++;
        },
      });
    }
  }

  run(): SimulationResult {
    this.scheduleArrival(0, true);
    if (this.autoscaler !== undefined) this.events.push(this.autoscaler.sampleMs, { kind: 'sample' });
    for (let next = this.events.pop(); next !== undefined; next = this.events.pop()) {
      if (next.at >= this.o.endMs && this.batcher.length === 0 && this.running === 0) break;
      this.advance(next.at);
      this.handle(next.event);
    }
    this.advance(Math.max(this.now, this.o.endMs));
    const count = this.measuredAnswered;
    return {
      arrivals: this.arrivals,
      measuredArrivals: this.measuredArrivals,
      answered: this.answered,
      shed: this.shed,
      batches: this.batches,
      meanBatchSize: round(this.answered / Math.max(1, this.batches), 2),
      queue: this.summary(this.queueLatency, this.queueSum, this.queueBreaches, count),
      e2e: this.summary(this.e2eLatency, this.e2eSum, this.e2eBreaches, count),
      peakWorkers: this.peakWorkers,
      workerSeconds: round(this.workerArea / 1000, 1),
      firstScaleUpAfterSurgeMs: this.firstScaleUp,
      durationMs: this.now,
      decisions: this.decisions,
    };
  }

  private summary(h: LatencyHistogram, sum: number, breaches: number, count: number) {
    return {
      meanMs: round(sum / Math.max(1, count), 3),
      p50Ms: count === 0 ? 0 : round(h.percentile(0.5), 2),
      p99Ms: count === 0 ? 0 : round(h.percentile(0.99), 2),
      breaches,
      breachPercent: round((100 * breaches) / Math.max(1, this.measuredArrivals), 3),
    };
  }

  private advance(to: number): void {
    const from = Math.max(this.workerSince, this.measureFrom);
    if (to > from) this.workerArea += this.workers.size * (to - from);
    if (to >= this.measureFrom) this.peakWorkers = Math.max(this.peakWorkers, this.workers.size);
    this.workerSince = to;
    this.now = to;
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'arrival':
        this.arrive();
        break;
      case 'ready':
        if (event.generation === event.worker.generation && event.worker.state === 'starting') {
          event.worker.state = 'idle';
          this.pump();
        }
        break;
      case 'done':
        this.finish(event.worker, event.batch, event.startedAt);
        break;
      case 'wake':
        this.wakeAt = Infinity;
        this.pump();
        break;
      case 'sample':
        this.autoscaler?.step(this.now);
        if (this.now < this.o.endMs)
          this.events.push(this.now + (this.autoscaler?.sampleMs ?? 1000), { kind: 'sample' });
        break;
    }
  }

  /** Schedules the next arrival after `from`: every 1/rate, or Poisson by thinning against the peak rate. */
  private scheduleArrival(from: number, first = false): void {
    const { rate, peakRate, arrivalsEndMs } = this.o;
    let t = from;
    if (this.random === undefined) {
      if (!first) {
        const r = rate(t);
        if (!(r > 0)) return;
        t += 1000 / r;
      }
      // Skip a silent stretch a millisecond at a time.
      while (t < arrivalsEndMs && !(rate(t) > 0)) t += 1;
    } else {
      for (;;) {
        t += this.random.exponential(peakRate / 1000);
        if (t >= arrivalsEndMs || this.random.next() * peakRate < rate(t)) break;
      }
    }
    if (t < arrivalsEndMs) this.events.push(t, { kind: 'arrival' });
  }

  private arrive(): void {
    const now = this.now;
    this.arrivals++;
    if (now >= this.measureFrom) this.measuredArrivals++;
    this.load.arrive(now);
    this.batcher.push({
      arrivedAt: now,
      enqueuedAt: now,
      startBy: now + this.o.queueBudgetMs,
      finishBy: now + this.o.e2eBudgetMs,
      tokens: 16,
      conflationKey: undefined,
    });
    this.scheduleArrival(now);
    // Activation, as the pool does it: a request at zero wakes the autoscaler at once.
    if (this.autoscaler !== undefined && this.activeCount() === 0) {
      this.autoscaler.decideNow(now);
      if (this.activeCount() === 0) this.resize(1);
    }
    this.pump();
  }

  private pump(): void {
    const now = this.now;
    while (this.batcher.length > 0) {
      const worker = this.idleWorker();
      if (worker === undefined) {
        if (this.batcher.policy !== 'deliver-late') this.triage(this.predictedWaitMs());
        return;
      }
      this.triage(0);
      if (this.batcher.length === 0) return;
      const untilDue = this.batcher.msUntilDue(now);
      // Below a nanosecond the wake would land on the same instant: take the batch now.
      if (untilDue > 1e-6) {
        const at = now + untilDue;
        if (at < this.wakeAt) {
          this.wakeAt = at;
          this.events.push(at, { kind: 'wake' });
        }
        return;
      }
      this.load.accrue(now);
      const batch = this.batcher.take(now);
      this.running += batch.length;
      this.batches++;
      worker.state = 'busy';
      worker.expectedFreeAt = now + this.learned.predict(batch.length);
      const ms = this.batchTime.perItemMs * batch.length + this.batchTime.fixedMs;
      this.events.push(now + ms, { kind: 'done', worker, batch, startedAt: now });
    }
  }

  private triage(waitMs: number): void {
    if (this.batcher.policy === 'deliver-late') return;
    this.load.accrue(this.now);
    const { shed, conflated } = this.batcher.triage(this.now, waitMs, Math.max(1, this.readyWorkers()));
    this.shed += shed.length + conflated.length;
  }

  private finish(worker: SimWorker, batch: SimItem[], startedAt: number): void {
    const now = this.now;
    this.load.accrue(now);
    this.running -= batch.length;
    this.learned.observe(batch.length, now - startedAt);
    for (const item of batch) {
      if (item.arrivedAt < this.measureFrom) continue;
      const queueMs = startedAt - item.arrivedAt;
      const e2eMs = now - item.arrivedAt;
      this.queueLatency.record(queueMs);
      this.e2eLatency.record(e2eMs);
      this.queueSum += queueMs;
      this.e2eSum += e2eMs;
      if (queueMs > this.o.queueBudgetMs) this.queueBreaches++;
      if (e2eMs > this.o.e2eBudgetMs) this.e2eBreaches++;
    }
    this.answered += batch.length;
    for (const item of batch) if (item.arrivedAt >= this.measureFrom) this.measuredAnswered++;
    if (worker.retiring) this.workers.delete(worker);
    else worker.state = 'idle';
    this.pump();
  }

  private addWorker(state: 'starting' | 'idle'): SimWorker {
    const worker: SimWorker = { state, retiring: false, generation: 0, expectedFreeAt: this.now + this.coldStartMs() };
    this.workers.add(worker);
    if (state === 'starting')
      this.events.push(this.now + this.coldStartMs(), { kind: 'ready', worker, generation: worker.generation });
    return worker;
  }

  private activeCount(): number {
    let active = 0;
    for (const w of this.workers) if (!w.retiring) active++;
    return active;
  }

  private idleWorker(): SimWorker | undefined {
    for (const w of this.workers) if (w.state === 'idle' && !w.retiring) return w;
    return undefined;
  }

  /** Until some worker can take a batch, as the pool predicts it: the first busy or starting one to be free. */
  private predictedWaitMs(): number {
    let wait = Infinity;
    for (const w of this.workers) if (!w.retiring) wait = Math.min(wait, Math.max(0, w.expectedFreeAt - this.now));
    return wait === Infinity ? this.coldStartMs() : wait;
  }

  // ScalableTarget: what the real autoscaler reads and how it resizes.

  takeLoadSample(now: number) {
    return this.load.take(now);
  }

  readyWorkers(): number {
    let ready = 0;
    for (const w of this.workers) if (w.state !== 'starting' && !w.retiring) ready++;
    return ready;
  }

  queuedItems(): number {
    return this.batcher.length;
  }

  perItemMs(): number | undefined {
    if (this.learned.count === 0) return undefined;
    const items = this.batcher.fullBatchItems();
    return this.batcher.predictItems(items) / items;
  }

  coldStartMs(): number {
    return this.o.coldStartMs ?? DEFAULT_COLD_START_MS;
  }

  /** Grows by taking back retiring workers first, then starting new ones; shrinks starting, then idle, then busy workers. */
  resize(desired: number): void {
    let active = this.activeCount();
    if (active < desired) {
      const surgeStart = this.o.surgeStartMs;
      if (this.firstScaleUp === undefined && surgeStart !== undefined && this.now >= surgeStart)
        this.firstScaleUp = this.now - surgeStart;
      for (const w of this.workers) {
        if (active >= desired) break;
        if (w.retiring) {
          w.retiring = false;
          active++;
        }
      }
      while (active < desired) {
        this.addWorker('starting');
        active++;
      }
      return;
    }
    for (const state of ['starting', 'idle', 'busy'] as const) {
      for (const w of this.workers) {
        if (active <= desired) return;
        if (w.retiring || w.state !== state) continue;
        active--;
        if (state === 'busy') w.retiring = true;
        else {
          w.generation++;
          this.workers.delete(w);
        }
      }
    }
  }
}

/** The simulated surge: the replay's plan with the simulation's own model and pool parameters. */
export interface SurgeSimulationOptions {
  baseRate?: number;
  factor?: number;
  maxWorkers?: number;
  seed?: number;
  coldStartMs?: number;
  batchTime?: { perItemMs: number; fixedMs: number };
  maxBatch?: number;
  maxDelayMs?: number;
}

export type SurgeVariant = 'baseline' | 'ceiling' | AutoscaleMode;

export interface SurgeSimulationRun extends SimulationResult {
  variant: SurgeVariant;
  /** What the variant is, in words. */
  description: string;
}

export interface SurgeSimulationReport {
  plan: SurgePlan;
  parameters: Required<Omit<SurgeSimulationOptions, 'baseRate' | 'factor' | 'maxWorkers'>>;
  runs: SurgeSimulationRun[];
}

/**
 * Replays the surge plan (full length, not --quick) once per variant: baseline a fixed single
 * worker, ceiling a fixed pool of maxWorkers (no cold starts, no autoscaling), then each autoscaler
 * mode starting from the workers the steady rate needs at 70 % utilisation, after an unmeasured warm-up.
 */
export function runSurgeSimulation(options: SurgeSimulationOptions = {}): SurgeSimulationReport {
  const plan = surgePlan({
    quick: false,
    baseRate: options.baseRate ?? 5000,
    factor: options.factor ?? 10,
    maxWorkers: options.maxWorkers ?? 64,
  });
  const parameters = {
    seed: options.seed ?? 1,
    coldStartMs: options.coldStartMs ?? DEFAULT_COLD_START_MS,
    batchTime: options.batchTime ?? MINILM_BATCH_TIME,
    maxBatch: options.maxBatch ?? 32,
    maxDelayMs: options.maxDelayMs ?? 2,
  };
  const { steadyMs, surgeMs, idleMs } = plan.phases;
  // A stable window at the steady rate before the plan's clock starts, so that the surge meets an
  // autoscaler that has settled, not one still panicking from its own start (the real replay warms
  // its pool too). Not measured.
  const warmUpMs = KNATIVE_DEFAULTS.stableWindowMs;
  const { perItemMs, fixedMs } = parameters.batchTime;
  const fullBatchMs = perItemMs * parameters.maxBatch + fixedMs;
  const steadyWorkers = Math.ceil(
    (plan.baseRate * fullBatchMs) / parameters.maxBatch / 1000 / KNATIVE_DEFAULTS.targetUtilization,
  );
  const common = {
    ...parameters,
    rate: (t: number) => (t < warmUpMs ? plan.baseRate : offeredRate(plan, t - warmUpMs)),
    peakRate: plan.baseRate * plan.factor,
    arrivalsEndMs: warmUpMs + steadyMs + surgeMs,
    endMs: warmUpMs + steadyMs + surgeMs + idleMs,
    queueBudgetMs: plan.queueBudgetMs,
    e2eBudgetMs: plan.e2eBudgetMs,
    surgeStartMs: warmUpMs + steadyMs,
    measureFromMs: warmUpMs,
    initialWorkers: Math.min(plan.maxWorkers, steadyWorkers),
  };
  const variants: Array<{ variant: SurgeVariant; description: string; sizing: SimulatedSizing }> = [
    { variant: 'baseline', description: 'fixed 1 worker', sizing: { kind: 'fixed', workers: 1 } },
    {
      variant: 'ceiling',
      description: `fixed ${plan.maxWorkers} workers`,
      sizing: { kind: 'fixed', workers: plan.maxWorkers },
    },
    {
      variant: 'livepipe',
      description: 'KPA target 32 + queue-budget prediction',
      sizing: { kind: 'autoscale', mode: 'livepipe' },
    },
    {
      variant: 'pure-kpa',
      description: 'KPA, Knative defaults (target 100)',
      sizing: { kind: 'autoscale', mode: 'pure-kpa' },
    },
  ];
  const runs = variants.map(({ variant, description, sizing }) => ({
    variant,
    description,
    ...simulate({
      ...common,
      sizing,
      autoscale: sizing.kind === 'autoscale' ? autoscaleFor(plan, sizing.mode) : undefined,
    }),
  }));
  return { plan, parameters, runs };
}

/** One table of the runs, in Markdown, with each autoscaler's breaches and cost against baseline and ceiling. */
export function surgeSimulationTable(report: SurgeSimulationReport): string {
  const ceiling = report.runs.find((r) => r.variant === 'ceiling');
  const header =
    '| variant | e2e over budget | queue over budget | queue p50 / p99 | e2e p50 / p99 | peak workers | worker-s | × ceiling worker-s | first scale-up after surge |';
  const lines = [header, '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of report.runs) {
    const cost =
      ceiling === undefined || ceiling.workerSeconds === 0 ? '—' : round(r.workerSeconds / ceiling.workerSeconds, 3);
    const scaleUp = r.firstScaleUpAfterSurgeMs === undefined ? '—' : `${round(r.firstScaleUpAfterSurgeMs / 1000, 1)} s`;
    lines.push(
      `| ${r.variant}: ${r.description} | ${r.e2e.breachPercent} % | ${r.queue.breachPercent} % | ${latencyPair(r.queue)} | ${latencyPair(r.e2e)} | ${r.peakWorkers} | ${r.workerSeconds} | ${cost} | ${scaleUp} |`,
    );
  }
  return lines.join('\n');
}

/** p50 / p99, in seconds once they pass 10 s (the baseline's backlog runs to minutes). */
function latencyPair({ p50Ms, p99Ms }: { p50Ms: number; p99Ms: number }): string {
  return p99Ms >= 10_000 ? `${round(p50Ms / 1000, 0)} / ${round(p99Ms / 1000, 0)} s` : `${p50Ms} / ${p99Ms} ms`;
}

const SCENARIO = 'surge-sim';

function rowsOf(report: SurgeSimulationReport): SummaryRow[] {
  const byVariant = new Map(report.runs.map((r) => [r.variant, r]));
  const baseline = byVariant.get('baseline');
  const ceiling = byVariant.get('ceiling');
  const rows: SummaryRow[] = [];
  for (const mode of ['livepipe', 'pure-kpa'] as const) {
    const run = byVariant.get(mode);
    if (run === undefined) continue;
    rows.push(
      summaryRow({
        scenario: SCENARIO,
        variant: `${mode}: events within the e2e budget`,
        unit: '%',
        value: round(100 - run.e2e.breachPercent, 3),
        p99AtHalfMs: undefined,
        baseline: baseline === undefined ? undefined : round(100 - baseline.e2e.breachPercent, 3),
        ceiling: ceiling === undefined ? undefined : round(100 - ceiling.e2e.breachPercent, 3),
      }),
      summaryRow({
        scenario: SCENARIO,
        variant: `${mode}: worker-seconds (lower is cheaper)`,
        unit: 'worker-s',
        value: run.workerSeconds,
        p99AtHalfMs: undefined,
        baseline: baseline?.workerSeconds,
        ceiling: ceiling?.workerSeconds,
      }),
    );
  }
  return rows;
}

function measuresOf(report: SurgeSimulationReport): Measure[] {
  return report.runs.flatMap((r) => [
    {
      name: `${r.variant}.e2eBreachPercent`,
      description: `${r.description}: events answered after the e2e budget`,
      value: r.e2e.breachPercent,
      unit: '%',
    },
    {
      name: `${r.variant}.queueBreachPercent`,
      description: `${r.description}: events that waited longer than the queue budget`,
      value: r.queue.breachPercent,
      unit: '%',
    },
    {
      name: `${r.variant}.workerSeconds`,
      description: `${r.description}: workers alive × time`,
      value: r.workerSeconds,
      unit: 'worker-s',
    },
  ]);
}

export const surgeSimulation: Scenario = {
  name: SCENARIO,
  title: 'Autoscaling, simulated: 10× surge with up to 64 workers, livepipe vs pure KPA',
  async run(): Promise<ScenarioResult> {
    const started = performance.now();
    const report = runSurgeSimulation();
    const rows = rowsOf(report);
    const { plan, parameters } = report;
    const first = rows[0];
    return {
      scenario: SCENARIO,
      title: surgeSimulation.title,
      status: 'ok',
      notes: [
        `Discrete-event simulation (no wall clock, seed ${parameters.seed}) of the surge replay at ${plan.baseRate}/s ×${plan.factor}, at most ${plan.maxWorkers} workers: the real batcher and autoscaler over workers busy ${parameters.batchTime.perItemMs}·n + ${parameters.batchTime.fixedMs} ms per batch of n (MiniLM-q, one thread), cold start ${parameters.coldStartMs} ms.`,
        `Baseline: a fixed single worker; ceiling: a fixed pool of ${plan.maxWorkers} workers. Not modelled: CPU contention between workers, GC, Redis, the event loop.`,
      ],
      rows,
      ratio: { toBaseline: first?.ratioToBaseline ?? null, toCeiling: first?.ratioToCeiling ?? null },
      measures: measuresOf(report),
      budgetMs: plan.e2eBudgetMs,
      curves: [],
      details: { plan, parameters, runs: report.runs },
      durationMs: performance.now() - started,
    };
  },
};

function main(): void {
  const { values: args } = parseArgs({
    options: {
      rate: { type: 'string', default: '5000' },
      factor: { type: 'string', default: '10' },
      'max-workers': { type: 'string', default: '64' },
      seed: { type: 'string', default: '1' },
      'cold-start': { type: 'string', default: String(DEFAULT_COLD_START_MS) },
      'per-item-ms': { type: 'string', default: String(MINILM_BATCH_TIME.perItemMs) },
      'fixed-ms': { type: 'string', default: String(MINILM_BATCH_TIME.fixedMs) },
      json: { type: 'boolean', default: false },
    },
  });
  const report = runSurgeSimulation({
    baseRate: Number(args.rate),
    factor: Number(args.factor),
    maxWorkers: Number(args['max-workers']),
    seed: Number(args.seed),
    coldStartMs: Number(args['cold-start']),
    batchTime: { perItemMs: Number(args['per-item-ms']), fixedMs: Number(args['fixed-ms']) },
  });
  if (args.json) console.log(JSON.stringify(report, null, 2));
  else console.log(surgeSimulationTable(report));
}

if (import.meta.url === `file://${process.argv[1]}`) main();
