import { describe, expect, it } from 'vitest';
import { BatchTimeModel } from '../../../../src/workers/autoscale/batch-time-model.js';
import {
  DynamicBatcher,
  type BatchItem,
  type DynamicBatcherOptions,
} from '../../../../src/workers/batching/dynamic-batcher.js';

interface Item extends BatchItem {
  id: string;
}

/** A batch-time model with t(n) = 1·n + 10 ms exactly (the prior, no observations). */
const model = () => new BatchTimeModel({ perItemMs: 1, fixedMs: 10 });

const item = (id: string, enqueuedAt: number, extra: Partial<BatchItem> = {}): Item => ({
  id,
  enqueuedAt,
  startBy: Infinity,
  finishBy: Infinity,
  conflationKey: undefined,
  tokens: 1,
  ...extra,
});

function batcher(options: Partial<DynamicBatcherOptions> = {}) {
  return new DynamicBatcher<Item>({ maxBatch: 8, maxDelayMs: 100, ...options }, model());
}

const ids = (items: Item[]) => items.map((i) => i.id);

describe('DynamicBatcher flush rules', () => {
  it('flushes at maxBatch items and takes exactly maxBatch, oldest first', () => {
    const b = batcher({ maxBatch: 3 });
    for (let i = 0; i < 4; i++) b.push(item(`i${i}`, 0));
    expect(b.isDue(0)).toBe(true);
    expect(b.msUntilDue(0)).toBe(0);
    expect(ids(b.take(0))).toEqual(['i0', 'i1', 'i2']);
    expect(b.length).toBe(1);
    expect(b.isDue(0)).toBe(false);
  });

  it('flushes at a preferred size below maxBatch and takes the largest preferred size reached', () => {
    const b = batcher({ maxBatch: 16, preferredSizes: [8, 4] });
    for (let i = 0; i < 3; i++) b.push(item(`i${i}`, 0));
    expect(b.isDue(1)).toBe(false);
    for (let i = 3; i < 6; i++) b.push(item(`i${i}`, 0));
    expect(b.isDue(1)).toBe(true);
    expect(ids(b.take(1))).toEqual(['i0', 'i1', 'i2', 'i3']);
    expect(b.length).toBe(2);
  });

  it('flushes everything queued once the oldest has waited maxDelayMs', () => {
    const b = batcher({ maxDelayMs: 100 });
    b.push(item('a', 1000));
    b.push(item('b', 1050));
    expect(b.isDue(1099)).toBe(false);
    expect(b.msUntilDue(1040)).toBe(60);
    expect(b.isDue(1100)).toBe(true);
    expect(ids(b.take(1100))).toEqual(['a', 'b']);
  });

  it('flushes early when waiting longer would make the oldest miss its deadline by the batch time', () => {
    const b = batcher({ maxDelayMs: 100 });
    // Two items: t(2) = 12 ms, so a finishBy of 1050 must start by 1038.
    b.push(item('a', 1000, { finishBy: 1050 }));
    b.push(item('b', 1001));
    expect(b.msUntilDue(1000)).toBe(38);
    expect(b.isDue(1037)).toBe(false);
    expect(b.isDue(1038)).toBe(true);
    expect(ids(b.take(1038))).toEqual(['a', 'b']);
  });

  it('flushes by the queue budget (startBy) before maxDelayMs', () => {
    const b = batcher({ maxDelayMs: 100 });
    b.push(item('a', 1000, { startBy: 1020 }));
    expect(b.msUntilDue(1000)).toBe(20);
    expect(b.isDue(1020)).toBe(true);
  });

  it('uses the learned batch time: a slower model flushes earlier', () => {
    const learned = new BatchTimeModel({ perItemMs: 1, fixedMs: 10 }, 0.95, 0.001);
    for (let i = 0; i < 50; i++) {
      learned.observe(4, 4 * 5 + 20);
      learned.observe(8, 8 * 5 + 20);
    }
    expect(learned.predict(1)).toBeCloseTo(25, 0);
    const b = new DynamicBatcher<Item>({ maxBatch: 8, maxDelayMs: 1000 }, learned);
    b.push(item('a', 0, { finishBy: 100 }));
    // t(1) ≈ 25 ms now instead of the prior's 11 ms.
    expect(b.msUntilDue(0)).toBeCloseTo(75, 0);
  });

  it('rejects preferred sizes above maxBatch at construction', () => {
    expect(() => batcher({ maxBatch: 8, preferredSizes: [16] })).toThrow(/preferredSizes/);
    expect(() => batcher({ maxBatch: 0 })).toThrow(/maxSize/);
  });
});

