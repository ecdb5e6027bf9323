// The scaling decision, as pure logic over an injected clock: Knative's KPA (stable and panic
// windows, panic mode, rate limits, min/max, scale to zero after a grace period, activation) plus a
// queueing-delay prediction that scales up before the queue budget would be breached.
import { LivepipeError } from '../../errors.js';
import { WindowAverage } from './window-average.js';

export interface KpaSettings {
  /** Fewest workers; 0 allows scale to zero. */
  min: number;
  max: number;
  /** Items in flight (queued + running) one worker is meant to carry. */
  targetConcurrency: number;
  /** Fraction of targetConcurrency aimed at (Knative: container-concurrency-target-percentage 70 %). */
  targetUtilization: number;
  stableWindowMs: number;
  /** Panic window as a percentage of the stable window (Knative default 10 → 6 s). */
  panicWindowPercentage: number;
  /** Panic when panic-window desired / ready reaches this (Knative 200 % → 2.0). */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  scaleToZeroGracePeriodMs: number;
  /** Width of one averaging bucket (Knative: 1 s). */
  bucketMs: number;
  /** Scale on predicted queueing delay against the queue budget as well (off: pure KPA). */
  budgetPrediction: boolean;
}

/** Knative Serving's config-autoscaler defaults (pkg/autoscaler/config/config.go); 1 s buckets. */
export const KNATIVE_DEFAULTS: Omit<KpaSettings, 'max' | 'min' | 'budgetPrediction'> = {
  targetConcurrency: 100,
  targetUtilization: 0.7,
  stableWindowMs: 60_000,
  panicWindowPercentage: 10,
  panicThreshold: 2,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  scaleToZeroGracePeriodMs: 30_000,
  bucketMs: 1000,
};

export type ScaleReason =
  | 'kpa-stable'
  | 'kpa-panic'
  | 'budget-predicted'
  | 'min-scale'
  | 'max-scale'
  | 'to-zero'
  | 'activation';

/** What the pool looks like at a decision. */
export interface LoadObservation {
  now: number;
  /** Workers able to take batches now (KPA's ready pods). */
  ready: number;
  /** Items waiting for a worker. */
  queued: number;
  /** Items arriving per second, recently. */
  arrivalRate: number;
  /** Service time per item on one worker at the batch sizes seen (ms); undefined before any batch. */
  perItemMs: number | undefined;
  /** How long a new worker takes to become ready (ms): the horizon before a scale-up helps. */
  coldStartMs: number;
  /** The queue stage's latency budget (ms); undefined disables the prediction. */
  queueBudgetMs: number | undefined;
}

export interface ScaleDecision {
  at: number;
  desired: number;
  reason: ScaleReason;
  panicking: boolean;
  stableConcurrency: number;
  panicConcurrency: number;
  /** Predicted queueing delay with the ready workers, when the prediction ran (ms). */
  predictedQueueMs: number | undefined;
  /** Workers the prediction asks for (before rate limits), when it ran. */
  budgetDesired: number | undefined;
}

export class KpaDecider {
  readonly settings: KpaSettings;
  private readonly stable: WindowAverage;
  private readonly panic: WindowAverage;
  private readonly target: number;
  /** When panic was last triggered (or extended); undefined when not panicking. */
  private panicSince: number | undefined;
  private maxPanicPods = 0;
  /** First decision time at which the windows asked for zero; scale to zero waits a grace period from it. */
  private zeroSince: number | undefined;

  constructor(settings: KpaSettings) {
    validate(settings);
    this.settings = { ...settings };
    this.stable = new WindowAverage(settings.stableWindowMs, settings.bucketMs);
    const panicWindowMs = Math.max(settings.bucketMs, (settings.stableWindowMs * settings.panicWindowPercentage) / 100);
    this.panic = new WindowAverage(panicWindowMs, settings.bucketMs);
    this.target = settings.targetConcurrency * settings.targetUtilization;
  }

