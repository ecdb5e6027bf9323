// Hand-computed KPA cases: 1 s buckets, stable window 60 s, panic window 10 % = 6 s, target
// concurrency 10 × utilization 0.5 = 5 items per worker.
import { describe, expect, it } from 'vitest';
import {
  KpaDecider,
  predictQueueing,
  type KpaSettings,
  type LoadObservation,
} from '../../../../src/workers/autoscale/kpa.js';

const SECOND = 1000;

function decider(overrides: Partial<KpaSettings> = {}): KpaDecider {
  return new KpaDecider({
    min: 0,
    max: 100,
    targetConcurrency: 10,
    targetUtilization: 0.5,
    stableWindowMs: 60 * SECOND,
    panicWindowPercentage: 10,
    panicThreshold: 2,
    maxScaleUpRate: 1000,
    maxScaleDownRate: 2,
    scaleToZeroGracePeriodMs: 30 * SECOND,
    bucketMs: SECOND,
    budgetPrediction: false,
    ...overrides,
  });
}

function observe(now: number, ready: number, extra: Partial<LoadObservation> = {}): LoadObservation {
  return {
    now,
    ready,
    queued: 0,
    arrivalRate: 0,
    perItemMs: undefined,
    coldStartMs: 500,
    queueBudgetMs: undefined,
    ...extra,
  };
}

/** Records `concurrency(t)` once per second for t in [from, to). */
function feed(kpa: KpaDecider, from: number, to: number, concurrency: (second: number) => number): void {
  for (let t = from; t < to; t++) kpa.record(t * SECOND, concurrency(t));
}

