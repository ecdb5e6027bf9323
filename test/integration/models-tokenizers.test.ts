// livepipe's tokenizer wrapper (@huggingface/tokenizers) on the fetched models' tokenizer.json,
// against Hugging Face's Rust tokenizers (@anush008/tokenizers): ids taken from the Rust
// implementation for a few strings, then both run side by side on chat, reviews and Chinese chat.
import { Tokenizer as RustTokenizer } from '@anush008/tokenizers';
import { describe, expect, it } from 'vitest';
import { CHINESE_CHAT_LINES } from '../../models/chinese-chat-lines.js';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import type { TransformerModelManifest } from '../../src/inference/model-manifest.js';
import { HuggingFaceTokenizer } from '../../src/inference/tokenizers/huggingface-tokenizer.js';
import { ChatCorpus } from '../../src/sources/generator/chat-corpus.js';
import { SeededRandom } from '../../src/sources/generator/seeded-random.js';
import { fetchedModels } from './models-cache.js';

const manifests = (await fetchedModels('models-tokenizers', ['minilm-l6-v2', 'bge-small-zh-v15'])) as
  | TransformerModelManifest[]
  | undefined;

/** Ids from @anush008/tokenizers 0.6.0 (Rust tokenizers 0.22) with padding and truncation off. */
const KNOWN: Record<string, Array<[string, number[]]>> = {
  'minilm-l6-v2': [
    ['the stream is lagging', [101, 1996, 5460, 2003, 2474, 12588, 102]],
    ["Don't GG yet!! 🔥🔥 lol", [101, 2123, 1005, 1056, 1043, 2290, 2664, 999, 999, 100, 8840, 2140, 102]],
    ['主播好厉害666', [101, 1747, 100, 100, 100, 100, 5764, 2575, 102]],
    ['café naïve résumé', [101, 7668, 15743, 13746, 102]],
  ],
  'bge-small-zh-v15': [
    ['主播好厉害666', [101, 712, 3064, 1962, 1326, 2154, 11186, 102]],
    ['卡了吗？？', [101, 1305, 749, 1408, 8043, 8043, 102]],
    ["Don't GG yet!! 🔥🔥 lol", [101, 100, 112, 162, 100, 167, 8418, 106, 106, 8103, 21125, 8817, 102]],
    ['the stream is lagging', [101, 8174, 8811, 11714, 8310, 8515, 9949, 8221, 102]],
  ],
};

function corpus(): string[] {
  const chat = new ChatCorpus();
  const random = new SeededRandom(7);
  return [
    ...Array.from({ length: 400 }, () => chat.compose(random).text),
    ...loadSentimentSentences()
      .filter((_, i) => i % 10 === 0)
      .map((s) => s.text),
    ...CHINESE_CHAT_LINES,
  ];
}

function rowIds(batch: ReturnType<HuggingFaceTokenizer['encodeBatch']>, row: number): number[] {
  const start = row * batch.sequenceLength;
  return Array.from(batch.inputIds.subarray(start, start + (batch.tokenCounts[row] as number)), Number);
}

describe.skipIf(manifests === undefined)('tokenizers of the pretrained models', () => {
  for (const manifest of manifests ?? []) {
    describe(manifest.name, () => {
      it.each(KNOWN[manifest.name]!)('encodes %j with the ids of the Rust tokenizer', async (text, ids) => {
        const tokenizer = await HuggingFaceTokenizer.fromFile(manifest.tokenizerPath, {
          maxLength: manifest.maxLength,
        });
        expect(rowIds(tokenizer.encodeBatch([text]), 0)).toEqual(ids);
      });

      it.each([manifest.maxLength, 16])(
        'agrees with the Rust tokenizer on chat, reviews and Chinese chat, truncating at %i',
        async (maxLength) => {
          const ours = await HuggingFaceTokenizer.fromFile(manifest.tokenizerPath, { maxLength });
          const rust = RustTokenizer.fromFile(manifest.tokenizerPath);
          rust.disablePadding();
          rust.setTruncation(maxLength);
          const texts = corpus();
          const batch = ours.encodeBatch(texts);
          const differing: string[] = [];
          for (const [row, text] of texts.entries()) {
            if (JSON.stringify(rowIds(batch, row)) !== JSON.stringify((await rust.encode(text)).getIds()))
              differing.push(text);
          }
          expect(differing).toEqual([]);
        },
      );
    });
  }
});
