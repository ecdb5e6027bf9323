import { describe, expect, it } from 'vitest';
import { RollingPercentiles } from '../../../src/metrics/rolling-percentiles.js';

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('RollingPercentiles', () => {
  it('matches the sorted-array nearest rank while it holds every observation', () => {
    const estimator = new RollingPercentiles(1000);
    const values: number[] = [];
    let seed = 9;
    for (let i = 0; i < 737; i++) {
      seed = (seed * 16807) % 2147483647;
      const value = Math.exp((seed / 2147483647) * 8) / 10; // skewed, like latencies
      values.push(value);
      estimator.record(value);
    }
    const ps = [0, 1, 50, 90, 99, 99.9, 100];
    expect(estimator.percentiles(ps)).toEqual(ps.map((p) => nearestRank(values, p)));
  });

  it('keeps only the last capacity observations', () => {
    const estimator = new RollingPercentiles(100);
    for (let i = 0; i < 100; i++) estimator.record(1000 + i);
    const recent: number[] = [];
    for (let i = 0; i < 250; i++) {
      estimator.record(i);
      recent.push(i);
    }
    expect(estimator.count).toBe(100);
    const last = recent.slice(-100);
    expect(estimator.percentiles([50, 99, 100])).toEqual([
      nearestRank(last, 50),
      nearestRank(last, 99),
      nearestRank(last, 100),
    ]);
  });

  it('reports NaN before any observation and after reset', () => {
    const estimator = new RollingPercentiles(8);
    expect(estimator.percentiles([50])[0]).toBeNaN();
    estimator.record(3);
    expect(estimator.percentiles([50])).toEqual([3]);
    estimator.reset();
    expect(estimator.percentiles([99])[0]).toBeNaN();
  });
});
