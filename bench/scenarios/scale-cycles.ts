// Memory over scale cycles: a pool taken 0 → 2 → 0 workers N times, once terminating workers and
// once parking them for reuse, with RSS after each cycle (`autoscale.ts --cycles N`).
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { InferencePool } from '../../src/workers/local/inference-pool.js';
import { round } from '../harness/rounding.js';
import { SURGE_MODEL_MANIFEST } from './surge-plan.js';

export interface ScaleCycleResult {
  variant: string;
  cycles: number;
  coldStarts: number;
  reused: number;
  meanColdStartMs: number;
  rssStartMiB: number;
  rssEndMiB: number | undefined;
  rssGrowthMiB: number;
  rssMiB: number[];
}

export async function measureScaleCycles(cycles: number): Promise<ScaleCycleResult[]> {
  const texts = loadSentimentSentences().map((s) => s.text);
  const variants = [
    { name: 'terminate (parkMs 0)', parkMs: 0, maxParked: 0 },
    { name: 'park and reuse (parkMs 60 s, maxParked 2)', parkMs: 60_000, maxParked: 2 },
  ];
  const out = [];
  for (const variant of variants) {
    const pool = new InferencePool({
      manifestPath: SURGE_MODEL_MANIFEST,
      workers: 1,
      maxBatch: 32,
      maxDelayMs: 2,
      queueLimit: 100_000,
      parkMs: variant.parkMs,
      maxParked: variant.maxParked,
    });
    await pool.start();
    pool.resize(0);
    const rssMiB: number[] = [];
    const startRss = rssNow();
    for (let c = 0; c < cycles; c++) {
      pool.resize(2);
      while (pool.stats().workers < 2) await sleep(5);
      await Promise.all(texts.slice(0, 200).map((text, i) => pool.infer({ id: `c${c}-${i}`, text })));
      pool.resize(0);
      while (pool.stats().workers + pool.stats().starting > 0) await sleep(5);
      await sleep(50);
      rssMiB.push(rssNow());
    }
    const stats = pool.stats();
    await pool.close();
    out.push({
      variant: variant.name,
      cycles,
      coldStarts: stats.coldStarts,
      reused: stats.reused,
      meanColdStartMs: round(stats.meanColdStartMs, 1),
      rssStartMiB: startRss,
      rssEndMiB: rssMiB[rssMiB.length - 1],
      rssGrowthMiB: round((rssMiB[rssMiB.length - 1] ?? startRss) - startRss, 1),
      rssMiB,
    });
    await sleep(500);
  }
  return out;
}

function rssNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return round(process.memoryUsage().rss / 2 ** 20, 1);
}
