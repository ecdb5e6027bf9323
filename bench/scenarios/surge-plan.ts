// The surge replay's fixed settings: the load shape (steady, a 10× climb within 1 s, exponential
// decay, idle), the budgets, the model, and the autoscaler options of each compared mode.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AutoscaleOptions } from '../../src/workers/autoscale/autoscaler.js';
import { KNATIVE_DEFAULTS } from '../../src/workers/autoscale/kpa.js';

/** The model every replay and scale cycle runs. */
export const SURGE_MODEL_MANIFEST = fileURLToPath(new URL('../../models/chat-sentiment.yaml', import.meta.url));
const QUEUE_BUDGET_MS = 50;
const E2E_BUDGET_MS = 150;
const BIN_MS = 250;

export type AutoscaleMode = 'livepipe' | 'pure-kpa';
export const AUTOSCALE_MODES: readonly AutoscaleMode[] = ['livepipe', 'pure-kpa'];

/** The load a replay offers and the most workers it may use. */
export interface SurgeLoadOptions {
  /** Shrinks every duration — load phases and autoscaler windows alike — tenfold (~1 min for both modes). */
  quick: boolean;
  /** Steady offered rate, events/s (default 1000). */
  baseRate?: number;
  /** Peak of the surge as a multiple of the steady rate (default 10). */
  factor?: number;
  /** Most workers the autoscaler may start (default: the machine's cores, at least 2). */
  maxWorkers?: number;
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

export function surgePlan(options: SurgeLoadOptions): SurgePlan {
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
export function autoscaleFor(plan: SurgePlan, mode: AutoscaleMode): AutoscaleOptions {
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
