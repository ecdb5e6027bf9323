// All of a pipeline's metrics in its own prom-client Registry (not the global one, so several
// pipelines or tests can live in one process): stage histograms and budget breaches, event
// counters, worker-pool gauges and batch sizes, overlay slow clients, plus the status line built
// from them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BudgetsSpec } from '../config/schema.js';
import { LatencyBudget } from './latency-budget.js';
import { createMetricsHandler, type MetricsHandler } from './metrics-handler.js';
import { STAGES, type Stage } from './stages.js';
import { formatStatus, type PoolStatus, type StageStatus, type StatusSnapshot } from './status-line.js';

/** Seconds, 0.1 ms .. 5 s: sub-millisecond routing up to a stalled inference. */
export const STAGE_DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** Padded tokens per batch: one short message up to 64 × 512-token texts. */
export const BATCH_TOKEN_BUCKETS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768];

interface TokenChildren {
  padded: Histogram.Internal<'model'>;
  real: Counter.Internal;
  padding: Counter.Internal;
}

export interface PipelineMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC); default true. */
  defaultMetrics?: boolean;
  /** Observations per stage behind the status line's percentiles; default 2048. */
  percentileWindow?: number;
  /** Clock for events/s in the status line (ms). */
  now?: () => number;
}

/** What a worker pool reports about itself. */
export interface PoolGauges {
  workers: number;
  busy: number;
  queueDepth?: number;
}

export class PipelineMetrics {
  readonly registry = new Registry();
  readonly budget: LatencyBudget;
  readonly stageDuration: Histogram<'stage'>;
  readonly eventsIn: Counter<'source'>;
  readonly eventsOut: Counter<'sink'>;
  readonly eventsDropped: Counter<'reason'>;
  readonly eventsUnmatched: Counter;
  readonly filterErrors: Counter<'trigger'>;
  readonly budgetBreaches: Counter<'stage'>;
  readonly workersBusy: Gauge<'model'>;
  readonly workers: Gauge<'model'>;
  readonly queueDepth: Gauge<'model'>;
  readonly batchSize: Histogram<'model'>;
  /** The autoscaler's desired worker count, for HPA/KEDA to act on. */
  readonly desiredWorkers: Gauge<'model'>;
  readonly scaleDecisions: Counter<'model' | 'reason'>;
  /** Items handled by the deadline policy: late (answered after deadline), shed, conflated. */
  readonly budgetPolicy: Counter<'model' | 'policy'>;
  readonly workerColdStart: Histogram<'model'>;
  /** Padded tokens per batch: size × its longest item (counted by the worker's tokenizer, else estimated). */
  readonly batchPaddedTokens: Histogram<'model'>;
  /** Tokens run, real and padding: padding waste = padding / (real + padding). */
  readonly batchTokens: Counter<'model' | 'kind'>;
  /** Times an overlay client went over the slow-client limit (once per episode). */
  readonly overlaySlowClients: Counter<'stream'>;
  /** Times a slow overlay client drained and got a snapshot in place of what it missed. */
  readonly overlayResyncs: Counter<'stream'>;
  /** Overlay messages not written to a client because it was over the slow-client limit. */
  readonly overlayMessagesDropped: Counter<'stream'>;
  /** Serves this registry in the Prometheus text format. */
  readonly metricsHandler: MetricsHandler;

  private readonly inChildren = new Map<string, Counter.Internal>();
  private readonly outChildren = new Map<string, Counter.Internal>();
  private readonly dropChildren = new Map<string, Counter.Internal>();
  private readonly filterChildren = new Map<string, Counter.Internal>();
  private readonly overlayDropChildren = new Map<string, Counter.Internal>();
  private readonly batchChildren = new Map<string, Histogram.Internal<'model'>>();
  private readonly tokenChildren = new Map<string, TokenChildren>();
  private readonly pools = new Map<string, PoolGauges>();
  private readonly now: () => number;
  private totalIn = 0;
  private totalOut = 0;
  private totalDropped = 0;
  private lastStatus: { at: number; in: number; out: number };