  /** Records the average concurrency (queued + running items) seen over the last sample period. */
  record(now: number, concurrency: number): void {
    this.stable.record(now, concurrency);
    this.panic.record(now, concurrency);
  }

  get panicking(): boolean {
    return this.panicSince !== undefined;
  }

  decide(observation: LoadObservation): ScaleDecision {
    const s = this.settings;
    const now = observation.now;
    const stableConcurrency = this.stable.average(now);
    const panicConcurrency = this.panic.average(now);
    // Knative's step; min/max, scale to zero and activation from zero are applied below, with reasons.
    const step = kpaScaleStep({
      now,
      observedStableValue: stableConcurrency,
      observedPanicValue: panicConcurrency,
      readyPodCount: observation.ready,
      targetValue: this.target,
      panicThreshold: s.panicThreshold,
      maxScaleUpRate: s.maxScaleUpRate,
      maxScaleDownRate: s.maxScaleDownRate,
      stableWindowMs: s.stableWindowMs,
      panicTime: this.panicSince,
      maxPanicPods: this.maxPanicPods,
    });
    this.panicSince = step.panicTime;
    this.maxPanicPods = step.maxPanicPods;
    const maxScaleUp = step.maxScaleUp;
    let desired = step.desiredPodCount;
    let reason: ScaleReason = step.panicking ? 'kpa-panic' : 'kpa-stable';

    let predictedQueueMs: number | undefined;
    let budgetDesired: number | undefined;
    if (s.budgetPrediction) {
      const prediction = predictQueueing(observation, s.targetUtilization);
      if (prediction !== undefined) {
        predictedQueueMs = prediction.queueMs;
        budgetDesired = prediction.workersNeeded;
        const limited = Math.min(budgetDesired, maxScaleUp);
        if (limited > desired) {
          desired = limited;
          reason = 'budget-predicted';
        }
      }
    }

    // Activation: work waits and nothing can serve it.
    if (
      observation.ready === 0 &&
      (observation.queued > 0 || stableConcurrency > 0 || panicConcurrency > 0) &&
      desired < 1
    ) {
      desired = 1;
      reason = 'activation';
    }

    if (desired === 0) {
      this.zeroSince ??= now;
      if (s.min === 0 && now - this.zeroSince >= s.scaleToZeroGracePeriodMs) {
        reason = 'to-zero';
      } else if (s.min === 0) {
        // Within the grace period: keep one warm worker (or none if already at zero).
        desired = Math.min(1, observation.ready);
      }
    } else {
      this.zeroSince = undefined;
    }

    if (desired < s.min) {
      desired = s.min;
      reason = 'min-scale';
    } else if (desired > s.max) {
      desired = s.max;
      reason = 'max-scale';
    }
    return {
      at: now,
      desired,
      reason,
      panicking: this.panicSince !== undefined,
      stableConcurrency,
      panicConcurrency,
      predictedQueueMs,
      budgetDesired,
    };
  }
}

/**
 * The inputs of one Knative autoscaler decision (serving pkg/autoscaler/scaling/autoscaler.go,
 * `Scale`), with the panic state carried from the previous decision. Times are ms. Preconditions,
 * as Knative's DeciderSpec validation guarantees them: targetValue > 0, maxScaleUpRate > 1,
 * maxScaleDownRate > 1, 0 ≤ minScale, maxScale = 0 or ≥ minScale.
 */
