// The batcher's token estimate (src/workers/batching/token-estimate.ts) against the real
// tokenizers of the fetched models, on the generator's chat and the Chinese chat lines: the error
// the token budget of a batch is planned with.
import { describe, expect, it } from 'vitest';
import { CHINESE_CHAT_LINES } from '../../models/chinese-chat-lines.js';
import type { TransformerModelManifest } from '../../src/inference/model-manifest.js';
import { HuggingFaceTokenizer } from '../../src/inference/tokenizers/huggingface-tokenizer.js';
import { ChatCorpus } from '../../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../../src/sources/generator/seeded-random.js';
import { estimateTokens } from '../../src/workers/batching/token-estimate.js';
import { fetchedModels } from './models-cache.js';

const manifests = (await fetchedModels('models-token-estimate', ['minilm-l6-v2', 'bge-small-zh-v15'])) as
  | TransformerModelManifest[]
  | undefined;

interface EstimateError {
  /** Mean |estimate − real| in tokens. */
  meanAbsolute: number;
  /** (Σ estimate − Σ real) / Σ real: how far a batch's total is off. */
  bias: number;
}

async function errorOf(manifest: TransformerModelManifest, texts: readonly string[]): Promise<EstimateError> {
  const tokenizer = await HuggingFaceTokenizer.fromFile(manifest.tokenizerPath, { maxLength: manifest.maxLength });
  let absolute = 0;
  let real = 0;
  let estimated = 0;
  for (const text of texts) {
    const count = tokenizer.countTokens(text);
    const estimate = estimateTokens(text);
    absolute += Math.abs(estimate - count);
    real += count;
    estimated += estimate;
  }
  return { meanAbsolute: absolute / texts.length, bias: (estimated - real) / real };
}

const chat = new ChatCorpus();
const random = new SeededRandom(11);
const englishChat = Array.from({ length: 2000 }, () => chat.compose(random).text);

describe.skipIf(manifests === undefined)('the token estimate against the real tokenizers', () => {
  const [minilm, bgeZh] = manifests ?? [];

  it('is within a token on average of MiniLM on the generator chat, and unbiased within 5 %', async () => {
    const error = await errorOf(minilm as TransformerModelManifest, englishChat);
    console.info(`MiniLM, generator chat: ${JSON.stringify(error)}`);
    expect(error.meanAbsolute).toBeLessThan(1);
    expect(Math.abs(error.bias)).toBeLessThan(0.05);
  });

  it('is within half a token on average of bge-small-zh on Chinese chat', async () => {
    const error = await errorOf(bgeZh as TransformerModelManifest, CHINESE_CHAT_LINES);
    console.info(`bge-small-zh, Chinese chat: ${JSON.stringify(error)}`);
    expect(error.meanAbsolute).toBeLessThan(0.5);
    expect(Math.abs(error.bias)).toBeLessThan(0.05);
  });
});
