import { describe, expect, it } from 'vitest';
import {
  PoolAutoscaler,
  type AutoscaleOptions,
  type LoadSample,
  type ScalableTarget,
} from '../../../../src/workers/autoscale/autoscaler.js';
import { KNATIVE_DEFAULTS } from '../../../../src/workers/autoscale/kpa.js';

/** A pool stand-in whose load the test sets; records every resize. */
class FakePool implements ScalableTarget {
  sample: LoadSample = { concurrency: 0, arrivals: 0 };
  ready = 1;
  queued = 0;
  itemMs: number | undefined = undefined;
  readonly resizes: number[] = [];
  takeLoadSample(): LoadSample {
    return this.sample;
  }
  readyWorkers(): number {
    return this.ready;
  }
  queuedItems(): number {
    return this.queued;
  }
  perItemMs(): number | undefined {
    return this.itemMs;
  }
  coldStartMs(): number {
    return 500;
  }
  resize(workers: number): void {
    this.resizes.push(workers);
    this.ready = workers;
  }
}

const options: AutoscaleOptions = {
  ...KNATIVE_DEFAULTS,
  targetConcurrency: 32,
  min: 1,
  max: 10,
  tickMs: 2000,
  budgetPrediction: true,
};

describe('PoolAutoscaler', () => {
  it('samples every second and decides every tick, resizing the pool to the decision', () => {
    const pool = new FakePool();
    const scaler = new PoolAutoscaler(pool, options, { queueBudgetMs: 50 });
    expect(scaler.sampleMs).toBe(1000);
    pool.sample = { concurrency: 50, arrivals: 0 };
    // 50 / (32 × 0.7 = 22.4) → 3; panic window wants 3 of 1 ready ≥ 2: panic.
    expect(scaler.step(0)).toMatchObject({ desired: 3, reason: 'kpa-panic' });
    expect(scaler.step(1000)).toBeUndefined();
    expect(scaler.step(2000)?.desired).toBe(3);
    expect(pool.resizes).toEqual([3, 3]);
  });

  it('feeds the arrival rate over the panic window to the budget prediction', () => {
    const pool = new FakePool();
    pool.itemMs = 10; // one worker serves 100 items/s
    const scaler = new PoolAutoscaler(pool, options, { queueBudgetMs: 50 });
    pool.sample = { concurrency: 1, arrivals: 100 };
    // λ = 100/s: the budget term needs ceil(100·0.5 / (100·0.55)) = 1, stability ceil(100 / 70) = 2.
    const decision = scaler.step(0)!;
    expect(decision).toMatchObject({ desired: 2, reason: 'budget-predicted', budgetDesired: 2 });
    expect(pool.resizes).toEqual([2]);
  });

  it('without a queue budget, decides as pure KPA', () => {
    const pool = new FakePool();
    pool.itemMs = 10;
    const scaler = new PoolAutoscaler(pool, options);
    pool.sample = { concurrency: 1, arrivals: 100 };
    expect(scaler.step(0)).toMatchObject({ desired: 1, reason: 'kpa-stable', predictedQueueMs: undefined });
  });
});
