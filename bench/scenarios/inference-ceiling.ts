// The inference ceiling: the same model in the same number of worker threads, fed back-to-back
// (maxDelay 0, enough requests outstanding to fill every batch), at its best batch size.
import { performance } from 'node:perf_hooks';
import { InferencePool } from '../../src/workers/local/inference-pool.js';
import type { Progress } from '../harness/progress.js';

export interface InferenceCeiling {
  itemsPerSecond: number;
  bestBatch: number;
  byBatch: Array<{ maxBatch: number; itemsPerSecond: number; meanBatchSize: number }>;
}

export async function measureInferenceCeiling(options: {
  manifestPath: string;
  workers: number;
  batchSizes: number[];
  durationMs: number;
  texts: (i: number) => string;
  progress: Progress;
}): Promise<InferenceCeiling> {
  const byBatch: InferenceCeiling['byBatch'] = [];
  for (const maxBatch of options.batchSizes) {
    const outstanding = Math.max(64, options.workers * maxBatch * 4);
    const pool = new InferencePool({
      manifestPath: options.manifestPath,
      workers: options.workers,
      maxBatch,
      maxDelayMs: 0,
      queueLimit: outstanding * 2,
    });
    await pool.start();
    let next = 0;
    let stopAt = Infinity;
    let completed = 0;
    const loop = async (): Promise<void> => {
      while (performance.now() < stopAt) {
        const i = next++;
        await pool.infer({ id: String(i), text: options.texts(i) });
        completed++;
      }
    };
    // Warm-up: sessions, JIT, batch-time model.
    stopAt = performance.now() + Math.min(300, options.durationMs / 3);
    await Promise.all(Array.from({ length: outstanding }, loop));
    completed = 0;
    const started = performance.now();
    stopAt = started + options.durationMs;
    await Promise.all(Array.from({ length: outstanding }, loop));
    const itemsPerSecond = (completed / (performance.now() - started)) * 1000;
    const meanBatchSize = pool.stats().meanBatchSize;
    await pool.close();
    byBatch.push({
      maxBatch,
      itemsPerSecond: Math.round(itemsPerSecond),
      meanBatchSize: Math.round(meanBatchSize * 10) / 10,
    });
    options.progress.step(`ceiling: batch ${maxBatch} → ${Math.round(itemsPerSecond)} items/s`);
  }
  const best = byBatch.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a));
  return { itemsPerSecond: best.itemsPerSecond, bestBatch: best.maxBatch, byBatch };
}
