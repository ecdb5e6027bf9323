import { describe, expect, it } from 'vitest';
import { BatchTimeModel } from '../../../../src/workers/autoscale/batch-time-model.js';
import {
  bucketBound,
  bucketOf,
  DynamicBatcher,
  type BatchItem,
  type DynamicBatcherOptions,
} from '../../../../src/workers/batching/dynamic-batcher.js';

interface Item extends BatchItem {
  id: string;
}

/** t = 0.1 ms per padded token + 10 ms (the prior, no observations). */
const model = () => new BatchTimeModel({ perItemMs: 0.1, fixedMs: 10 });

const item = (id: string, tokens: number, enqueuedAt = 0, extra: Partial<BatchItem> = {}): Item => ({
  id,
  enqueuedAt,
  startBy: Infinity,
  finishBy: Infinity,
  conflationKey: undefined,
  tokens,
  ...extra,
});

function batcher(options: Partial<DynamicBatcherOptions> = {}) {
  return new DynamicBatcher<Item>({ maxBatch: 32, maxDelayMs: 100, maxTokens: 512, ...options }, model());
}

const ids = (items: Item[]) => items.map((i) => i.id);
const padded = (items: Item[]) => items.length * Math.max(...items.map((i) => i.tokens));

/** A deterministic mixed-length chat workload: mostly 4–16 tokens, some 20–60, a few 100+. */
function mixedLengths(count: number): number[] {
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const r = next();
    if (r < 0.75) return 4 + Math.floor(next() * 13);
    if (r < 0.97) return 20 + Math.floor(next() * 41);
    return 100 + Math.floor(next() * 60);
  });
}

describe('length buckets', () => {
  it('put every token count at or below its bucket bound and above the previous bound', () => {
    for (let tokens = 1; tokens <= 5000; tokens++) {
      const bucket = bucketOf(tokens);
      expect(tokens).toBeLessThanOrEqual(bucketBound(bucket));
      if (bucket > 0) expect(tokens).toBeGreaterThan(bucketBound(bucket - 1));
    }
  });

  it('are half-octaves: 8, 12, 16, 24, 32 tokens', () => {
    expect([7, 8, 9, 12, 13, 16, 17, 24, 25, 32].map((t) => bucketBound(bucketOf(t)))).toEqual([
      8, 8, 12, 12, 16, 16, 24, 24, 32, 32,
    ]);
  });
});

