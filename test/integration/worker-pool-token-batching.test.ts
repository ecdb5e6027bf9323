// Token-aware batching through real worker threads: on a mixed-length chat workload, a pool with
// batch.maxTokens pads less than count-only batches, and every item still gets its own answer
// (bucketing reorders items). On the bundled model the tokens are the batcher's estimates; on the
// fetched MiniLM they are counted by its tokenizer in the workers.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';
import { ChatCorpus } from '../../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../../src/sources/generator/seeded-random.js';
import { InferencePool, type PoolOptions } from '../../src/workers/local/inference-pool.js';
import type { InferenceResult } from '../../src/workers/pool/model-pool.js';
import { fetchedModels, manifestPathOf } from './models-cache.js';

const bundled = fileURLToPath(new URL('../../models/chat-sentiment-mlp.yaml', import.meta.url));
const minilm = await fetchedModels('worker-pool-token-batching', ['minilm-l6-v2']);

/** Mostly short chat, a quarter review sentences, a few long multi-sentence messages; shuffled. */
function mixedWorkload(count: number): string[] {
  const chat = new ChatCorpus();
  const random = new SeededRandom(3);
  const sentences = loadSentimentSentences().map((s) => s.text);
  return Array.from({ length: count }, (_, i) => {
    const r = random.next();
    if (r < 0.7) return chat.compose(random).text;
    if (r < 0.95) return sentences[i % sentences.length] as string;
    return [0, 1, 2].map((k) => sentences[(i * 7 + k) % sentences.length]).join(' ');
  });
}

interface Run {
  results: InferenceResult[];
  /** Padding tokens / padded tokens. */
  waste: number;
  batches: number;
  tokenUnit: 'item' | 'token';
}

/** Cosine of two unit vectors. */
function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] as number) * (b[k] as number);
  return sum;
}

async function runWorkload(options: PoolOptions, texts: readonly string[]): Promise<Run> {
  const pool = new InferencePool(options);
  await pool.start();
  try {
    // All at once: batches are as full as their rules let them be.
    const results = await Promise.all(texts.map((text, i) => pool.infer({ id: `m${i}`, text })));
    const { tokens, batches, batchTimeUnit } = pool.stats();
    return { results, waste: (tokens.padded - tokens.real) / tokens.padded, batches, tokenUnit: batchTimeUnit };
  } finally {
    await pool.close();
  }
}

const base = { workers: 1, maxBatch: 32, maxDelayMs: 5, queueLimit: 10_000 };
const texts = mixedWorkload(800);

describe('InferencePool with batch.maxTokens', () => {
  it('pads less than count-only batches on mixed-length chat and answers every item as before', async () => {
    const counted = await runWorkload({ ...base, manifestPath: bundled }, texts);
    const tokenAware = await runWorkload({ ...base, manifestPath: bundled, maxTokens: 512 }, texts);
    console.info(
      `bundled model, estimated tokens: padding waste ${counted.waste.toFixed(3)} count-only ` +
        `(${counted.batches} batches) vs ${tokenAware.waste.toFixed(3)} with maxTokens 512 (${tokenAware.batches} batches)`,
    );
    expect(counted.tokenUnit).toBe('item');
    expect(tokenAware.tokenUnit).toBe('token');
    expect(tokenAware.waste).toBeLessThan(counted.waste / 2);
    // Bucketing reorders items; each must still get the answer to its own text.
    expect(tokenAware.results.map((r) => [r.id, r.label, r.score])).toEqual(
      counted.results.map((r) => [r.id, r.label, r.score]),
    );
    for (const result of tokenAware.results) expect(result.batchSize).toBeLessThanOrEqual(32);
  }, 60_000);
});

describe.skipIf(minilm === undefined)('InferencePool with batch.maxTokens on MiniLM', () => {
  it('pads less than count-only batches, by the tokenizer’s own counts, with its own embedding for each item', async () => {
    const manifestPath = manifestPathOf('minilm-l6-v2');
    const sample = texts.slice(0, 400);
    const counted = await runWorkload({ ...base, manifestPath }, sample);
    const tokenAware = await runWorkload({ ...base, manifestPath, maxTokens: 512 }, sample);
    console.info(
      `MiniLM, tokenizer counts: padding waste ${counted.waste.toFixed(3)} count-only ` +
        `(${counted.batches} batches) vs ${tokenAware.waste.toFixed(3)} with maxTokens 512 (${tokenAware.batches} batches)`,
    );
    expect(tokenAware.waste).toBeLessThan(counted.waste / 2);
    // Each item gets its own text's vector: near the one computed alone, without padding (the
    // quantized model's activations shift a little with a batch's padding, see models-embedding).
    const runner = await ModelRunner.open(await loadModelManifest(manifestPath));
    let countedSum = 0;
    let tokenAwareSum = 0;
    try {
      for (let i = 0; i < sample.length; i++) {
        const [alone] = await runner.embed([sample[i] as string]);
        expect(tokenAware.results[i]?.id).toBe(`m${i}`);
        const own = dot(alone as Float32Array, tokenAware.results[i]?.embedding as Float32Array);
        expect(own).toBeGreaterThan(0.95);
        tokenAwareSum += own;
        countedSum += dot(alone as Float32Array, counted.results[i]?.embedding as Float32Array);
      }
    } finally {
      await runner.close();
    }
    console.info(
      `MiniLM, mean cosine to the unpadded vector: ${(countedSum / sample.length).toFixed(4)} count-only, ` +
        `${(tokenAwareSum / sample.length).toFixed(4)} with maxTokens`,
    );
  }, 120_000);
});
