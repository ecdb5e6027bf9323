// The inference pool with real worker threads and the real ONNX runtime on the bundled model.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivepipeError } from '../../src/errors.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';
import { InferencePool, type PoolOptions } from '../../src/workers/local/inference-pool.js';
import type { InferenceResult } from '../../src/workers/pool/model-pool.js';
import { PoolRejection } from '../../src/workers/pool/pool-rejection.js';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { EXIT_TEXT } from '../fixtures/workers/exit-text.js';

const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment-mlp.yaml', import.meta.url));
const options: PoolOptions = { manifestPath, workers: 2, maxBatch: 32, maxDelayMs: 2, queueLimit: 10_000 };

const texts = [
  ...loadSentimentSentences()
    .slice(0, 490)
    .map((s) => s.text),
  'you absolute bastard',
  'what bullshit, fuck this',
  'GG! best stream ever',
  '',
  '🔥🔥🔥',
  'lol',
  'this is shit',
  'love you all <3',
  'who else is here from the clip?',
  'boring...',
];

function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

async function startError(pool: InferencePool): Promise<LivepipeError> {
  const outcome = await settle(pool.start());
  expect(outcome.error).toBeInstanceOf(LivepipeError);
  return outcome.error as LivepipeError;
}

describe('InferencePool', () => {
  let pool: InferencePool;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'livepipe-pool-'));
    pool = new InferencePool(options);
    await pool.start();
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('answers 500 inputs with two workers the same as one session in this thread, batching under load', async () => {
    expect(texts).toHaveLength(500);
    const results = await Promise.all(texts.map((text, i) => pool.infer({ id: `c${i}`, text })));

    const runner = await ModelRunner.open(await loadModelManifest(manifestPath));
    const direct = (await runner.run(texts)).results;
    await runner.close();

    results.forEach((result, i) => {
      const expected = direct[i]!;
      expect(result.id).toBe(`c${i}`);
      expect(result.scores.positive).toBeCloseTo(expected.scores.positive!, 5);
      expect(result.scores.negative).toBeCloseTo(expected.scores.negative!, 5);
      if (Math.abs(expected.scores.positive! - 0.5) > 1e-4) expect(result.label).toBe(expected.label);
      expect(result.moderation).toEqual(expected.moderation);
      expect(result.batchSize).toBeGreaterThanOrEqual(1);
      expect(result.queueMs).toBeGreaterThanOrEqual(0);
      expect(result.inferMs).toBeGreaterThan(0);
    });
    expect(results.filter((r) => r.moderation?.flagged).length).toBeGreaterThanOrEqual(3);

    const stats = pool.stats();
    expect(stats.workers).toBe(2);
    expect(stats.completed).toBe(500);
    expect(stats.rejected).toBe(0);
    expect(stats.queued).toBe(0);
    expect(stats.busy).toBe(0);
    expect(stats.meanBatchSize).toBeGreaterThan(1);
    expect(Math.max(...results.map((r) => r.batchSize))).toBeGreaterThan(1);
    expect(Math.max(...results.map((r) => r.batchSize))).toBeLessThanOrEqual(options.maxBatch);
  });

  it("rejects a failed worker's in-flight batch as worker-failed, replaces the worker and keeps answering", async () => {
    // Its threads run the real worker behind a test wrapper that ends the thread on EXIT_TEXT.
    const exiting = new InferencePool({
      ...options,
      // Batches go out only when full: with a 2 ms delay a loaded machine can take longer than that to
      // queue the 64 requests, and the first batch would leave with fewer than 32.
      maxDelayMs: 10_000,
      workerModule: new URL('../fixtures/workers/exiting-inference-worker.ts', import.meta.url),
    });
    await exiting.start();
    try {
      // Two full batches go out, one per idle worker: the first holds EXIT_TEXT, so its worker dies
      // with exactly that batch in flight, while the other worker answers the second.
      const batch = [EXIT_TEXT, ...texts.slice(1, 64)];
      const settled = await Promise.all(batch.map((text, i) => settle(exiting.infer({ id: `k${i}`, text }))));
      const failed = settled.slice(0, options.maxBatch);
      for (const outcome of failed) {
        expect(outcome.error).toBeInstanceOf(PoolRejection);
        expect((outcome.error as PoolRejection).reason).toBe('worker-failed');
        expect((outcome.error as PoolRejection).message).toMatch(/inference worker exited \(code 70\)/);
      }
      expect(settled.slice(options.maxBatch).every((o) => o.value !== undefined)).toBe(true);

      const stats = exiting.stats();
      expect(stats.rejectedBy['worker-failed']).toBe(options.maxBatch);
      expect(stats.completed).toBe(64 - options.maxBatch);
      expect(stats.restarts).toBe(1);

      const again = await exiting.infer({ id: 'after', text: 'still here?' });
      expect(again.id).toBe('after');
      await expect.poll(() => exiting.stats().workers, { timeout: 20_000 }).toBe(2);
    } finally {
      await exiting.close();
    }
  });

  it('rejects fast with queue-full beyond queueLimit and counts it', async () => {
    const small = new InferencePool({ ...options, workers: 1, maxBatch: 64, maxDelayMs: 50, queueLimit: 5 });
    await small.start();
    try {
      const settled = await Promise.all(
        texts.slice(0, 50).map((text, i) => settle(small.infer({ id: `q${i}`, text }))),
      );
      const full = settled.filter((o) => o.error instanceof PoolRejection && o.error.reason === 'queue-full');
      expect(full).toHaveLength(45);
      expect(settled.filter((o) => o.value !== undefined)).toHaveLength(5);
      expect(small.stats().rejectedBy['queue-full']).toBe(45);
      expect(small.stats().rejected).toBe(45);
    } finally {
      await small.close();
    }
  });

  it('signals backpressure above 3/4 of queueLimit and releases it once the queue drained to half', async () => {
    const paced = new InferencePool({ ...options, workers: 1, maxBatch: 4, maxDelayMs: 0, queueLimit: 40 });
    await paced.start();
    try {
      expect(paced.whenCapacity()).toBeUndefined();
      const pending = texts.slice(0, 40).map((text, i) => paced.infer({ id: `b${i}`, text }));
      const wait = paced.whenCapacity();
      expect(wait).toBeInstanceOf(Promise);
      let queuedAtRelease = -1;
      await wait!.then(() => (queuedAtRelease = paced.stats().queued));
      expect(queuedAtRelease).toBeLessThanOrEqual(20);
      await Promise.all(pending);
      expect(paced.whenCapacity()).toBeUndefined();
    } finally {
      await paced.close();
    }
  });

  it('answers everything queued on close(), then refuses new requests as closed', async () => {
    const slow = new InferencePool({ ...options, workers: 1, maxBatch: 1000, maxDelayMs: 60_000, queueLimit: 1000 });
    await slow.start();
    const pending = texts.slice(0, 100).map((text, i) => slow.infer({ id: `d${i}`, text }));
    expect(slow.stats().queued).toBe(100);
    await slow.close();
    const results: InferenceResult[] = await Promise.all(pending);
    expect(results.map((r) => r.id)).toEqual(texts.slice(0, 100).map((_, i) => `d${i}`));
    expect(slow.stats()).toMatchObject({ completed: 100, queued: 0, workers: 0 });

    const late = await settle(slow.infer({ id: 'late', text: 'hello?' }));
    expect((late.error as PoolRejection).reason).toBe('closed');
  });

  it('rejects start() with LP_MODEL_NOT_FOUND when the ONNX file is missing', async () => {
    writeFileSync(join(tmp, 'missing.yaml'), readFileSync(manifestPath, 'utf8'));
    const broken = new InferencePool({ ...options, workers: 1, manifestPath: join(tmp, 'missing.yaml') });
    const error = await startError(broken);
    expect(error.code).toBe('LP_MODEL_NOT_FOUND');
    expect(error.message).toContain('npm run models:build');
    expect((await settle(broken.infer({ id: 'x', text: 'x' }))).error).toBeInstanceOf(PoolRejection);
    await broken.close();
  });

  it('rejects start() with LP_MODEL_INVALID when the ONNX file is garbage', async () => {
    writeFileSync(join(tmp, 'garbage.yaml'), readFileSync(manifestPath, 'utf8').replace(/^sha256: .*\n/m, ''));
    writeFileSync(join(tmp, 'chat-sentiment-mlp.onnx'), Buffer.from('not an onnx model at all'));
    const broken = new InferencePool({ ...options, workers: 2, manifestPath: join(tmp, 'garbage.yaml') });
    const error = await startError(broken);
    expect(error.code).toBe('LP_MODEL_INVALID');
    expect(error.message).toContain(join(tmp, 'chat-sentiment-mlp.onnx'));
    await broken.close();
  });

  it('validates its options at construction', () => {
    expect(() => new InferencePool({ ...options, workers: 0 })).toThrow(/workers/);
    expect(() => new InferencePool({ ...options, maxDelayMs: -1 })).toThrow(/maxDelay/);
  });
});
