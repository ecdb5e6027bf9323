import { describe, expect, it } from 'vitest';
import { WindowAverage } from '../../../../src/workers/autoscale/window-average.js';

describe('WindowAverage (Knative bucket semantics)', () => {
  it('averages over the buckets written so far while the window is still filling', () => {
    const w = new WindowAverage(10_000, 1000);
    w.record(0, 4);
    w.record(1000, 8);
    expect(w.average(1000)).toBe(6);
  });

  it('counts gaps inside the window as zero', () => {
    const w = new WindowAverage(10_000, 1000);
    w.record(0, 9);
    w.record(2000, 9);
    // Buckets 0, 1, 2: 9 + 0 + 9 over 3.
    expect(w.average(2000)).toBe(6);
  });

  it('averages only up to the last write when data stopped coming, and drops buckets that left the window', () => {
    const w = new WindowAverage(4000, 1000);
    for (let t = 0; t < 6; t++) w.record(t * 1000, t);
    // Window at 5 s: buckets 2..5 → (2 + 3 + 4 + 5) / 4.
    expect(w.average(5000)).toBe(3.5);
    // At 7 s the window is [4, 7] but data ends at 5: (4 + 5) / 2.
    expect(w.average(7000)).toBe(4.5);
    // A full window later: nothing.
    expect(w.average(9000)).toBe(0);
  });

  it('adds values recorded in the same bucket', () => {
    const w = new WindowAverage(2000, 1000);
    w.record(100, 1);
    w.record(900, 2);
    expect(w.average(900)).toBe(3);
  });

  it('starts a fresh partial window after a whole window without data', () => {
    const w = new WindowAverage(3000, 1000);
    w.record(0, 30);
    w.record(10_000, 6);
    expect(w.average(10_000)).toBe(6);
  });
});