describe('DynamicBatcher with maxTokens', () => {
  it('keeps every batch within the token budget (size × longest estimate)', () => {
    const b = batcher({ maxTokens: 128 });
    for (const [i, tokens] of mixedLengths(500).entries()) b.push(item(`i${i}`, tokens));
    let taken = 0;
    while (b.length > 0) {
      const batch = b.take(1000);
      taken += batch.length;
      // Only an item longer than the budget by itself (100+ tokens here) goes over it, alone.
      if (batch.length > 1) expect(padded(batch)).toBeLessThanOrEqual(128);
      else expect(padded(batch) <= 128 || (batch[0]?.tokens ?? 0) > 128).toBe(true);
    }
    expect(taken).toBe(500);
  });

  it('sends a single item longer than the budget alone', () => {
    const b = batcher({ maxTokens: 64 });
    b.push(item('long', 200));
    b.push(item('short', 5));
    expect(ids(b.take(1000))).toEqual(['long']);
    expect(ids(b.take(1000))).toEqual(['short']);
  });

  it('keeps short items with short ones and long with long ones', () => {
    const b = batcher();
    for (let i = 0; i < 10; i++) {
      b.push(item(`s${i}`, 6));
      b.push(item(`l${i}`, 40));
    }
    expect(ids(b.take(1000))).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`));
    expect(ids(b.take(1000))).toEqual(Array.from({ length: 10 }, (_, i) => `l${i}`));
    expect(b.length).toBe(0);
  });

  it('without bucketing takes the oldest items in order while they fit (like max-batch-tokens)', () => {
    const b = batcher({ maxTokens: 100, bucketing: false });
    for (const [id, tokens] of [
      ['a', 5],
      ['b', 5],
      ['c', 40],
      ['d', 5],
    ] as const)
      b.push(item(id, tokens));
    expect(ids(b.take(1000))).toEqual(['a', 'b']);
    expect(ids(b.take(1000))).toEqual(['c', 'd']);
  });

  it('always puts the oldest queued item in the next batch', () => {
    const b = batcher({ maxTokens: 256 });
    const lengths = mixedLengths(400);
    const order: string[] = [];
    lengths.forEach((tokens, i) => {
      b.push(item(`i${i}`, tokens));
      order.push(`i${i}`);
    });
    const done = new Set<string>();
    while (b.length > 0) {
      const oldest = order.find((id) => !done.has(id));
      const batch = b.take(1000);
      expect(batch[0]?.id).toBe(oldest);
      for (const taken of batch) done.add(taken.id);
    }
  });

  it('does not starve a long item behind a steady stream of short ones', () => {
    const b = batcher({ maxBatch: 8, maxTokens: 1024 });
    for (let i = 0; i < 20; i++) b.push(item(`s${i}`, 6));
    b.push(item('long', 120));
    let takes = 0;
    let found = false;
    let next = 20;
    while (!found) {
      // Two short items arrive for each batch taken: the queue of short ones never runs dry.
      for (let k = 0; k < 2; k++) b.push(item(`s${next++}`, 6));
      // Everything queued has waited out maxDelay: every take is due.
      expect(b.isDue(100)).toBe(true);
      found = b.take(100).some((i) => i.id === 'long');
      takes++;
    }
    // The short items ahead of it go in ceil(20 / 8) batches (the last one filled with short items
    // younger than it, from its bucket), then it is the oldest and goes next.
    expect(takes).toBe(4);
  });

  it('is due once the oldest bucket fills the budget, not before (the delay still applies)', () => {
    // 16-token items: the budget of 48 holds 3.
    const b = batcher({ maxTokens: 48 });
    b.push(item('a', 16));
    b.push(item('b', 16));
    expect(b.isDue(0)).toBe(false);
    expect(b.msUntilDue(0)).toBe(100);
    b.push(item('c', 16));
    expect(b.isDue(0)).toBe(true);
    expect(ids(b.take(0))).toEqual(['a', 'b', 'c']);
  });

  it('is due when the oldest bucket reaches a preferred size, and then takes all that fits', () => {
    const b = batcher({ preferredSizes: [4] });
    for (let i = 0; i < 3; i++) b.push(item(`s${i}`, 6));
    b.push(item('l0', 40));
    expect(b.isDue(0)).toBe(false);
    b.push(item('s3', 6));
    expect(b.isDue(0)).toBe(true);
    b.push(item('s4', 6));
    expect(ids(b.take(0))).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(ids(b.take(100))).toEqual(['l0']);
  });

  it('flushes by maxDelay the oldest bucket only, leaving the others queued', () => {
    const b = batcher();
    b.push(item('s', 6, 0));
    b.push(item('l', 60, 50));
    expect(b.isDue(99)).toBe(false);
    expect(b.isDue(100)).toBe(true);
    expect(ids(b.take(100))).toEqual(['s']);
    expect(b.isDue(100)).toBe(false);
    expect(b.msUntilDue(100)).toBe(50);
  });

  it('flushes early for a deadline by the batch time of its padded tokens', () => {
    const b = batcher({ maxDelayMs: 10_000 });
    // 100 tokens → bucket bound 128: t = 0.1 · 128 + 10 = 22.8 ms before the deadline.
    b.push(item('a', 100, 0, { finishBy: 1000 }));
    expect(b.isDue(977)).toBe(false);
    expect(b.isDue(977.2)).toBe(true);
  });

  it('counts work in padded tokens for the batch-time model', () => {
    const b = batcher();
    expect(b.workOf([item('a', 5), item('b', 12), item('c', 7)])).toBe(36);
    const counting = new DynamicBatcher<Item>({ maxBatch: 32, maxDelayMs: 100 }, model());
    expect(counting.workOf([item('a', 5), item('b', 12), item('c', 7)])).toBe(3);
    expect(counting.fullBatchItems()).toBe(32);
  });

  it('keeps its bucket counts right through shed triage', () => {
    const b = new DynamicBatcher<Item>({ maxBatch: 4, maxDelayMs: 100, maxTokens: 64, policy: 'shed' }, model());
    b.push(item('late', 6, 0, { finishBy: 5 }));
    b.push(item('ok1', 6, 0));
    b.push(item('ok2', 6, 0));
    expect(ids(b.triage(0, 0, 1).shed)).toEqual(['late']);
    expect(b.isDue(0)).toBe(false);
    b.push(item('ok3', 6, 0));
    b.push(item('ok4', 6, 0));
    expect(b.isDue(0)).toBe(true);
    expect(ids(b.take(0))).toEqual(['ok1', 'ok2', 'ok3', 'ok4']);
  });

  it('rejects a token budget that is not a positive integer', () => {
    expect(() => batcher({ maxTokens: 0 })).toThrow(/batch.maxTokens must be an integer/);
    expect(() => batcher({ maxTokens: 1.5 })).toThrow(/batch.maxTokens/);
  });
});
