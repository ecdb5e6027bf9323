import { describe, expect, it } from 'vitest';
import { BatchTimeModel } from '../../../../src/workers/autoscale/batch-time-model.js';

describe('BatchTimeModel', () => {
  it('predicts from the prior before any batch', () => {
    const model = new BatchTimeModel({ perItemMs: 0.5, fixedMs: 3 });
    expect(model.predict(10)).toBe(8);
  });

  it('learns t(n) = a·n + b from batches of different sizes', () => {
    const model = new BatchTimeModel({ perItemMs: 5, fixedMs: 50 });
    for (let i = 0; i < 200; i++) {
      const n = 1 + (i % 32);
      model.observe(n, 0.2 * n + 1.5);
    }
    expect(model.perItemMs).toBeCloseTo(0.2, 2);
    expect(model.fixedMs).toBeCloseTo(1.5, 1);
  });

  it('follows a change in speed, forgetting old batches', () => {
    const model = new BatchTimeModel({ perItemMs: 1, fixedMs: 1 }, 0.9);
    for (let i = 0; i < 100; i++) model.observe(1 + (i % 8), 1 * (1 + (i % 8)) + 1);
    for (let i = 0; i < 100; i++) model.observe(1 + (i % 8), 3 * (1 + (i % 8)) + 1);
    expect(model.predict(8)).toBeCloseTo(25, 0);
  });

  it('stays determined when every batch has the same size, between the prior and the data', () => {
    const model = new BatchTimeModel({ perItemMs: 1, fixedMs: 1 });
    for (let i = 0; i < 50; i++) model.observe(32, 10);
    expect(Number.isFinite(model.perItemMs)).toBe(true);
    expect(model.predict(32)).toBeGreaterThan(9);
    expect(model.predict(32)).toBeLessThan(33);
  });
});
