import { describe, expect, it } from 'vitest';
import { SlidingWindowCounter } from '../../../src/aggregate/sliding-window-counter.js';

function add(counter: SlidingWindowCounter, at: number, value: number, channel = 0): boolean {
  const slot = counter.slot(at);
  if (slot < 0) return false;
  counter.increment(slot, channel, value);
  return true;
}

describe('SlidingWindowCounter', () => {
  it('counts exactly the buckets inside the window', () => {
    const counter = new SlidingWindowCounter(10_000, 1000, 1);
    for (let second = 0; second < 10; second++) add(counter, second * 1000 + 500, 1);
    expect(counter.sum(0, 9_999)).toBe(10);
    // At 10 000 the window is buckets 1..10: bucket 0 has fallen out.
    expect(counter.sum(0, 10_000)).toBe(9);
    expect(counter.sum(0, 14_000)).toBe(5);
    expect(counter.sum(0, 18_999)).toBe(1);
    expect(counter.sum(0, 19_000)).toBe(0);
  });

  it('recognises stale buckets after a long idle gap', () => {
    const counter = new SlidingWindowCounter(5000, 1000, 1);
    for (let t = 0; t < 5000; t += 100) add(counter, t, 1);
    expect(counter.sum(0, 4999)).toBe(50);
    // 1 000 000 ms later the ring slots still hold old buckets; none may count, and a new add
    // into a reused slot must not inherit the old value.
    add(counter, 1_000_200, 3);
    expect(counter.sum(0, 1_000_200)).toBe(3);
    expect(counter.sum(0, 1_003_000)).toBe(3);
    expect(counter.sum(0, 1_005_000)).toBe(0);
  });

  it('accepts out-of-order timestamps within the window and refuses older ones', () => {
    const counter = new SlidingWindowCounter(3000, 1000, 1);
    expect(add(counter, 5500, 1)).toBe(true);
    expect(add(counter, 3100, 2)).toBe(true); // two buckets back: still in the window
    expect(add(counter, 2900, 4)).toBe(false); // bucket 2 is out of the window ending at bucket 5
    expect(counter.sum(0, 5500)).toBe(3);
    expect(counter.sum(0, 6000)).toBe(1);
  });

  it('does not count buckets ahead of the time it is read at', () => {
    const counter = new SlidingWindowCounter(3000, 1000, 1);
    add(counter, 1000, 1);
    add(counter, 5000, 7);
    expect(counter.sum(0, 1500)).toBe(1);
  });

  it('keeps channels apart', () => {
    const counter = new SlidingWindowCounter(2000, 500, 2);
    add(counter, 100, 1, 0);
    add(counter, 100, 10, 1);
    add(counter, 700, 2, 1);
    expect(counter.sum(0, 800)).toBe(1);
    expect(counter.sum(1, 800)).toBe(12);
  });

  it('matches a brute-force count for random traffic', () => {
    const counter = new SlidingWindowCounter(4000, 250, 1);
    const kept: Array<[number, number]> = [];
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    let newest = 0;
    for (let i = 0; i < 5000; i++) {
      newest += random() < 0.01 ? 20_000 * random() : 30 * random();
      const at = newest - 3000 * random();
      if (add(counter, at, 1)) kept.push([at, 1]);
      if (i % 50 === 0) {
        const now = newest;
        const current = Math.floor(now / 250);
        const truth = kept.filter(([t]) => Math.floor(t / 250) > current - 16 && Math.floor(t / 250) <= current).length;
        expect(counter.sum(0, now)).toBe(truth);
      }
    }
  });
});