export interface KpaScaleInput {
  now: number;
  /** Average concurrency (or requests/s) over the stable window. */
  observedStableValue: number;
  /** The same over the panic window. */
  observedPanicValue: number;
  /** Pods (workers) ready now; 0 counts as 1 for the rate limits and the panic threshold. */
  readyPodCount: number;
  /** What one pod should carry: target concurrency × target utilization (Knative's TargetValue). */
  targetValue: number;
  /** Panic when the panic window wants this many times the ready pods (Knative's 200 % → 2). */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  /** Panic ends once it has not been triggered for a whole stable window. */
  stableWindowMs: number;
  /** False when no route sends traffic (Knative's Reachable): scale-down is then not rate-limited. Default true. */
  reachable?: boolean;
  /** Fewest pods to start once there is any demand at all (Knative's activation-scale); default 1. */
  activationScale?: number;
  /** Bounds applied after the decision, as the KPA reconciler's applyBounds does; maxScale 0 is unbounded. Default 0 and 0. */
  minScale?: number;
  maxScale?: number;
  /** When panic was last triggered or extended; undefined when not panicking. */
  panicTime: number | undefined;
  /** The most pods asked for since panic began: panic mode never scales down. */
  maxPanicPods: number;
}

export interface KpaScaleResult {
  desiredPodCount: number;
  /** Panic state to pass to the next decision. */
  panicTime: number | undefined;
  maxPanicPods: number;
  panicking: boolean;
  /** The stable and panic windows' wishes within the rate limits, before panic mode picks. */
  desiredStablePodCount: number;
  desiredPanicPodCount: number;
  maxScaleUp: number;
  maxScaleDown: number;
}

/**
 * One Knative KPA decision as a pure function: the arithmetic of serving's `autoscaler.Scale`
 * (rate limits, activation scale, panic threshold, panic hold and exit), then min/max bounds.
 * Not included: the scale-down delay window and excess burst capacity (livepipe has no activator),
 * and scale to zero's grace period, which Knative applies later in the reconciler.
 */
export function kpaScaleStep(input: KpaScaleInput): KpaScaleResult {
  const { now, targetValue, stableWindowMs } = input;
  const readyPods = Math.max(1, input.readyPodCount);
  // Ceil so that a conservative rate (1.1 × 2 ready) still grows by at least one pod.
  const maxScaleUp = Math.ceil(input.maxScaleUpRate * readyPods);
  const maxScaleDown = (input.reachable ?? true) ? Math.floor(readyPods / input.maxScaleDownRate) : 0;
  const stableWanted = Math.ceil(input.observedStableValue / targetValue);
  const panicWanted = Math.ceil(input.observedPanicValue / targetValue);
  let desiredStablePodCount = clamp(stableWanted, maxScaleDown, maxScaleUp);
  let desiredPanicPodCount = clamp(panicWanted, maxScaleDown, maxScaleUp);
  const activationScale = input.activationScale ?? 1;
  if (activationScale > 1) {
    if (stableWanted > 0 && activationScale > desiredStablePodCount) desiredStablePodCount = activationScale;
    if (panicWanted > 0 && activationScale > desiredPanicPodCount) desiredPanicPodCount = activationScale;
  }

  let panicTime = input.panicTime;
  let maxPanicPods = input.maxPanicPods;
  if (panicWanted / readyPods >= input.panicThreshold) {
    // Enter panic, or extend it while the panic window stays over the threshold.
    panicTime = now;
  } else if (panicTime !== undefined && panicTime + stableWindowMs < now) {
    // The surge has reached the stable window: leave panic.
    panicTime = undefined;
    maxPanicPods = 0;
  }

  let desiredPodCount = desiredStablePodCount;
  if (panicTime !== undefined) {
    // Provision for the larger window, and never below what panic has already asked for.
    maxPanicPods = Math.max(maxPanicPods, desiredStablePodCount, desiredPanicPodCount);
    desiredPodCount = maxPanicPods;
  }
  const minScale = input.minScale ?? 0;
  const maxScale = input.maxScale ?? 0;
  if (desiredPodCount < minScale) desiredPodCount = minScale;
  else if (maxScale !== 0 && desiredPodCount > maxScale) desiredPodCount = maxScale;
  return {
    desiredPodCount,
    panicTime,
    maxPanicPods,
    panicking: panicTime !== undefined,
    desiredStablePodCount,
    desiredPanicPodCount,
    maxScaleUp,
    maxScaleDown,
  };
}

