// Throughput of the inference pool on the bundled model: 1 vs 2 workers at maxBatch 1 and 32,
// with a closed loop of outstanding requests. Prints each case, then saves all under bench/results/micro/
// (the harness's embedded-e2e ceiling measures the same pool fed back-to-back).
// Run: node --import tsx bench/micro/inference-pool.ts [items=20000] [outstanding=512]
import { fileURLToPath } from 'node:url';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { InferencePool } from '../../src/workers/local/inference-pool.js';
import { saveMicroBenchmark } from '../harness/micro-benchmark-output.js';

const items = Number(process.argv[2] ?? 20_000);
const outstanding = Number(process.argv[3] ?? 512);
const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment.yaml', import.meta.url));
const texts = loadSentimentSentences().map((s) => s.text);

async function measure(workers: number, maxBatch: number): Promise<Record<string, number>> {
  const pool = new InferencePool({ manifestPath, workers, maxBatch, maxDelayMs: 2, queueLimit: outstanding * 2 });
  const startupStarted = performance.now();
  await pool.start();
  const startupMs = performance.now() - startupStarted;

  let next = 0;
  let queueMsTotal = 0;
  const run = async (): Promise<void> => {
    while (next < items) {
      const i = next++;
      const result = await pool.infer({ id: String(i), text: texts[i % texts.length] as string });
      queueMsTotal += result.queueMs;
    }
  };
  // Warm up the sessions and the JIT, then measure.
  await Promise.all(texts.slice(0, 500).map((text, i) => pool.infer({ id: `w${i}`, text })));
  const started = performance.now();
  await Promise.all(Array.from({ length: outstanding }, run));
  const seconds = (performance.now() - started) / 1000;
  const stats = pool.stats();
  await pool.close();
  const result = {
    workers,
    maxBatch,
    items,
    outstanding,
    itemsPerSecond: Math.round(items / seconds),
    meanBatchSize: Number(stats.meanBatchSize.toFixed(2)),
    meanQueueMs: Number((queueMsTotal / items).toFixed(3)),
    startupMs: Math.round(startupMs),
  };
  console.error(JSON.stringify(result));
  return result;
}

const cases: Array<Record<string, number>> = [];
for (const maxBatch of [1, 32]) {
  for (const workers of [1, 2]) cases.push(await measure(workers, maxBatch));
}
await saveMicroBenchmark('inference-pool', cases);
