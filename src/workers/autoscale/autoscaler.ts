// Drives a pool's size from KpaDecider decisions: samples the pool's load every bucket (time-averaged
// concurrency and arrivals, as Knative's queue-proxy reports them every second), decides every tick,
// and resizes. The clock and the timer are injectable so that tests step time by hand.
import { performance } from 'node:perf_hooks';
import { KpaDecider, type KpaSettings, type ScaleDecision } from './kpa.js';
import { WindowAverage } from './window-average.js';

export interface AutoscaleOptions extends Omit<KpaSettings, 'bucketMs'> {
  /** Time between decisions (Knative: 2 s). Load is sampled every min(tick, 1 s). */
  tickMs: number;
}

/** A pool's load since the previous sample. */
export interface LoadSample {
  /** Time-averaged items in flight (queued + running) over the sample period. */
  concurrency: number;
  /** Items that arrived during the sample period. */
  arrivals: number;
}

/** What the autoscaler needs from a pool. */
export interface ScalableTarget {
  takeLoadSample(now: number): LoadSample;
  readyWorkers(): number;
  queuedItems(): number;
  /** ms per item on one worker at full batches; undefined before the first batch. */
  perItemMs(): number | undefined;
  coldStartMs(): number;
  resize(workers: number): void;
}

export interface AutoscalerHooks {
  now?: () => number;
  onDecision?: (decision: ScaleDecision) => void;
  /** Queue stage budget (ms) for the budget prediction. */
  queueBudgetMs?: number;
}

export class PoolAutoscaler {
  readonly decider: KpaDecider;
  readonly sampleMs: number;
  private readonly target: ScalableTarget;
  private readonly options: AutoscaleOptions;
  private readonly now: () => number;
  private readonly onDecision: ((decision: ScaleDecision) => void) | undefined;
  private readonly queueBudgetMs: number | undefined;
  private readonly arrivalRate: WindowAverage;
  private timer: NodeJS.Timeout | undefined;
  private lastDecisionAt = -Infinity;
  private last: ScaleDecision | undefined;

  constructor(target: ScalableTarget, options: AutoscaleOptions, hooks: AutoscalerHooks = {}) {
    this.sampleMs = Math.min(1000, options.tickMs);
    this.decider = new KpaDecider({ ...options, bucketMs: this.sampleMs });
    this.target = target;
    this.options = options;
    this.now = hooks.now ?? (() => performance.now());
    this.onDecision = hooks.onDecision;
    this.queueBudgetMs = hooks.queueBudgetMs;
    // Arrival rate over the panic window: fast enough to see a surge, smooth enough not to chase noise.
    const panicWindowMs = Math.max(this.sampleMs, (options.stableWindowMs * options.panicWindowPercentage) / 100);
    this.arrivalRate = new WindowAverage(panicWindowMs, this.sampleMs);
  }

  get lastDecision(): ScaleDecision | undefined {
    return this.last;
  }

  /** Whether its timer is set (between start() and stop()). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.step(this.now()), this.sampleMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Records one load sample and, once a tick has passed, decides and resizes. Returns the decision if one was made. */
  step(now: number): ScaleDecision | undefined {
    const sample = this.target.takeLoadSample(now);
    this.decider.record(now, sample.concurrency);
    this.arrivalRate.record(now, (sample.arrivals * 1000) / this.sampleMs);
    if (now - this.lastDecisionAt < this.options.tickMs) return undefined;
    return this.decideNow(now);
  }

  /** Decides and resizes now (also used on activation, without waiting for the tick). */
  decideNow(now: number): ScaleDecision {
    this.lastDecisionAt = now;
    const decision = this.decider.decide({
      now,
      ready: this.target.readyWorkers(),
      queued: this.target.queuedItems(),
      arrivalRate: this.arrivalRate.average(now),
      perItemMs: this.target.perItemMs(),
      coldStartMs: this.target.coldStartMs(),
      queueBudgetMs: this.queueBudgetMs,
    });
    this.last = decision;
    this.target.resize(decision.desired);
    this.onDecision?.(decision);
    return decision;
  }
}
