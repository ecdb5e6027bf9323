import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../bench/harness/latency-histogram.js';

/** Deterministic pseudo-random values (LCG) so failures reproduce. */
function values(count: number, seed: number, spread: (u: number) => number): number[] {
  let state = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    out.push(spread(state / 2 ** 31));
  }
  return out;
}

function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

describe('LatencyHistogram', () => {
  const distributions: Array<[string, (u: number) => number]> = [
    ['uniform 0–10 ms', (u) => u * 10],
    ['log-uniform 1 µs – 10 s', (u) => 10 ** (-3 + u * 7)],
    ['heavy tail (Pareto)', (u) => 0.5 / (1 - u) ** 1.5],
  ];

  for (const [name, spread] of distributions) {
    it(`reports every percentile within 1 % of the sorted truth (${name})`, () => {
      const data = values(20_000, 7, spread);
      const histogram = new LatencyHistogram();
      for (const v of data) histogram.record(v);
      const sorted = [...data].sort((a, b) => a - b);
      for (const q of [0.01, 0.25, 0.5, 0.9, 0.99, 0.999]) {
        const truth = nearestRank(sorted, q);
        // 1 ns absolute slack: values are kept at nanosecond resolution.
        expect(Math.abs(histogram.percentile(q) - truth)).toBeLessThanOrEqual(truth * 0.01 + 1e-6);
      }
      expect(histogram.maxMs).toBe(sorted[sorted.length - 1]);
      expect(histogram.minMs).toBe(sorted[0]);
      expect(histogram.count).toBe(data.length);
    });
  }

  it('merges into the same percentiles as one histogram of all values', () => {
    const a = values(5000, 1, (u) => u * 3);
    const b = values(5000, 2, (u) => 50 + u * 100);
    const left = new LatencyHistogram();
    const right = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (const v of a) {
      left.record(v);
      all.record(v);
    }
    for (const v of b) {
      right.record(v);
      all.record(v);
    }
    left.merge(right);
    expect(left.count).toBe(10_000);
    for (const q of [0.1, 0.5, 0.75, 0.99]) expect(left.percentile(q)).toBe(all.percentile(q));
    expect(left.maxMs).toBe(all.maxMs);
    expect(left.meanMs).toBeCloseTo(all.meanMs, 9);
    // The merged median sits in the upper group: half the values are ≥ 50.
    expect(left.percentile(0.75)).toBeGreaterThanOrEqual(50);
  });

  it('is NaN when empty and summarises the standard percentiles', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(0.5)).toBeNaN();
    for (let i = 1; i <= 1000; i++) histogram.record(i);
    const summary = histogram.summary();
    expect(summary.p50Ms).toBeGreaterThan(500 * 0.99);
    expect(summary.p50Ms).toBeLessThan(500 * 1.01);
    expect(summary.p999Ms).toBeGreaterThan(999 * 0.99);
    expect(summary.maxMs).toBe(1000);
    histogram.reset();
    expect(histogram.count).toBe(0);
  });
});