describe('DynamicBatcher deadline policies', () => {
  it('shed: removes exactly the items predicted to miss, oldest first, and keeps the rest', () => {
    const b = batcher({ policy: 'shed', maxBatch: 8 });
    // 4 items queued; t(4) = 14 ms. At now = 100 with 20 ms until a worker is free, an item
    // finishes at 134: finishBy 120 and 130 miss, 140 and 200 make it.
    b.push(item('a', 0, { finishBy: 120 }));
    b.push(item('b', 1, { finishBy: 130 }));
    b.push(item('c', 2, { finishBy: 140 }));
    b.push(item('d', 3, { finishBy: 200 }));
    const outcome = b.triage(100, 20, 1);
    expect(ids(outcome.shed)).toEqual(['a', 'b']);
    expect(outcome.conflated).toEqual([]);
    expect(b.length).toBe(2);
    expect(ids(b.take(1000))).toEqual(['c', 'd']);
  });

  it('shed: an item over its queue budget (startBy) is shed even if its e2e deadline is far', () => {
    const b = batcher({ policy: 'shed' });
    b.push(item('a', 0, { startBy: 50 }));
    b.push(item('b', 0, { startBy: 500 }));
    expect(ids(b.triage(60, 0, 1).shed)).toEqual(['a']);
  });

  it('shed: items deeper in the queue account for the full batches ahead of them', () => {
    const b = batcher({ policy: 'shed', maxBatch: 2 });
    // t(2) = 12. Position 0,1 start now (finish 12); position 2,3 start after one full batch (finish 24).
    b.push(item('a', 0, { finishBy: 20 }));
    b.push(item('b', 0, { finishBy: 20 }));
    b.push(item('c', 0, { finishBy: 20 }));
    expect(ids(b.triage(0, 0, 1).shed)).toEqual([]);
    // With no idle worker for 10 ms, a and b would finish at 22: both shed; then c moves up to position 0.
    const later = b.triage(0, 10, 1);
    expect(ids(later.shed)).toEqual(['a', 'b', 'c']);
  });

  it('conflate: drops an at-risk item superseded by a newer one of the same key, keeps the newest late', () => {
    const b = batcher({ policy: 'conflate' });
    b.push(item('s1-old', 0, { finishBy: 10, conflationKey: 's1' }));
    b.push(item('s2-only', 0, { finishBy: 10, conflationKey: 's2' }));
    b.push(item('s1-new', 1, { finishBy: 11, conflationKey: 's1' }));
    b.push(item('keyless', 1, { finishBy: 11 }));
    b.push(item('fresh', 2, { finishBy: 10_000, conflationKey: 's1' }));
    const outcome = b.triage(100, 0, 1);
    // s1-old is superseded by s1-new; s1-new is superseded by fresh; s2-only and keyless are the newest of theirs.
    expect(ids(outcome.conflated)).toEqual(['s1-old', 's1-new']);
    expect(outcome.shed).toEqual([]);
    expect(ids(b.take(1000))).toEqual(['s2-only', 'keyless', 'fresh']);
  });

  it('deliver-late: never removes anything', () => {
    const b = batcher({ policy: 'deliver-late' });
    b.push(item('a', 0, { finishBy: 1 }));
    const outcome = b.triage(100, 50, 1);
    expect(outcome.shed.length + outcome.conflated.length).toBe(0);
    expect(b.length).toBe(1);
  });

  it('conflate: keeps the newest of a key (late) when older ones of that key were already taken', () => {
    const b = batcher({ policy: 'conflate', maxBatch: 1 });
    b.push(item('x1', 0, { finishBy: 1000, conflationKey: 'k' }));
    b.push(item('x2', 0, { finishBy: 1000, conflationKey: 'k' }));
    expect(ids(b.take(0))).toEqual(['x1']);
    expect(ids(b.triage(5000, 0, 1).conflated)).toEqual([]);
    expect(b.length).toBe(1);
  });
});
