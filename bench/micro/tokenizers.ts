// Tokenizer choice by measurement: @huggingface/tokenizers (pure JS) against @anush008/tokenizers
// (Hugging Face's Rust tokenizers through N-API) on the fetched models' tokenizer.json files.
// 1. Agreement: token ids of both on generator chat, the UCI sentences and Chinese chat, and
//    livepipe's wrapper (truncation done by hand) against Rust's own truncation.
// 2. Speed: tokens/s per text and per batch of 32, plus the first load, in this process.
// Run: npm run models:fetch && node --import tsx bench/micro/tokenizers.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Tokenizer as RustTokenizer } from '@anush008/tokenizers';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { CHINESE_CHAT_LINES } from '../../models/chinese-chat-lines.js';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { modelCacheDir } from '../../src/inference/fetch/model-source.js';
import { HuggingFaceTokenizer } from '../../src/inference/tokenizers/huggingface-tokenizer.js';
import { ChatCorpus } from '../../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../../src/sources/generator/seeded-random.js';
import { saveMicroBenchmark } from '../harness/micro-benchmark-output.js';

const ROUNDS = 7;
const BATCH = 32;
/** Short enough that many UCI sentences are cut: checks the wrapper's truncation against Rust's. */
const TRUNCATE_AT = 16;

/** Texts that stress normalisation and added tokens, beside the corpora. */
const EDGE_CASES = [
  '',
  '   ',
  'Café naïve résumé — ÀÉÎÕÜ',
  "don't won't y'all",
  'lol [CLS] hi [SEP] [MASK] [UNK]',
  '🔥🔥🔥 gg ez 💯',
  'https://example.com/watch?v=abc123&t=42s',
  '@streamer #hype $5 100% 3.14 1,000,000',
  'ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３',
  'Ünïcödé\u200bzero\u00a0width\tand\ttabs\nnewline',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  'Ελληνικά Русский 日本語 한국어 العربية',
];

function generatorChat(count: number): string[] {
  const corpus = new ChatCorpus();
  const random = new SeededRandom(1);
  return Array.from({ length: count }, () => corpus.compose(random).text);
}

const corpora: Record<string, string[]> = {
  generatorChat: generatorChat(2000),
  uciSentences: loadSentimentSentences().map((s) => s.text),
  chineseChat: [...CHINESE_CHAT_LINES],
  edgeCases: EDGE_CASES,
};

interface Candidate {
  model: string;
  file: string;
  maxLength: number;
  /** The corpora its speed is measured on, and how many times each is repeated (for a long enough pass). */
  speedCorpora: string[];
  speedRepeat: number;
}

const candidates: Candidate[] = [
  {
    model: 'minilm-l6-v2',
    file: join(modelCacheDir('minilm-l6-v2'), 'tokenizer.json'),
    maxLength: 256,
    speedCorpora: ['generatorChat', 'uciSentences'],
    speedRepeat: 1,
  },
  {
    model: 'bge-small-zh-v15',
    file: join(modelCacheDir('bge-small-zh-v15'), 'tokenizer.json'),
    maxLength: 512,
    speedCorpora: ['chineseChat'],
    speedRepeat: 50,
  },
];

function sameIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

/**
 * Median over ROUNDS of one pass of `run` over the texts: tokens per wall second, and per CPU second
 * of the whole process (all threads). Other work on a shared machine slows the first, not the second.
 */
async function measure(
  run: () => Promise<number> | number,
): Promise<{ tokensPerSecond: number; tokensPerCpuSecond: number; cpuPerWall: number }> {
  await run(); // warm-up (JIT, caches)
  const rates: number[] = [];
  const cpuRates: number[] = [];
  const cpuShares: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const tokens = await run();
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    rates.push((tokens / wall) * 1000);
    cpuRates.push((tokens / cpuMs) * 1000);
    cpuShares.push(cpuMs / wall);
  }
  return {
    tokensPerSecond: Math.round(median(rates)),
    tokensPerCpuSecond: Math.round(median(cpuRates)),
    cpuPerWall: Math.round(median(cpuShares) * 100) / 100,
  };
}

