import { describe, expect, it } from 'vitest';
import { isSustainable, searchMaxSustainableRate, type RateProbe } from '../../../bench/harness/rate-search.js';

/** A fake system: latency grows like an M/M/1 queue towards `capacity`; past it a backlog builds. */
function queueModel(capacity: number, serviceMs: number) {
  const calls: number[] = [];
  const run = async (rate: number): Promise<RateProbe> => {
    calls.push(rate);
    const offered = Math.round(rate);
    if (rate >= capacity) return { rate, offered, delivered: Math.floor(offered * (capacity / rate)), p99Ms: Infinity };
    const utilisation = rate / capacity;
    return { rate, offered, delivered: offered, p99Ms: (serviceMs * Math.log(100)) / (1 - utilisation) };
  };
  return { run, calls };
}

describe('searchMaxSustainableRate', () => {
  it('finds the knee of a queueing system within the requested precision', async () => {
    // p99 = 4.6 ms / (1 − ρ) ≤ 50 ms  ⇔  ρ ≤ 0.908: the knee is at ~9,079/s of a 10,000/s system.
    const model = queueModel(10_000, 1);
    const knee = 10_000 * (1 - Math.log(100) / 50);
    const result = await searchMaxSustainableRate(model.run, {
      startRate: 500,
      maxRate: 1e6,
      budgetMs: 50,
      relativePrecision: 0.02,
      maxProbes: 30,
    });
    expect(result.limitedBy).toBe('knee');
    expect(result.maxRate).toBeLessThanOrEqual(knee);
    expect(result.maxRate).toBeGreaterThan(knee * 0.98);
    expect(result.firstFailingRate).toBeGreaterThan(knee);
    // Ramp doubles from the start rate before it bisects.
    expect(model.calls.slice(0, 5)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(result.probes.every((p) => p.sustainable === p.rate <= knee)).toBe(true);
  });

  it('descends when the start rate is already too much', async () => {
    const model = queueModel(300, 1);
    const result = await searchMaxSustainableRate(model.run, {
      startRate: 2000,
      maxRate: 1e6,
      budgetMs: 50,
      relativePrecision: 0.05,
      maxProbes: 30,
    });
    expect(result.probes[0]!.sustainable).toBe(false);
    expect(result.probes.some((p) => p.phase === 'descend')).toBe(true);
    expect(result.maxRate).toBeLessThanOrEqual(300 * 0.908);
    expect(result.maxRate).toBeGreaterThan(300 * 0.908 * 0.95);
  });

  it('stops at maxRate when the system never saturates, and at the probe limit', async () => {
    const easy = await searchMaxSustainableRate(queueModel(1e9, 0.001).run, {
      startRate: 100,
      maxRate: 1000,
      budgetMs: 50,
    });
    expect(easy).toMatchObject({ maxRate: 1000, limitedBy: 'max-rate' });
    const limited = await searchMaxSustainableRate(queueModel(10_000, 1).run, {
      startRate: 1,
      maxRate: 1e6,
      budgetMs: 50,
      maxProbes: 3,
    });
    expect(limited.limitedBy).toBe('probe-limit');
    expect(limited.probes).toHaveLength(3);
  });

  it('confirms a failing probe once before calling the rate unsustainable (a transient stall passes)', async () => {
    let stalls = 1;
    const model = queueModel(10_000, 1);
    const flaky = async (rate: number): Promise<RateProbe> => {
      const probe = await model.run(rate);
      // The first 2,000/s step hits a neighbour's stall; its rerun is clean.
      if (rate === 2000 && stalls-- > 0) return { ...probe, p99Ms: 500 };
      return probe;
    };
    const result = await searchMaxSustainableRate(flaky, {
      startRate: 500,
      maxRate: 1e6,
      budgetMs: 50,
      relativePrecision: 0.02,
      maxProbes: 40,
    });
    expect(result.maxRate).toBeGreaterThan(8000);
    expect(model.calls.filter((r) => r === 2000)).toHaveLength(2);
    const strict = await searchMaxSustainableRate(queueModel(10_000, 1).run, {
      startRate: 500,
      maxRate: 1e6,
      budgetMs: 50,
      confirmFailures: 0,
      maxProbes: 40,
    });
    // Without confirmation every failing rate is probed once; with it, twice.
    expect(strict.probes.filter((p) => !p.sustainable).length).toBe(
      new Set(strict.probes.filter((p) => !p.sustainable).map((p) => p.rate)).size,
    );
    expect(result.probes.filter((p) => !p.sustainable).length).toBe(
      2 * new Set(result.probes.filter((p) => !p.sustainable && p.rate !== 2000).map((p) => p.rate)).size + 1,
    );
  });

  it('counts a backlog as unsustainable even when the delivered p99 looks fine', () => {
    expect(isSustainable({ rate: 1000, offered: 1000, delivered: 970, p99Ms: 5 }, 50)).toBe(false);
    expect(isSustainable({ rate: 1000, offered: 1000, delivered: 990, p99Ms: 5 }, 50)).toBe(true);
    expect(isSustainable({ rate: 1000, offered: 1000, delivered: 1000, p99Ms: 51 }, 50)).toBe(false);
  });
});
