// Hugging Face tokenizer.json (WordPiece, BPE, Unigram) through @huggingface/tokenizers, the pure-JS
// port by Hugging Face (chosen by measurement: models/README.md#tokenizers). It runs synchronously
// in the calling thread, so a worker tokenizes its own batches and starts no threads of its own.
//
// Truncation and padding are done here, not by the library: a text is encoded without special
// tokens, cut to fit, and wrapped in the special tokens the post-processor puts around a single
// text (found once, from a probe), which is what Hugging Face's Rust tokenizer does for one text.
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { Tokenizer } from '@huggingface/tokenizers';
import { LivepipeError } from '../../errors.js';
import type { TextTokenizer, TokenizedBatch } from './text-tokenizer.js';

export interface HuggingFaceTokenizerOptions {
  /** Longest sequence, special tokens included. */
  maxLength: number;
  /** Contents of tokenizer_config.json, when the export has one. */
  tokenizerConfig?: Record<string, unknown>;
  /** Named in error messages. */
  file?: string;
}

const PROBE = 'hello world';
// Writing ids through a 32-bit view of the int64 buffer avoids a BigInt per token; ids are
// non-negative and below 2^31, so the high word stays 0 on a little-endian machine.
const LITTLE_ENDIAN = endianness() === 'LE';

interface Wrapping {
  prefix: number[];
  suffix: number[];
  prefixTypes: number[];
  suffixTypes: number[];
  contentType: number;
}

export class HuggingFaceTokenizer implements TextTokenizer {
  readonly maxLength: number;
  private readonly tokenizer: Tokenizer;
  private readonly wrapping: Wrapping;
  private readonly padId: number;
  /** Room for content between the special tokens. */
  private readonly contentRoom: number;

  constructor(tokenizerJson: unknown, options: HuggingFaceTokenizerOptions) {
    const file = options.file ?? 'tokenizer.json';
    try {
      this.tokenizer = new Tokenizer(tokenizerJson as object, options.tokenizerConfig ?? {});
    } catch (error) {
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `${file} is not a tokenizer.json this version can read: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    this.wrapping = findWrapping(this.tokenizer, file);
    const specials = this.wrapping.prefix.length + this.wrapping.suffix.length;
    if (!Number.isInteger(options.maxLength) || options.maxLength <= specials) {
      throw new LivepipeError(
        'LP_MODEL_INVALID',
        `max length ${options.maxLength} leaves no room for text between ${specials} special tokens (${file})`,
      );
    }
    this.maxLength = options.maxLength;
    this.contentRoom = options.maxLength - specials;
    this.padId = padTokenId(tokenizerJson, this.tokenizer);
  }

  static async fromFile(
    path: string,
    options: Omit<HuggingFaceTokenizerOptions, 'file'>,
  ): Promise<HuggingFaceTokenizer> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LivepipeError(
        code === 'ENOENT' ? 'LP_MODEL_NOT_FOUND' : 'LP_MODEL_INVALID',
        code === 'ENOENT'
          ? `tokenizer ${path} does not exist`
          : `tokenizer ${path} is not JSON: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return new HuggingFaceTokenizer(json, { ...options, file: path });
  }

  /** The text's token ids without special tokens, cut to what fits between them. */
  private content(text: string): number[] {
    const ids: number[] = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return ids.length > this.contentRoom ? ids.slice(0, this.contentRoom) : ids;
  }

  countTokens(text: string): number {
    return this.content(text).length + this.wrapping.prefix.length + this.wrapping.suffix.length;
  }

  encodeBatch(texts: readonly string[]): TokenizedBatch {
    const batchSize = texts.length;
    const contents: number[][] = new Array(batchSize);
    const tokenCounts = new Int32Array(batchSize);
    const { prefix, suffix, prefixTypes, suffixTypes, contentType } = this.wrapping;
    let sequenceLength = 0;
    for (let i = 0; i < batchSize; i++) {
      const content = this.content(texts[i] as string);
      contents[i] = content;
      const count = prefix.length + content.length + suffix.length;
      tokenCounts[i] = count;
      if (count > sequenceLength) sequenceLength = count;
    }

    const size = batchSize * sequenceLength;
    const inputIds = new BigInt64Array(size);
    const attentionMask = new BigInt64Array(size);
    const tokenTypeIds = new BigInt64Array(size);
    const ids = int64Writer(inputIds);
    const mask = int64Writer(attentionMask);
    const types = int64Writer(tokenTypeIds);
    for (let row = 0; row < batchSize; row++) {
      const content = contents[row] as number[];
      let at = row * sequenceLength;
      for (let k = 0; k < prefix.length; k++, at++) {
        ids(at, prefix[k] as number);
        types(at, prefixTypes[k] as number);
        mask(at, 1);
      }
      for (let k = 0; k < content.length; k++, at++) {
        ids(at, content[k] as number);
        if (contentType !== 0) types(at, contentType);
        mask(at, 1);
      }
      for (let k = 0; k < suffix.length; k++, at++) {
        ids(at, suffix[k] as number);
        types(at, suffixTypes[k] as number);
        mask(at, 1);
      }
      // Padding: attention 0 and type 0 are already there (fresh buffers are zero).
      if (this.padId !== 0) for (const end = (row + 1) * sequenceLength; at < end; at++) ids(at, this.padId);
    }
    return { batchSize, sequenceLength, inputIds, attentionMask, tokenTypeIds, tokenCounts };
  }
}

function int64Writer(target: BigInt64Array): (index: number, value: number) => void {
  if (LITTLE_ENDIAN) {
    const words = new Int32Array(target.buffer, target.byteOffset, target.length * 2);
    return (index, value) => {
      words[index * 2] = value;
    };
  }
  return (index, value) => {
    target[index] = BigInt(value);
  };
}

/** The special tokens the post-processor puts before and after one text, read off a probe. */
function findWrapping(tokenizer: Tokenizer, file: string): Wrapping {
  const bare: number[] = tokenizer.encode(PROBE, { add_special_tokens: false }).ids;
  const full = tokenizer.encode(PROBE, { add_special_tokens: true, return_token_type_ids: true });
  const types = full.token_type_ids ?? new Array<number>(full.ids.length).fill(0);
  for (let start = 0; start + bare.length <= full.ids.length; start++) {
    if (bare.every((id, k) => full.ids[start + k] === id)) {
      const end = start + bare.length;
      return {
        prefix: full.ids.slice(0, start),
        suffix: full.ids.slice(end),
        prefixTypes: types.slice(0, start),
        suffixTypes: types.slice(end),
        contentType: types[start] ?? 0,
      };
    }
  }
  throw new LivepipeError(
    'LP_MODEL_INVALID',
    `${file}: its post-processor does more than put special tokens around a text; such tokenizers are not supported`,
  );
}

function padTokenId(json: unknown, tokenizer: Tokenizer): number {
  const padding = (json as { padding?: { pad_id?: unknown } | null }).padding;
  if (padding !== null && padding !== undefined && typeof padding.pad_id === 'number') return padding.pad_id;
  for (const token of ['[PAD]', '<pad>', '<|padding|>']) {
    const id = tokenizer.token_to_id(token);
    if (id !== undefined) return id;
  }
  return 0;
}