describe('KpaDecider', () => {
  it('stable mode: desired = ceil(stable average / (target × utilization))', () => {
    const kpa = decider();
    feed(kpa, 0, 60, () => 23);
    // 23 / 5 = 4.6 → 5; panic 5 / 3 ready = 1.67 < 2: no panic.
    const decision = kpa.decide(observe(59 * SECOND, 3));
    expect(decision).toMatchObject({
      desired: 5,
      reason: 'kpa-stable',
      panicking: false,
      stableConcurrency: 23,
      panicConcurrency: 23,
    });
  });

  it('enters panic when the panic window wants twice the ready workers and takes the larger of stable and panic', () => {
    const kpa = decider();
    feed(kpa, 0, 54, () => 10);
    feed(kpa, 54, 60, () => 50);
    // Stable: (54·10 + 6·50) / 60 = 14 → 3. Panic: 50 → 10; 10 / 2 ready = 5 ≥ 2.
    const decision = kpa.decide(observe(59 * SECOND, 2));
    expect(decision.stableConcurrency).toBe(14);
    expect(decision.panicConcurrency).toBe(50);
    expect(decision).toMatchObject({ desired: 10, reason: 'kpa-panic', panicking: true });
  });

  it('does not scale down while panicking and leaves panic a stable window after the last trigger', () => {
    const kpa = decider();
    feed(kpa, 0, 54, () => 10);
    feed(kpa, 54, 60, () => 50);
    expect(kpa.decide(observe(59 * SECOND, 2)).desired).toBe(10);
    // The surge is over: concurrency 10 → panic window wants 2 of 10 ready, stable wants fewer than 10.
    feed(kpa, 60, 120, () => 10);
    const during = kpa.decide(observe(119 * SECOND, 10));
    expect(during).toMatchObject({ desired: 10, reason: 'kpa-panic', panicking: true });
    // Panic began at 59 s; at 119 s exactly, 59 + 60 is not before 119. One tick later it is.
    feed(kpa, 120, 122, () => 10);
    const after = kpa.decide(observe(121 * SECOND, 10));
    // Stable window [62, 121] is all 10 → 2 workers, within floor(10 / 2) = 5 as the most it may drop to.
    expect(after).toMatchObject({ panicking: false, reason: 'kpa-stable', desired: 5 });
  });

  it('limits scale-up to ceil(maxScaleUpRate × ready) and scale-down to floor(ready / maxScaleDownRate)', () => {
    const up = decider({ maxScaleUpRate: 2.5, panicThreshold: 1000 });
    feed(up, 0, 60, () => 100);
    // Wants 20; 2 ready × 2.5 = 5.
    expect(up.decide(observe(59 * SECOND, 2))).toMatchObject({ desired: 5, reason: 'kpa-stable' });

    const down = decider({ min: 1 });
    feed(down, 0, 60, () => 6);
    // Wants ceil(6 / 5) = 2; 9 ready / 2 = 4.5 → no fewer than 4.
    expect(down.decide(observe(59 * SECOND, 9))).toMatchObject({ desired: 4, reason: 'kpa-stable' });
  });

  it('clamps to max and to min, saying so', () => {
    const capped = decider({ max: 3, panicThreshold: 1000 });
    feed(capped, 0, 60, () => 40);
    expect(capped.decide(observe(59 * SECOND, 2))).toMatchObject({ desired: 3, reason: 'max-scale' });

    const floored = decider({ min: 2 });
    feed(floored, 0, 60, () => 1);
    expect(floored.decide(observe(59 * SECOND, 2))).toMatchObject({ desired: 2, reason: 'min-scale' });
  });

  it('scales to zero only a grace period after the stable window has emptied', () => {
    const kpa = decider({ min: 0 });
    const load = (t: number) => (t < 10 ? 1 : 0);
    let firstZero: number | undefined;
    let ready = 1;
    for (let t = 0; t <= 200; t++) {
      kpa.record(t * SECOND, load(t));
      if (t % 2 !== 0) continue;
      const decision = kpa.decide(observe(t * SECOND, ready));
      if (decision.desired === 0 && firstZero === undefined) {
        firstZero = t;
        expect(decision.reason).toBe('to-zero');
      }
      if (firstZero === undefined) expect(decision.desired).toBe(1);
      ready = decision.desired;
    }
    // Last traffic in bucket 9; the window [t − 59, t] is empty from t = 69; decisions fall on even
    // seconds, so zero is first wanted at 70 and granted 30 s later.
    expect(firstZero).toBe(100);
  });

  it('keeps one worker when min is 1, however long it is idle', () => {
    const kpa = decider({ min: 1 });
    feed(kpa, 0, 300, () => 0);
    expect(kpa.decide(observe(299 * SECOND, 1))).toMatchObject({ desired: 1, reason: 'min-scale' });
  });

  it('activates from zero as soon as work waits, whatever the windows say', () => {
    const kpa = decider({ min: 0 });
    expect(kpa.decide(observe(5 * SECOND, 0, { queued: 1 }))).toMatchObject({ desired: 1, reason: 'activation' });
    const idle = decider({ min: 0 });
    expect(idle.decide(observe(5 * SECOND, 0)).desired).toBe(0);
  });

  it('scales up on the predicted queueing delay before the budget is breached, where pure KPA would not', () => {
    const observation = observe(59 * SECOND, 1, {
      queued: 4,
      arrivalRate: 2000,
      perItemMs: 1,
      coldStartMs: 500,
      queueBudgetMs: 50,
    });
    // One worker serves 1000 items/s: backlog at 0.5 s = 4 + (2000 − 1000)·0.5 = 504 → 504 ms of queueing.
    // Budget: ceil((4 + 2000·0.5) / (1000·(0.05 + 0.5))) = 2; stability at 50 %: ceil(2000 / 500) = 4.
    const prediction = predictQueueing(observation, 0.5)!;
    expect(prediction.queueMs).toBeCloseTo(504, 6);
    expect(prediction.workersNeeded).toBe(4);

    const withBudget = decider({ budgetPrediction: true });
    const pure = decider({ budgetPrediction: false });
    for (const kpa of [withBudget, pure]) feed(kpa, 0, 60, () => 4);
    expect(withBudget.decide(observation)).toMatchObject({ desired: 4, reason: 'budget-predicted', budgetDesired: 4 });
    expect(pure.decide(observation)).toMatchObject({ desired: 1, reason: 'kpa-stable', predictedQueueMs: undefined });
  });

  it('needs only the budget term when arrivals are within capacity but a backlog is queued', () => {
    // 3 workers × 1000/s against 600/s: stable; a backlog of 300 drains in 300 / 3000 = 100 ms > 50 ms budget.
    const observation = observe(0, 3, {
      queued: 300,
      arrivalRate: 600,
      perItemMs: 1,
      coldStartMs: 100,
      queueBudgetMs: 50,
    });
    const prediction = predictQueueing(observation, 0.7)!;
    // Delay at 0.1 s: (300 + (600 − 3000)·0.1) → 60 items / 3000 per s = 20 ms.
    expect(prediction.queueMs).toBeCloseTo(20, 6);
    // ceil((300 + 60) / (1000 · 0.15)) = ceil(2.4) = 3; stability ceil(600 / 700) = 1.
    expect(prediction.workersNeeded).toBe(3);
  });

  it('rejects settings Knative would reject, naming the field', () => {
    expect(() => decider({ maxScaleDownRate: 1 })).toThrow(/maxScaleDownRate/);
    expect(() => decider({ targetUtilization: 1.5 })).toThrow(/targetUtilization/);
    expect(() => decider({ min: 5, max: 2 })).toThrow(/max/);
  });
});