/**
 * The panic state Knative's autoscaler starts with: already panicking when more than one pod is
 * ready, so that a restarted autoscaler, which has lost its metric history, holds the current scale
 * until its windows have filled instead of scaling down on them.
 */
export function kpaInitialPanicState(
  readyPodCount: number,
  now: number,
): Pick<KpaScaleInput, 'panicTime' | 'maxPanicPods'> {
  return { panicTime: readyPodCount > 1 ? now : undefined, maxPanicPods: readyPodCount };
}

export interface QueueingPrediction {
  /** Queueing delay at the end of the horizon with the ready workers (ms). */
  queueMs: number;
  /** Workers that keep the delay within the budget over the horizon and stay under target utilization. */
  workersNeeded: number;
}

/**
 * Fluid approximation of the queue over the horizon h before new workers help (cold start): with c
 * workers each serving μ items/s, the backlog B grows by (λ − cμ)·h and drains at cμ, so the delay
 * at h is max(0, B + (λ − cμ)h) / (cμ). Keeping it within the budget b needs cμ(b + h) ≥ B + λh;
 * staying stable needs λ ≤ cμ·utilization. Undefined when there is nothing to predict from.
 */
export function predictQueueing(
  observation: LoadObservation,
  targetUtilization: number,
): QueueingPrediction | undefined {
  const { perItemMs, queueBudgetMs } = observation;
  if (perItemMs === undefined || queueBudgetMs === undefined || !(perItemMs > 0)) return undefined;
  if (observation.queued === 0 && observation.arrivalRate === 0) return { queueMs: 0, workersNeeded: 0 };
  const mu = 1000 / perItemMs;
  const horizon = observation.coldStartMs / 1000;
  const budget = queueBudgetMs / 1000;
  const backlog = observation.queued;
  const lambda = observation.arrivalRate;
  const capacity = observation.ready * mu;
  const queueMs = capacity === 0 ? Infinity : (Math.max(0, backlog + (lambda - capacity) * horizon) / capacity) * 1000;
  const forBudget = Math.ceil((backlog + lambda * horizon) / (mu * (budget + horizon)));
  const forStability = Math.ceil(lambda / (mu * targetUtilization));
  return { queueMs, workersNeeded: Math.max(forBudget, forStability) };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

function validate(s: KpaSettings): void {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new LivepipeError('LP_CONFIG_INVALID', `autoscale.${field} must be ${rule}, got ${String(value)}`);
  };
  if (!Number.isInteger(s.min) || s.min < 0) fail('min', 'an integer >= 0', s.min);
  if (!Number.isInteger(s.max) || s.max < Math.max(1, s.min)) fail('max', `an integer >= max(1, min=${s.min})`, s.max);
  if (!(s.targetConcurrency > 0)) fail('targetConcurrency', '> 0', s.targetConcurrency);
  if (!(s.targetUtilization > 0 && s.targetUtilization <= 1))
    fail('targetUtilization', 'in (0, 1]', s.targetUtilization);
  if (!(s.bucketMs > 0)) fail('tick', '> 0', s.bucketMs);
  if (!(s.stableWindowMs >= s.bucketMs))
    fail('stableWindow', `at least one bucket (${s.bucketMs} ms)`, s.stableWindowMs);
  if (!(s.panicWindowPercentage >= 1 && s.panicWindowPercentage <= 100))
    fail('panicWindowPercentage', 'in [1, 100]', s.panicWindowPercentage);
  if (!(s.panicThreshold >= 1)) fail('panicThreshold', '>= 1 (2.0 is 200 %)', s.panicThreshold);
  if (!(s.maxScaleUpRate > 1)) fail('maxScaleUpRate', '> 1', s.maxScaleUpRate);
  if (!(s.maxScaleDownRate > 1)) fail('maxScaleDownRate', '> 1', s.maxScaleDownRate);
  if (!(s.scaleToZeroGracePeriodMs >= 0)) fail('scaleToZeroGracePeriod', '>= 0', s.scaleToZeroGracePeriodMs);
}