async function compare(candidate: Candidate) {
  const json = JSON.parse(readFileSync(candidate.file, 'utf8')) as object;
  // Load time: the first construction in this process, then the median of a few more.
  const loadMs = (load: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const started = performance.now();
      load();
      times.push(performance.now() - started);
    }
    return { first: Math.round(times[0] as number), median: Math.round(median(times.slice(1))) };
  };
  const jsLoadMs = loadMs(() => new JsTokenizer(JSON.parse(readFileSync(candidate.file, 'utf8')) as object, {}));
  const rustLoadMs = loadMs(() => RustTokenizer.fromFile(candidate.file));
  const js = new JsTokenizer(json, {});
  const rust = RustTokenizer.fromFile(candidate.file);
  // The exported MiniLM tokenizer.json pads to 128 and truncates; compare raw encodings.
  rust.disablePadding();
  rust.disableTruncation();
  const wrapper = new HuggingFaceTokenizer(json, { maxLength: TRUNCATE_AT, file: candidate.file });
  const rustTruncating = RustTokenizer.fromFile(candidate.file);
  rustTruncating.disablePadding();
  rustTruncating.setTruncation(TRUNCATE_AT);

  const agreement: Record<string, unknown> = {};
  for (const [name, texts] of Object.entries(corpora)) {
    let same = 0;
    let truncatedSame = 0;
    let truncated = 0;
    let tokens = 0;
    const mismatches: Array<{ text: string; js: number[]; rust: number[] }> = [];
    const wrapped = wrapper.encodeBatch(texts);
    for (const [i, text] of texts.entries()) {
      const jsIds: number[] = js.encode(text).ids;
      const rustIds = (await rust.encode(text)).getIds();
      tokens += rustIds.length;
      if (sameIds(jsIds, rustIds)) same++;
      else if (mismatches.length < 5) mismatches.push({ text, js: jsIds, rust: rustIds });
      // The wrapper's row i, unpadded, against Rust's own truncation.
      const count = wrapped.tokenCounts[i] as number;
      const row = Array.from(
        wrapped.inputIds.subarray(i * wrapped.sequenceLength, i * wrapped.sequenceLength + count),
        Number,
      );
      const rustTruncated = (await rustTruncating.encode(text)).getIds();
      if (rustIds.length > TRUNCATE_AT) truncated++;
      if (sameIds(row, rustTruncated)) truncatedSame++;
    }
    agreement[name] = {
      texts: texts.length,
      tokens,
      identicalIds: same,
      identicalShare: same / texts.length,
      [`wrapperVsRustTruncatedAt${TRUNCATE_AT}`]: truncatedSame,
      textsLongerThanTruncation: truncated,
      mismatches,
    };
  }

  const once = candidate.speedCorpora.flatMap((name) => corpora[name] as string[]);
  const texts = Array.from({ length: candidate.speedRepeat }, () => once).flat();
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) batches.push(texts.slice(i, i + BATCH));
  const serving = new HuggingFaceTokenizer(json, { maxLength: candidate.maxLength });

  const speed = {
    texts: texts.length,
    jsEncodePerText: await measure(() => {
      let n = 0;
      for (const text of texts) n += js.encode(text).ids.length;
      return n;
    }),
    rustEncodePerText: await measure(async () => {
      let n = 0;
      for (const text of texts) n += (await rust.encode(text)).getLength();
      return n;
    }),
    rustEncodeBatch32Parallel: await measure(async () => {
      let n = 0;
      for (const batch of batches) for (const encoding of await rust.encodeBatch(batch)) n += encoding.getLength();
      return n;
    }),
    rustEncodeBatch32OneThread: await (async () => {
      // The Rust library reads TOKENIZERS_PARALLELISM on each batch: one thread, as a worker would want.
      process.env.TOKENIZERS_PARALLELISM = 'false';
      try {
        return await measure(async () => {
          let n = 0;
          for (const batch of batches) for (const encoding of await rust.encodeBatch(batch)) n += encoding.getLength();
          return n;
        });
      } finally {
        delete process.env.TOKENIZERS_PARALLELISM;
      }
    })(),
    livepipeWrapperBatch32ToInt64: await measure(() => {
      let n = 0;
      for (const batch of batches) for (const count of serving.encodeBatch(batch).tokenCounts) n += count;
      return n;
    }),
  };
  return {
    model: candidate.model,
    tokenizerJson: candidate.file,
    loadMs: { js: jsLoadMs, rust: rustLoadMs },
    agreement,
    speed,
  };
}

const results = [];
for (const candidate of candidates) {
  try {
    readFileSync(candidate.file);
  } catch {
    console.error(`${candidate.file} is missing: run \`npm run models:fetch\` first`);
    process.exit(1);
  }
  results.push(await compare(candidate));
}
await saveMicroBenchmark('tokenizers', {
  note: 'tokens/s include special tokens; cpuPerWall > 1 means more than one core was busy',
  rounds: ROUNDS,
  batch: BATCH,
  results,
});
