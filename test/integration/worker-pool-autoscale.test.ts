// The elastic inference pool with real worker threads and the real ONNX runtime: resize, autoscale
// under a burst, scale to zero and activation, worker reuse, and the deadline policies end to end.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import type { AutoscaleOptions } from '../../src/workers/autoscale/autoscaler.js';
import { InferencePool, type PoolOptions } from '../../src/workers/local/inference-pool.js';
import type { ScaleDecision } from '../../src/workers/autoscale/kpa.js';
import { PoolRejection } from '../../src/workers/pool/pool-rejection.js';

const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment-mlp.yaml', import.meta.url));
const texts = loadSentimentSentences()
  .slice(0, 200)
  .map((s) => s.text);
const base: PoolOptions = { manifestPath, workers: 1, maxBatch: 8, maxDelayMs: 1, queueLimit: 100_000 };

/** Short windows so that a test sees a whole cycle in seconds. */
const fastScale: AutoscaleOptions = {
  min: 1,
  max: 2,
  targetConcurrency: 8,
  targetUtilization: 0.5,
  stableWindowMs: 1500,
  panicWindowPercentage: 20,
  panicThreshold: 2,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  scaleToZeroGracePeriodMs: 200,
  tickMs: 100,
  budgetPrediction: false,
};

function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('InferencePool, elastic', () => {
  const pools: InferencePool[] = [];
  const track = (pool: InferencePool) => {
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  it('resize() starts workers with measured cold starts, parks one on the way down and reuses it on the way up', async () => {
    const pool = track(new InferencePool({ ...base, maxParked: 1, parkMs: 60_000 }));
    await pool.start();
    pool.resize(3);
    await expect.poll(() => pool.stats().workers, { timeout: 30_000 }).toBe(3);
    let stats = pool.stats();
    expect(stats.coldStarts).toBe(3);
    expect(stats.meanColdStartMs).toBeGreaterThan(0);

    pool.resize(1);
    await expect.poll(() => pool.stats().parked + pool.stats().workers, { timeout: 10_000 }).toBe(2);
    stats = pool.stats();
    expect(stats).toMatchObject({ workers: 1, parked: 1, desiredWorkers: 1 });

    pool.resize(2);
    stats = pool.stats();
    expect(stats).toMatchObject({ workers: 2, parked: 0, reused: 1, coldStarts: 3 });
    const results = await Promise.all(texts.slice(0, 50).map((text, i) => pool.infer({ id: `r${i}`, text })));
    expect(results.map((r) => r.id)).toEqual(texts.slice(0, 50).map((_, i) => `r${i}`));
  });

  it('grows under a burst and shrinks back after it, with the decisions recorded', async () => {
    const decisions: ScaleDecision[] = [];
    const pool = track(
      new InferencePool({
        ...base,
        autoscale: fastScale,
        parkMs: 0,
        events: { onScaleDecision: (d) => decisions.push(d) },
      }),
    );
    await pool.start();
    expect(pool.stats().workers).toBe(1);

    // A closed loop keeping 256 requests in flight: concurrency far above 4 per worker.
    let stop = false;
    let answered = 0;
    const client = async () => {
      for (let i = 0; !stop; i++) {
        await pool.infer({ id: `b${i}`, text: texts[i % texts.length] as string });
        answered++;
      }
    };
    const clients = Array.from({ length: 256 }, client);
    await expect.poll(() => pool.stats().workers, { timeout: 20_000 }).toBe(2);
    stop = true;
    await Promise.all(clients);
    expect(answered).toBeGreaterThan(0);
    const up = decisions.find((d) => d.desired === 2);
    expect(up?.reason).toMatch(/^kpa-(panic|stable)$|^max-scale$/);

    await expect.poll(() => pool.stats().workers, { timeout: 20_000 }).toBe(1);
    const down = decisions.findLast((d) => d.desired === 1);
    expect(['kpa-stable', 'min-scale']).toContain(down?.reason);
    expect(pool.stats().rejected).toBe(0);
  });

  it('scales to zero when idle, then activates on the first request (a cold start) and answers it', async () => {
    const pool = track(new InferencePool({ ...base, autoscale: { ...fastScale, min: 0 }, parkMs: 0 }));
    await pool.start();
    await pool.infer({ id: 'warm', text: 'hello' });
    await expect.poll(() => pool.stats().workers + pool.stats().starting, { timeout: 20_000 }).toBe(0);
    expect(pool.stats().lastDecision?.reason).toBe('to-zero');
    const before = pool.stats();

    const result = await pool.infer({ id: 'first', text: 'GG! best stream ever' });
    expect(result.id).toBe('first');
    expect(['positive', 'negative']).toContain(result.label);
    const after = pool.stats();
    expect(after.activations - before.activations).toBe(1);
    expect(after.coldStarts - before.coldStarts).toBe(1);
    // The request waited for the worker to load its model.
    expect(result.queueMs).toBeGreaterThanOrEqual(after.lastColdStartMs * 0.5);
  });

  it('activates from zero by taking back a parked worker instead of a cold start', async () => {
    const pool = track(new InferencePool({ ...base, parkMs: 60_000 }));
    await pool.start();
    pool.resize(0);
    expect(pool.stats()).toMatchObject({ workers: 0, parked: 1 });
    const result = await pool.infer({ id: 'p', text: 'love you all <3' });
    expect(result.id).toBe('p');
    expect(pool.stats()).toMatchObject({ activations: 1, reused: 1, coldStarts: 1, workers: 1 });
  });

  it('shed: rejects every item already past its deadline with reason deadline and counts each', async () => {
    const pool = track(new InferencePool({ ...base, deadlinePolicy: 'shed' }));
    await pool.start();
    const settled = await Promise.all(
      texts.slice(0, 10).map((text, i) => settle(pool.infer({ id: `s${i}`, text }, { deadlineMs: Date.now() - 1 }))),
    );
    expect(settled.every((o) => o.error instanceof PoolRejection && o.error.reason === 'deadline')).toBe(true);
    const ok = await pool.infer({ id: 'on-time', text: 'hi' }, { deadlineMs: Date.now() + 60_000 });
    expect(ok.late).toBe(false);
    expect(pool.stats().deadline).toEqual({ shed: 10, conflated: 0, late: 0 });
    expect(pool.stats().rejectedBy.deadline).toBe(10);
  });

  it('conflate: answers the oldest (already running) and the newest of a key, conflating those in between', async () => {
    const pool = track(new InferencePool({ ...base, deadlinePolicy: 'conflate' }));
    await pool.start();
    const settled = await Promise.all(
      texts
        .slice(0, 10)
        .map((text, i) =>
          settle(pool.infer({ id: `c${i}`, text }, { deadlineMs: Date.now() - 1, conflationKey: 'stream-1' })),
        ),
    );
    const answered = settled.flatMap((o) => (o.value ? [o.value.id] : []));
    expect(answered).toEqual(['c0', 'c9']);
    const conflated = settled.filter((o) => o.error instanceof PoolRejection && o.error.reason === 'conflated');
    expect(conflated).toHaveLength(8);
    expect(pool.stats().deadline).toEqual({ shed: 0, conflated: 8, late: 2 });
  });

  it('deliver-late: answers items past their deadline, marked and counted late', async () => {
    const pool = track(new InferencePool({ ...base, deadlinePolicy: 'deliver-late' }));
    await pool.start();
    const results = await Promise.all(
      texts.slice(0, 5).map((text, i) => pool.infer({ id: `l${i}`, text }, { deadlineMs: Date.now() - 1 })),
    );
    expect(results.every((r) => r.late)).toBe(true);
    expect(pool.stats().deadline).toEqual({ shed: 0, conflated: 0, late: 5 });
  });
});
