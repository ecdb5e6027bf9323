import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../../../src/workers/batching/micro-batcher.js';

const item = (enqueuedAt: number, n = 0) => ({ enqueuedAt, n });

describe('MicroBatcher', () => {
  it('is not due while fewer than maxBatch items wait less than maxDelayMs', () => {
    const batcher = new MicroBatcher<ReturnType<typeof item>>(4, 10);
    batcher.push(item(100));
    batcher.push(item(105));
    expect(batcher.isDue(109)).toBe(false);
    expect(batcher.msUntilDue(104)).toBe(6);
  });

  it('is due once the oldest item has waited maxDelayMs', () => {
    const batcher = new MicroBatcher<ReturnType<typeof item>>(4, 10);
    batcher.push(item(100));
    expect(batcher.isDue(110)).toBe(true);
    expect(batcher.msUntilDue(120)).toBe(0);
  });

  it('is due as soon as maxBatch items wait', () => {
    const batcher = new MicroBatcher<ReturnType<typeof item>>(3, 1000);
    for (let i = 0; i < 3; i++) batcher.push(item(100));
    expect(batcher.isDue(100)).toBe(true);
    expect(batcher.msUntilDue(100)).toBe(0);
  });

  it('takes at most maxBatch items, oldest first', () => {
    const batcher = new MicroBatcher<ReturnType<typeof item>>(3, 0);
    for (let i = 0; i < 7; i++) batcher.push(item(i, i));
    expect(batcher.take().map((x) => x.n)).toEqual([0, 1, 2]);
    expect(batcher.take().map((x) => x.n)).toEqual([3, 4, 5]);
    expect(batcher.length).toBe(1);
    expect(batcher.take().map((x) => x.n)).toEqual([6]);
    expect(batcher.length).toBe(0);
    expect(batcher.isDue(1e9)).toBe(false);
    expect(batcher.msUntilDue(0)).toBe(Infinity);
  });

  it('keeps order across compaction of a long queue', () => {
    const batcher = new MicroBatcher<ReturnType<typeof item>>(7, 0);
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 500; round++) {
      for (let i = 0; i < 5; i++) batcher.push(item(0, next++));
      seen.push(...batcher.take().map((x) => x.n));
    }
    seen.push(...batcher.drain().map((x) => x.n));
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(batcher.length).toBe(0);
  });
});