  constructor(budgets: BudgetsSpec, options: PipelineMetricsOptions = {}) {
    const registers = [this.registry];
    this.stageDuration = new Histogram({
      name: 'livepipe_stage_duration_seconds',
      help: 'Time spent in each pipeline stage (e2e: broker timestamp to overlay write).',
      labelNames: ['stage'],
      buckets: STAGE_DURATION_BUCKETS,
      registers,
    });
    this.eventsIn = new Counter({
      name: 'livepipe_events_in_total',
      help: 'Events received from sources.',
      labelNames: ['source'],
      registers,
    });
    this.eventsOut = new Counter({
      name: 'livepipe_events_out_total',
      help: 'Events delivered to sinks.',
      labelNames: ['sink'],
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'livepipe_events_dropped_total',
      help: 'Events dropped, by reason (shed over budget, queue full, model error, no text…).',
      labelNames: ['reason'],
      registers,
    });
    // Not a drop: as in a Knative Broker, an event no trigger asks for is simply not delivered.
    this.eventsUnmatched = new Counter({
      name: 'livepipe_events_unmatched_total',
      help: 'Events that matched no trigger (not delivered anywhere, by design).',
      registers,
    });
    this.filterErrors = new Counter({
      name: 'livepipe_filter_errors_total',
      help: 'Trigger filters that raised an error (the event did not pass).',
      labelNames: ['trigger'],
      registers,
    });
    this.budgetBreaches = new Counter({
      name: 'livepipe_budget_breaches_total',
      help: 'Stage durations over their latency budget.',
      labelNames: ['stage'],
      registers,
    });
    this.workersBusy = new Gauge({
      name: 'livepipe_workers_busy',
      help: 'Workers running a batch.',
      labelNames: ['model'],
      registers,
    });
    this.workers = new Gauge({
      name: 'livepipe_workers',
      help: 'Workers in the pool.',
      labelNames: ['model'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'livepipe_queue_depth',
      help: 'Requests waiting for a worker.',
      labelNames: ['model'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'livepipe_batch_size',
      help: 'Items per inference batch.',
      labelNames: ['model'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.desiredWorkers = new Gauge({
      name: 'livepipe_desired_workers',
      help: 'Workers the autoscaler wants for a model pool (export to HPA/KEDA).',
      labelNames: ['model'],
      registers,
    });
    this.scaleDecisions = new Counter({
      name: 'livepipe_scale_decisions_total',
      help: 'Autoscaler decisions by reason (kpa-stable, kpa-panic, budget-predicted, min-scale, max-scale, to-zero, activation).',
      labelNames: ['model', 'reason'],
      registers,
    });
    this.budgetPolicy = new Counter({
      name: 'livepipe_budget_policy_total',
      help: 'Items that could not meet their deadline, by what the pool did: late (delivered late), shed, conflated.',
      labelNames: ['model', 'policy'],
      registers,
    });
    this.workerColdStart = new Histogram({
      name: 'livepipe_worker_cold_start_seconds',
      help: 'Time from spawning an inference worker to its model being loaded.',
      labelNames: ['model'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.batchPaddedTokens = new Histogram({
      name: 'livepipe_batch_padded_tokens',
      help: 'Tokens per inference batch, padding included: size × longest item (the unit of batch.maxTokens).',
      labelNames: ['model'],
      buckets: BATCH_TOKEN_BUCKETS,
      registers,
    });
    this.batchTokens = new Counter({
      name: 'livepipe_batch_tokens_total',
      help: "Tokens run by a model: kind real, or padding added to reach each batch's longest item; padding waste = padding / (real + padding).",
      labelNames: ['model', 'kind'],
      registers,
    });
    this.overlaySlowClients = new Counter({
      name: 'livepipe_overlay_slow_clients_total',
      help: 'Times an overlay client fell behind by more than the slow-client limit; its messages are dropped until it drains.',
      labelNames: ['stream'],
      registers,
    });
    this.overlayResyncs = new Counter({
      name: 'livepipe_overlay_resyncs_total',
      help: 'Times a slow overlay client drained and was re-synced with a snapshot.',
      labelNames: ['stream'],
      registers,
    });
    this.overlayMessagesDropped = new Counter({
      name: 'livepipe_overlay_messages_dropped_total',
      help: 'Overlay messages not written to a client because it was over the slow-client limit (one per client).',
      labelNames: ['stream'],
      registers,
    });
    // Zero-valued series for every stage, so dashboards and rate() see them before the first breach.
    for (const stage of STAGES) this.budgetBreaches.labels(stage).inc(0);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.budget = new LatencyBudget(budgets, this.stageDuration, this.budgetBreaches, options.percentileWindow);
    this.metricsHandler = createMetricsHandler(this.registry);
    this.now = options.now ?? Date.now;
    this.lastStatus = { at: this.now(), in: 0, out: 0 };
  }

  /** Records a stage's duration against its budget; true when it breached. */
  observe(stage: Stage, ms: number): boolean {
    return this.budget.observe(stage, ms);
  }

  eventIn(source: string, count = 1): void {
    this.totalIn += count;
    childOf(this.inChildren, this.eventsIn, source).inc(count);
  }

  eventOut(sink: string, count = 1): void {
    this.totalOut += count;
    childOf(this.outChildren, this.eventsOut, sink).inc(count);
  }

  dropped(reason: string, count = 1): void {
    this.totalDropped += count;
    childOf(this.dropChildren, this.eventsDropped, reason).inc(count);
  }

  unmatched(): void {
    this.eventsUnmatched.inc();
  }

  filterError(trigger: string): void {
    childOf(this.filterChildren, this.filterErrors, trigger).inc();
  }

  batch(model: string, size: number): void {
    let child = this.batchChildren.get(model);
    if (!child) {
      child = this.batchSize.labels(model);
      this.batchChildren.set(model, child);
    }
    child.observe(size);
  }

  /** Records an autoscaler decision (desired workers and why). */
  scaleDecision(model: string, desired: number, reason: string): void {
    this.desiredWorkers.labels(model).set(desired);
    this.scaleDecisions.labels(model, reason).inc();
  }

  /** Counts items the deadline policy handled: 'late', 'shed' or 'conflated'. */
  budgetPolicyOutcome(model: string, policy: string, count = 1): void {
    this.budgetPolicy.labels(model, policy).inc(count);
  }

  workerColdStartMs(model: string, ms: number): void {
    this.workerColdStart.labels(model).observe(ms / 1000);
  }

  /** Records one answered batch's real tokens and padded tokens (size × longest). */
  batchTokenCounts(model: string, tokens: number, paddedTokens: number): void {
    let children = this.tokenChildren.get(model);
    if (children === undefined) {
      children = {
        padded: this.batchPaddedTokens.labels(model),
        real: this.batchTokens.labels(model, 'real'),
        padding: this.batchTokens.labels(model, 'padding'),
      };
      this.tokenChildren.set(model, children);
    }
    children.padded.observe(paddedTokens);
    children.real.inc(tokens);
    children.padding.inc(paddedTokens - tokens);
  }

  overlaySlowClient(stream: string): void {
    this.overlaySlowClients.labels(stream).inc();
  }

  overlayResync(stream: string): void {
    this.overlayResyncs.labels(stream).inc();
  }

  /** Called on every publish a slow client misses, so the child counter is cached. */
  overlayDropped(stream: string, count: number): void {
    childOf(this.overlayDropChildren, this.overlayMessagesDropped, stream).inc(count);
  }

  /** Sets a pool's gauges (called when the status is taken, and by the pool if it likes). */
  observePool(model: string, pool: PoolGauges): void {
    this.workers.labels(model).set(pool.workers);
    this.workersBusy.labels(model).set(pool.busy);
    if (pool.queueDepth !== undefined) this.queueDepth.labels(model).set(pool.queueDepth);
    this.pools.set(model, { workers: pool.workers, busy: pool.busy, queueDepth: pool.queueDepth });
  }

  get eventsInTotal(): number {
    return this.totalIn;
  }

  get eventsOutTotal(): number {
    return this.totalOut;
  }

  get eventsDroppedTotal(): number {
    return this.totalDropped;
  }

  /**
   * The status since the previous snapshot (rates) and since start (breaches, drops). Workers:
   * the totals given, or else the sum of the pools last passed to observePool.
   */
  snapshot(workers?: { busy: number; workers: number }): StatusSnapshot {
    const at = this.now();
    const seconds = Math.max(1e-3, (at - this.lastStatus.at) / 1000);
    const inPerSec = (this.totalIn - this.lastStatus.in) / seconds;
    const outPerSec = (this.totalOut - this.lastStatus.out) / seconds;
    this.lastStatus = { at, in: this.totalIn, out: this.totalOut };
    const stages = {} as Record<Stage, StageStatus>;
    let breachesTotal = 0;
    for (const stage of STAGES) {
      const [p50, p99] = this.budget.percentiles(stage, [50, 99]) as [number, number];
      const breaches = this.budget.breachesOf(stage);
      breachesTotal += breaches;
      stages[stage] = {
        p50,
        p99,
        budgetMs: this.budget.limitOf(stage),
        breaches,
        samples: this.budget.recentCount(stage),
      };
    }
    let busy = workers?.busy ?? 0;
    let total = workers?.workers ?? 0;
    if (!workers) {
      for (const pool of this.pools.values()) {
        busy += pool.busy;
        total += pool.workers;
      }
    }
    return {
      inPerSec,
      outPerSec,
      droppedTotal: this.totalDropped,
      stages,
      breachesTotal,
      workersBusy: busy,
      workers: total,
    };
  }

  /** `pools`, when given, names each pool's model in the line (see formatStatus). */
  statusLine(workers?: { busy: number; workers: number }, pools?: readonly PoolStatus[]): string {
    return formatStatus({ ...this.snapshot(workers), ...(pools === undefined ? {} : { pools }) });
  }
}

function childOf<T extends string>(
  cache: Map<string, Counter.Internal>,
  counter: Counter<T>,
  label: string,
): Counter.Internal {
  let child = cache.get(label);
  if (!child) {
    child = counter.labels(label);
    cache.set(label, child);
  }
  return child;
}
