import { describe, expect, it } from 'vitest';
import { autoscaleFor, surgePlan } from '../../../bench/scenarios/surge-plan.js';
import {
  EventQueue,
  MINILM_BATCH_TIME,
  type SimulationOptions,
  simulate,
  surgeSimulationTable,
  runSurgeSimulation,
} from '../../../bench/scenarios/surge-simulation.js';

/** A pool fixed at `workers`, fed `rate`/s for `seconds`, budgets too wide to matter. */
function fixedPool(workers: number, rate: number, seconds: number, extra: Partial<SimulationOptions> = {}) {
  return {
    rate: () => rate,
    peakRate: rate,
    arrivalsEndMs: seconds * 1000,
    endMs: seconds * 1000,
    sizing: { kind: 'fixed', workers },
    queueBudgetMs: 10_000,
    e2eBudgetMs: 10_000,
    ...extra,
  } satisfies SimulationOptions;
}

/** A short surge under the livepipe autoscaler: 2000/s, ×5 for 3 s, at most 16 workers. */
function shortSurge(seed: number | undefined): SimulationOptions {
  const plan = surgePlan({ quick: true, baseRate: 2000, factor: 5, maxWorkers: 16 });
  return {
    rate: (t) => (t < 2000 ? 2000 : t < 5000 ? 10_000 : 0),
    peakRate: 10_000,
    arrivalsEndMs: 5000,
    endMs: 8000,
    sizing: { kind: 'autoscale', mode: 'livepipe' },
    autoscale: autoscaleFor(plan, 'livepipe'),
    seed,
    queueBudgetMs: plan.queueBudgetMs,
    e2eBudgetMs: plan.e2eBudgetMs,
    surgeStartMs: 2000,
  };
}

describe('EventQueue', () => {
  it('pops by time, and events at the same time in the order they were pushed', () => {
    const queue = new EventQueue<string>();
    for (const [at, name] of [
      [3, 'c'],
      [1, 'a1'],
      [2, 'b'],
      [1, 'a2'],
      [0, 'first'],
    ] as const)
      queue.push(at, name);
    const order: string[] = [];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) order.push(next.event);
    expect(order).toEqual(['first', 'a1', 'a2', 'b', 'c']);
  });
});

describe('simulate', () => {
  it('gives the same result for the same seed, and another for another seed', () => {
    const first = simulate(shortSurge(7));
    expect(simulate(shortSurge(7))).toEqual(first);
    expect(simulate(shortSurge(8)).arrivals).not.toBe(first.arrivals);
  });

  it('answers or sheds every arrival exactly once', () => {
    const late = simulate(shortSurge(3));
    expect(late.answered).toBe(late.arrivals);
    expect(late.shed).toBe(0);
    // One worker at three times its capacity, shedding what would miss its deadline.
    const shedding = simulate(fixedPool(1, 2000, 2, { seed: 3, policy: 'shed', queueBudgetMs: 50, e2eBudgetMs: 150 }));
    expect(shedding.shed).toBeGreaterThan(0);
    expect(shedding.answered + shedding.shed).toBe(shedding.arrivals);
  });

  it('matches M/D/1 queueing with one worker, batches of one and Poisson arrivals', () => {
    // Service s = 1·1 + 1 = 2 ms at λ = 250/s: ρ = 0.5, mean wait ρs / 2(1 − ρ) = 1 ms (Pollaczek–Khinchine).
    const result = simulate(
      fixedPool(1, 250, 200, { seed: 11, maxBatch: 1, maxDelayMs: 0, batchTime: { perItemMs: 1, fixedMs: 1 } }),
    );
    expect(result.arrivals).toBeGreaterThan(45_000);
    expect(result.queue.meanMs).toBeGreaterThan(0.9);
    expect(result.queue.meanMs).toBeLessThan(1.1);
    expect(result.e2e.meanMs).toBeCloseTo(result.queue.meanMs + 2, 6);
  });

  it('never queues with N workers and evenly spaced arrivals below their capacity', () => {
    // 4 workers at 2.3 ms per item carry 1739/s; 1500/s arrive every 0.67 ms, so one is always idle.
    const result = simulate(fixedPool(4, 1500, 5, { maxBatch: 1, maxDelayMs: 0 }));
    const serviceMs = MINILM_BATCH_TIME.perItemMs + MINILM_BATCH_TIME.fixedMs;
    expect(result.queue.meanMs).toBe(0);
    expect(result.e2e.meanMs).toBeCloseTo(serviceMs, 9);
    expect(result.peakWorkers).toBe(4);
    expect(result.workerSeconds).toBe(20);
  });

  it('scales up from one worker when the rate is over its capacity', () => {
    // One MiniLM worker carries ~736/s at full batches; 3000/s needs at least 5.
    const plan = surgePlan({ quick: false, maxWorkers: 16 });
    const result = simulate({
      ...fixedPool(1, 3000, 20, { seed: 5, queueBudgetMs: plan.queueBudgetMs, e2eBudgetMs: plan.e2eBudgetMs }),
      sizing: { kind: 'autoscale', mode: 'livepipe' },
      autoscale: autoscaleFor(plan, 'livepipe'),
      surgeStartMs: 0,
    });
    expect(result.peakWorkers).toBeGreaterThanOrEqual(5);
    expect(result.firstScaleUpAfterSurgeMs).toBeLessThanOrEqual(2000);
    expect(result.answered).toBe(result.arrivals);
  });

  it('reproduces a scenario worked out by hand', () => {
    // Arrivals at 0, 1, 2, 3, 4 ms; one worker; batches ≤ 4 within 2 ms; t(n) = n + 1 ms.
    // 0 ms: item 0 waits for the delay. 2 ms: the delay expires before item 2 arrives: batch
    // [0, 1] runs 3 ms, to 5 ms. 5 ms: items 2, 3, 4 (item 2 is past its delay) run 4 ms, to 9 ms.
    // Queue: 2, 1, 3, 2, 1 ms; e2e: 5, 4, 7, 6, 5 ms.
    const result = simulate(
      fixedPool(1, 1000, 0.005, { maxBatch: 4, maxDelayMs: 2, batchTime: { perItemMs: 1, fixedMs: 1 } }),
    );
    expect(result.arrivals).toBe(5);
    expect(result.batches).toBe(2);
    expect(result.queue.meanMs).toBeCloseTo(9 / 5, 9);
    expect(result.e2e.meanMs).toBeCloseTo(27 / 5, 9);
    expect(result.durationMs).toBe(9);
  });
});

describe('runSurgeSimulation', () => {
  it('runs baseline, ceiling and both autoscaler modes over the same surge, and tables them', () => {
    const report = runSurgeSimulation({ baseRate: 200, factor: 5, maxWorkers: 8 });
    expect(report.runs.map((r) => r.variant)).toEqual(['baseline', 'ceiling', 'livepipe', 'pure-kpa']);
    const ceiling = report.runs[1];
    expect(ceiling?.peakWorkers).toBe(8);
    expect(ceiling?.e2e.breachPercent).toBe(0);
    for (const run of report.runs) expect(run.answered).toBe(run.arrivals);
    expect(surgeSimulationTable(report).split('\n')).toHaveLength(6);
  });
});
