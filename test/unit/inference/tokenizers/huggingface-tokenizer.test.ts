// The tokenizer wrapper on two small tokenizer.json files written for these tests (a BERT-style
// WordPiece and a RoBERTa-style byte-level BPE). The expected ids were produced by Hugging Face's
// Rust tokenizers (@anush008/tokenizers 0.6.0), so these tests cross-check the two implementations.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LivepipeError } from '../../../../src/errors.js';
import { HuggingFaceTokenizer } from '../../../../src/inference/tokenizers/huggingface-tokenizer.js';
import type { TokenizedBatch } from '../../../../src/inference/tokenizers/text-tokenizer.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../fixtures/tokenizers/${name}`, import.meta.url));
const wordPiece = JSON.parse(readFileSync(fixture('tiny-wordpiece.json'), 'utf8')) as unknown;
const bpe = JSON.parse(readFileSync(fixture('tiny-bpe.json'), 'utf8')) as unknown;

/** Row `row` of a tensor, unpadded to `length` when given, as plain numbers. */
function row(tensor: BigInt64Array, batch: TokenizedBatch, index: number, length = batch.sequenceLength): number[] {
  const start = index * batch.sequenceLength;
  return Array.from(tensor.subarray(start, start + length), Number);
}

describe('HuggingFaceTokenizer', () => {
  describe('WordPiece (BERT template: [CLS] text [SEP])', () => {
    const tokenizer = new HuggingFaceTokenizer(wordPiece, { maxLength: 64 });
    it.each([
      ['the stream is lagging', [2, 5, 6, 7, 8, 9, 3]],
      ['streams keep freezing!', [2, 6, 10, 27, 24, 26, 15, 3]],
      ['what a great play', [2, 13, 14, 11, 12, 3]],
      ['主播卡了吗？', [2, 17, 18, 19, 20, 21, 1, 3]],
      ['666', [2, 22, 23, 23, 3]],
      ["Café don't gg lol", [2, 28, 30, 29, 31, 32, 33, 34, 3]],
      ['', [2, 3]],
    ])('encodes %j as the Rust tokenizer does', (text, ids) => {
      const batch = tokenizer.encodeBatch([text]);
      expect(row(batch.inputIds, batch, 0)).toEqual(ids);
      expect(tokenizer.countTokens(text)).toBe(ids.length);
    });

    it('pads a batch to its longest text with attention 0 and returns each real length', () => {
      const texts = ['what a great play', '666', 'streams keep freezing!'];
      const batch = tokenizer.encodeBatch(texts);
      expect(batch.batchSize).toBe(3);
      expect(batch.sequenceLength).toBe(8);
      expect(Array.from(batch.tokenCounts)).toEqual([6, 5, 8]);
      expect(batch.inputIds).toBeInstanceOf(BigInt64Array);
      expect(batch.inputIds.length).toBe(24);
      expect(row(batch.inputIds, batch, 1)).toEqual([2, 22, 23, 23, 3, 0, 0, 0]);
      expect(row(batch.attentionMask, batch, 1)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
      expect(row(batch.attentionMask, batch, 2)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
      expect(Array.from(batch.tokenTypeIds, Number).every((t) => t === 0)).toBe(true);
    });

    it('truncates to max length and keeps the closing special token, as Rust truncation does', () => {
      const short = new HuggingFaceTokenizer(wordPiece, { maxLength: 5 });
      const batch = short.encodeBatch(['the stream is lagging again', 'gg']);
      expect(batch.sequenceLength).toBe(5);
      expect(row(batch.inputIds, batch, 0)).toEqual([2, 5, 6, 7, 3]);
      expect(row(batch.inputIds, batch, 1)).toEqual([2, 32, 3, 0, 0]);
      expect(Array.from(batch.tokenCounts)).toEqual([5, 3]);
      expect(short.countTokens('the stream is lagging again')).toBe(5);
    });

    it('returns empty tensors for an empty batch', () => {
      const batch = tokenizer.encodeBatch([]);
      expect(batch).toMatchObject({ batchSize: 0, sequenceLength: 0 });
      expect(batch.inputIds.length).toBe(0);
    });
  });

  describe('byte-level BPE (RoBERTa template: <s> text </s>, <pad> = 1)', () => {
    const tokenizer = new HuggingFaceTokenizer(bpe, { maxLength: 64 });
    it.each([
      ['the stream is lagging', [0, 33, 23, 11, 8, 39, 41, 45, 47, 2]],
      ['streams keep freezing!', [0, 39, 22, 33, 14, 8, 8, 19, 33, 9, 49, 8, 29, 47, 30, 2]],
      ["Café don't gg lol", [0, 33, 3, 4, 9, 3, 3, 33, 7, 18, 17, 32, 23, 33, 43, 33, 15, 18, 15, 2]],
      ['', [0, 2]],
    ])('encodes %j as the Rust tokenizer does', (text, ids) => {
      const batch = tokenizer.encodeBatch([text]);
      expect(row(batch.inputIds, batch, 0)).toEqual(ids);
    });

    it('pads with the tokenizer pad id, not 0', () => {
      const batch = tokenizer.encodeBatch(['the stream is lagging', '']);
      expect(row(batch.inputIds, batch, 1)).toEqual([0, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
      expect(row(batch.attentionMask, batch, 1)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    });

    it('truncates as Rust truncation does', () => {
      const batch = new HuggingFaceTokenizer(bpe, { maxLength: 5 }).encodeBatch(['the stream is lagging again']);
      expect(row(batch.inputIds, batch, 0)).toEqual([0, 33, 23, 11, 2]);
    });
  });

  it('refuses a max length that leaves no room between the special tokens', () => {
    expect(() => new HuggingFaceTokenizer(wordPiece, { maxLength: 2 })).toThrow(LivepipeError);
  });

  it('reports a missing tokenizer file as LP_MODEL_NOT_FOUND with its path', async () => {
    const error = await HuggingFaceTokenizer.fromFile('/nonexistent/tokenizer.json', { maxLength: 16 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'LP_MODEL_NOT_FOUND' });
    expect((error as Error).message).toContain('/nonexistent/tokenizer.json');
  });

  it('reports a file that is not a tokenizer.json as LP_MODEL_INVALID', () => {
    expect(() => new HuggingFaceTokenizer({ model: { type: 'Nonsense' } }, { maxLength: 16, file: 'x.json' })).toThrow(
      /x\.json/,
    );
  });
});
