// BatchingPool's lifecycle and bookkeeping over a backend that runs batches in this test: it hands
// each due batch to a list the test answers or fails by hand.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { LivepipeError } from '../../../../src/errors.js';
import {
  BatchingPool,
  type BatchingOptions,
  type BatchTokenCounts,
  type PendingItem,
  type PoolCounts,
} from '../../../../src/workers/pool/batching-pool.js';
import { KNATIVE_DEFAULTS } from '../../../../src/workers/autoscale/kpa.js';
import { PoolRejection } from '../../../../src/workers/pool/pool-rejection.js';

class HandPool extends BatchingPool {
  readonly handed: PendingItem[][] = [];
  workers = 1;
  wakes = 0;
  released = false;
  openError: Error | undefined;
  /** When set, open() waits for it (a slow model load). */
  opening: Promise<void> | undefined;

  constructor(options: Partial<BatchingOptions> = {}) {
    super('hand pool', { maxBatch: 4, maxDelayMs: 0, queueLimit: 8, ...options });
  }

  protected async open(): Promise<void> {
    await Promise.resolve();
    await this.opening;
    if (this.openError !== undefined) throw this.openError;
  }
  protected async abandon(): Promise<void> {}
  protected async release(): Promise<void> {
    this.released = true;
  }
  /** While set, nothing leaves the batcher unless dispatchOne() takes it (every worker busy). */
  held = false;

  protected pump(): void {
    if (this.state !== 'running' && this.state !== 'closing') return;
    if (this.held && this.state === 'running') return;
    const now = performance.now();
    while (this.batcher.length > 0 && (this.state === 'closing' || this.batcher.isDue(now))) {
      const items = this.takeBatch(now);
      this.handOff(items, now);
      this.handed.push(items);
    }
    this.checkDrained();
  }
  protected scaledToZero(): boolean {
    return this.workers === 0;
  }
  protected wake(): void {
    this.wakes++;
    this.workers = 1;
  }
  readyWorkers(): number {
    return this.workers;
  }
  queuedItems(): number {
    return this.batcher.length;
  }
  coldStartMs(): number {
    return 0;
  }
  protected setSize(workers: number): void {
    this.workers = workers;
  }
  stats(): PoolCounts & { workers: number; busy: number; queued: number } {
    return { ...this.counts(), workers: this.workers, busy: this.handed.length, queued: this.batcher.length };
  }

  /** Answers the oldest handed batch, as a worker that started it at startedAt would. */
  finish(startedAt = performance.now(), counted?: BatchTokenCounts): void {
    const items = this.handed.shift()!;
    const results = items.map(() => ({ label: 'positive', score: 1, scores: { positive: 1 } }));
    this.answer(items, results, startedAt, 1, 1, counted);
  }

  /** Hands the next batch on, as a worker that just became free would take it. */
  dispatchOne(): void {
    const now = performance.now();
    const items = this.takeBatch(now);
    this.handOff(items, now);
    this.handed.push(items);
    this.checkDrained();
  }

  /** What the backend's wake timer would do once maxDelay has passed. */
  pumpNow(): void {
    this.pump();
  }

  get autoscalerRunning(): boolean {
    return this.autoscaler?.running ?? false;
  }

  fail(message: string): void {
    this.failHandedOff(this.handed.shift()!, message);
  }
}

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (error: unknown) => (error as PoolRejection).reason,
  );

const autoscale = {
  ...KNATIVE_DEFAULTS,
  min: 1,
  max: 2,
  targetConcurrency: 8,
  budgetPrediction: false,
  tickMs: 2000,
};

