// Speed of the fetched pretrained encoders through livepipe's text-embedding kind (tokenize + ONNX
// run + pooling), one session on one thread (intraOpNumThreads=1, as a pool worker runs it):
// ms per message at batch 1, and messages/s at batch 32 with short (16 tokens) and long (32 tokens)
// messages, and with messages of mixed length in arrival order, every batch padded to its longest.
// Run: npm run models:fetch && node --import tsx bench/micro/text-encoders.ts [--batches N]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CHINESE_CHAT_LINES } from '../../models/chinese-chat-lines.js';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import type { TransformerModelManifest } from '../../src/inference/model-manifest.js';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';
import { HuggingFaceTokenizer } from '../../src/inference/tokenizers/huggingface-tokenizer.js';
import { ChatCorpus } from '../../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../../src/sources/generator/seeded-random.js';
import { saveMicroBenchmark } from '../harness/micro-benchmark-output.js';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '30' } } });
const BATCHES = Number(values.batches);
const BATCH = 32;
const SINGLE_MESSAGES = 200;
const WARM_UP = 3;
/** Token counts, special tokens included: exact, so a batch's padded length is the message length. */
const SHORT: [number, number] = [16, 16];
const LONG: [number, number] = [32, 32];
/** Mixed: the corpus as it comes, 4 to 64 tokens, so padding to the longest costs what it costs. */
const MIXED: [number, number] = [4, 64];

const modelsDir = new URL('../../models/', import.meta.url);

/** Candidate English texts: generator chat and the UCI review sentences. */
function englishTexts(): string[] {
  const chat = new ChatCorpus();
  const random = new SeededRandom(11);
  const generated = Array.from({ length: 4000 }, () => chat.compose(random).text);
  const texts = [...generated, ...loadSentimentSentences().map((s) => s.text)];
  // Shuffled once (seeded), so the mixed batches mix short chat with long reviews.
  for (let i = texts.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [texts[i], texts[j]] = [texts[j] as string, texts[i] as string];
  }
  return texts;
}

/** Chinese chat lines are short; joined with a comma they reach the lengths measured. */
function chineseTexts(): string[] {
  const random = new SeededRandom(12);
  const texts: string[] = [...CHINESE_CHAT_LINES];
  for (let i = 0; i < 4000; i++) {
    const parts = Array.from({ length: 1 + random.int(6) }, () => random.pick(CHINESE_CHAT_LINES));
    texts.push(parts.join('，'));
  }
  return texts;
}

/** `count` texts whose token count (special tokens included) lies in [low, high], cycling if needed. */
function withTokens(tokenizer: HuggingFaceTokenizer, pool: string[], [low, high]: [number, number], count: number) {
  const fitting = pool.filter((text) => {
    const tokens = tokenizer.countTokens(text);
    return tokens >= low && tokens <= high;
  });
  if (fitting.length === 0) throw new Error(`no text with ${low}-${high} tokens`);
  return {
    distinct: fitting.length,
    texts: Array.from({ length: count }, (_, i) => fitting[i % fitting.length] as string),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function measureBatches(runner: ModelRunner, texts: string[]) {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) batches.push(texts.slice(i, i + BATCH));
  for (const batch of batches.slice(0, WARM_UP)) await runner.run(batch);
  let padded = 0;
  let real = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) {
    const run = await runner.run(batch);
    padded += (run.sequenceLength ?? 0) * batch.length;
    for (const count of run.tokenCounts ?? []) real += count;
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  return {
    messages: texts.length,
    messagesPerSecond: round((texts.length / wallMs) * 1000, 0),
    messagesPerCpuSecond: round((texts.length / cpuMs) * 1000, 0),
    msPerBatch: round(wallMs / batches.length),
    meanRealTokens: round(real / texts.length, 1),
    meanPaddedLength: round(padded / texts.length, 1),
    cpuPerWall: round(cpuMs / wallMs),
  };
}

async function measureModel(name: string, pool: string[]) {
  const manifest = (await loadModelManifest(new URL(`${name}.yaml`, modelsDir).pathname)) as TransformerModelManifest;
  const openStarted = performance.now();
  const runner = await ModelRunner.open(manifest, { intraOpNumThreads: 1 });
  const openMs = performance.now() - openStarted;
  const tokenizer = await HuggingFaceTokenizer.fromFile(manifest.tokenizerPath, { maxLength: manifest.maxLength });
  try {
    const short = withTokens(tokenizer, pool, SHORT, BATCH * BATCHES);
    const long = withTokens(tokenizer, pool, LONG, BATCH * BATCHES);
    const mixed = withTokens(tokenizer, pool, MIXED, BATCH * BATCHES);

    // Batch 1: one message per run, as an idle pool answers a lone comment.
    for (const text of short.texts.slice(0, 10)) await runner.run([text]);
    const single: number[] = [];
    for (const text of short.texts.slice(0, SINGLE_MESSAGES)) {
      const started = performance.now();
      await runner.run([text]);
      single.push(performance.now() - started);
    }
    single.sort((a, b) => a - b);

    return {
      model: name,
      openMs: round(openMs, 0),
      batch1Short: {
        messages: single.length,
        medianMs: round(percentile(single, 0.5)),
        p90Ms: round(percentile(single, 0.9)),
      },
      batch32Short: { distinctTexts: short.distinct, ...(await measureBatches(runner, short.texts)) },
      batch32Long: { distinctTexts: long.distinct, ...(await measureBatches(runner, long.texts)) },
      batch32Mixed: { distinctTexts: mixed.distinct, ...(await measureBatches(runner, mixed.texts)) },
    };
  } finally {
    await runner.close();
  }
}

const results = [];
for (const [name, pool] of [
  ['minilm-l6-v2', englishTexts()],
  ['bge-small-zh-v15', chineseTexts()],
] as const) {
  try {
    results.push(await measureModel(name, pool));
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exit(1);
  }
}
await saveMicroBenchmark('text-encoders', {
  note: 'one ONNX session, intraOpNumThreads=1; each batch padded to its longest message; tokenize + run + pool',
  batch: BATCH,
  batches: BATCHES,
  shortTokens: SHORT,
  longTokens: LONG,
  mixedTokens: MIXED,
  results,
});