describe('BatchingPool', () => {
  it('does not start its autoscaler when close() came during the start', async () => {
    const pool = new HandPool({ autoscale });
    let loaded!: () => void;
    pool.opening = new Promise((resolve) => (loaded = resolve));
    const started = pool.start();
    const closed = pool.close();
    loaded();
    await started;
    await closed;
    expect(pool.autoscalerRunning).toBe(false);
  });

  it('counts the time an item waits in the batcher as load', async () => {
    const pool = new HandPool({ maxDelayMs: 120 });
    await pool.start();
    pool.takeLoadSample(performance.now());
    const answer = pool.infer({ id: 'waits', text: 'hi' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    pool.pumpNow();
    expect(pool.handed).toHaveLength(1);
    pool.finish();
    await answer;
    // One item was waiting or running the whole time: about 1 (taking the batch before counting lost the wait).
    expect(pool.takeLoadSample(performance.now()).concurrency).toBeGreaterThan(0.9);
    await pool.close();
  });

  it('answers a handed-on batch with its results and counts it', async () => {
    const pool = new HandPool();
    await pool.start();
    const answers = Promise.all([1, 2].map((n) => pool.infer({ id: `a${n}`, text: 'hi' })));
    expect(pool.handed).toHaveLength(2);
    pool.finish();
    pool.finish();
    const results = await answers;
    expect(results.map((result) => [result.id, result.batchSize, result.late])).toEqual([
      ['a1', 1, false],
      ['a2', 1, false],
    ]);
    expect(pool.stats()).toMatchObject({ completed: 2, batches: 2, meanBatchSize: 1, rejected: 0 });
  });

  it('on close() answers what it holds before releasing the backend, then refuses requests as closed', async () => {
    const pool = new HandPool({ maxDelayMs: 60_000 });
    await pool.start();
    const queued = pool.infer({ id: 'q', text: 'wait' });
    const closed = pool.close();
    expect(pool.handed).toHaveLength(1);
    expect(pool.released).toBe(false);
    pool.finish();
    await closed;
    expect(pool.released).toBe(true);
    expect((await queued).id).toBe('q');
    const late = await pool.infer({ id: 'late', text: 'x' }).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(PoolRejection);
    expect(late).toMatchObject({ code: 'LP_POOL_REJECTED', reason: 'closed' });
  });

  it('rejects what was queued as worker-failed when the backend fails to open, and stays failed', async () => {
    const pool = new HandPool();
    pool.openError = new LivepipeError('LP_WORKER_FAILED', 'no model');
    const starting = pool.start();
    const queued = reasonOf(pool.infer({ id: 'early', text: 'x' }));
    await expect(starting).rejects.toThrow('no model');
    expect(await queued).toBe('worker-failed');
    // A failed pool says so (worker-failed), not 'closed': callers branch on the reason.
    expect(await reasonOf(pool.infer({ id: 'after', text: 'x' }))).toBe('worker-failed');
    await expect(pool.start()).rejects.toMatchObject({ code: 'LP_PIPELINE_STATE' });
    await pool.close();
  });

  it('sheds beyond queueLimit with queue-full, counted', async () => {
    const pool = new HandPool({ maxBatch: 4, maxDelayMs: 60_000, queueLimit: 3 });
    await pool.start();
    const outcomes = [1, 2, 3, 4].map((n) => reasonOf(pool.infer({ id: `s${n}`, text: 'x' })));
    expect(await outcomes[3]).toBe('queue-full');
    const closing = pool.close();
    pool.finish();
    await closing;
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['answered', 'answered', 'answered']);
    expect(pool.stats()).toMatchObject({ rejected: 1, rejectedBy: { 'queue-full': 1 } });
  });

  it('rejects the items of a batch whose worker failed as worker-failed, counted', async () => {
    const pool = new HandPool({ maxBatch: 2, maxDelayMs: 60_000 });
    await pool.start();
    const outcomes = [1, 2].map((n) => reasonOf(pool.infer({ id: `f${n}`, text: 'x' })));
    pool.fail('worker died');
    expect(await Promise.all(outcomes)).toEqual(['worker-failed', 'worker-failed']);
    expect(pool.stats().rejectedBy['worker-failed']).toBe(2);
    await pool.close();
  });

  it('wakes a pool scaled to zero for a request, counting the activation', async () => {
    const pool = new HandPool();
    await pool.start();
    pool.workers = 0;
    const answer = pool.infer({ id: 'w', text: 'x' });
    expect(pool.wakes).toBe(1);
    pool.finish();
    await answer;
    expect(pool.stats().activations).toBe(1);
  });

  it('takes a resize only to a whole number of workers', () => {
    const pool = new HandPool();
    pool.resize(3);
    expect(pool.workers).toBe(3);
    expect(() => pool.resize(-1)).toThrow('HandPool.resize() takes an integer >= 0, got -1');
    expect(() => pool.resize(1.5)).toThrow(/integer/);
  });

  it('flags and counts an item handed to a worker after its queue budget as late', async () => {
    const late: number[] = [];
    const pool = new HandPool({
      queueBudgetMs: 5,
      events: {
        onDeadlineOutcome: (outcome, count) => {
          if (outcome === 'late') late.push(count);
        },
      },
    });
    await pool.start();
    const answer = pool.infer({ id: 'slow', text: 'x' });
    pool.finish(performance.now() + 10);
    expect((await answer).late).toBe(true);
    expect(pool.stats().deadline.late).toBe(1);
    expect(late).toEqual([1]);
  });

  it('asks sources to wait from 3/4 of queueLimit and lets them go at half, not before', async () => {
    // queueLimit 8: wait from 6 items queued, release at 4. Each item leaves as its own batch.
    const pool = new HandPool({ maxBatch: 1, maxDelayMs: 0, queueLimit: 8 });
    pool.held = true;
    await pool.start();
    const answers = Array.from({ length: 6 }, (_, i) => pool.infer({ id: `b${i}`, text: 'x' }));
    expect(pool.whenCapacity()).toBeInstanceOf(Promise);
    let released = false;
    void pool.whenCapacity()?.then(() => {
      released = true;
    });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    pool.dispatchOne(); // 5 queued: still above half
    await settle();
    expect(released).toBe(false);
    pool.dispatchOne(); // 4 queued: half of queueLimit
    await settle();
    expect(released).toBe(true);
    expect(pool.whenCapacity()).toBeUndefined();
    pool.held = false;
    pool.pumpNow();
    while (pool.handed.length > 0) pool.finish();
    await Promise.all(answers);
    await pool.close();
  });

  it('counts tokens per batch: estimated, or as the worker counted them, and reports them', async () => {
    const reported: Array<[number, number]> = [];
    const pool = new HandPool({
      maxDelayMs: 60_000,
      maxTokens: 64,
      bucketing: false,
      events: { onBatchTokens: (t, p) => reported.push([t, p]) },
    });
    await pool.start();
    // Estimates: 2 special tokens + 1 and + 3 word pieces; closing flushes them as one batch.
    const answers = [pool.infer({ id: 'a', text: 'gg' }), pool.infer({ id: 'b', text: 'nice play bro' })];
    const closing = pool.close();
    pool.finish();
    await Promise.all([closing, ...answers]);
    expect(reported).toEqual([[3 + 5, 2 * 5]]);
    expect(pool.stats()).toMatchObject({ tokens: { real: 8, padded: 10 }, batchTimeUnit: 'token' });
  });

  it('corrects its token estimates towards the counts the workers send back', async () => {
    const pool = new HandPool({ maxBatch: 1, maxTokens: 1024 });
    await pool.start();
    // 'nice play bro' is estimated at 5 tokens; the worker's tokenizer says 10, every time.
    for (let i = 0; i < 40; i++) {
      const answer = pool.infer({ id: `i${i}`, text: 'nice play bro' });
      pool.finish(performance.now(), { tokenCounts: [10], sequenceLength: 10 });
      await answer;
    }
    void pool.infer({ id: 'next', text: 'nice play bro' });
    expect(pool.handed[0]?.[0]?.tokens).toBeGreaterThanOrEqual(9);
    expect(pool.stats().tokens).toEqual({ real: 400, padded: 400 });
    pool.finish();
    await pool.close();
  });
});
