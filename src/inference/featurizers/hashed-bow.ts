// Hashed bag-of-words: the one featurizer implementation shared by model training
// (models/build-sentiment.ts) and inference, so a model never sees features it was not trained on.
import { z } from 'zod';
import type { Featurizer } from './featurizer.js';

export const hashedBowSpecSchema = z.strictObject({
  kind: z.literal('hashed-bow'),
  /** Vector width; a token's slot is its hash modulo dims. */
  dims: z
    .number()
    .int()
    .min(2)
    .max(1 << 24),
  /** n-gram orders to emit, e.g. [1, 2] for unigrams and bigrams. */
  ngrams: z.array(z.number().int().min(1).max(5)).min(1),
  /** FNV-1a over the UTF-8 bytes of the token (n-grams joined by one space). */
  hash: z.literal('fnv1a-32'),
  /** Signed hashing: bit 31 of the hash chooses +1 or -1, so collisions cancel instead of pile up. */
  signed: z.boolean().default(true),
  /** l2: divide by the vector's Euclidean norm; none: raw (signed) counts. */
  normalization: z.enum(['l2', 'none']).default('l2'),
  lowercase: z.boolean().default(true),
});

export type HashedBowSpec = z.output<typeof hashedBowSpecSchema>;

// Letters and digits, with apostrophes inside a word kept together ("don't" is one token).
const WORD = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu;
const APOSTROPHES = /['\u2019]/g;

/** Splits text into the tokens the featurizer hashes: apostrophes are dropped ("don't" → "dont"). */
export function tokenize(text: string, lowercase = true): string[] {
  const source = lowercase ? text.toLowerCase() : text;
  const tokens: string[] = [];
  WORD.lastIndex = 0;
  for (let match = WORD.exec(source); match !== null; match = WORD.exec(source)) {
    const word = match[0];
    tokens.push(word.includes("'") || word.includes('\u2019') ? word.replace(APOSTROPHES, '') : word);
  }
  return tokens;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit, continuing from `hash`, over the UTF-8 encoding of `text` (no intermediate buffer). */
export function fnv1a32(text: string, hash = FNV_OFFSET): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) {
      h = Math.imul(h ^ code, FNV_PRIME);
    } else if (code < 0x800) {
      h = Math.imul(h ^ (0xc0 | (code >> 6)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (code & 0x3f)), FNV_PRIME);
    } else if (code < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (code >> 12)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((code >> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (code & 0x3f)), FNV_PRIME);
    } else {
      h = Math.imul(h ^ (0xf0 | (code >> 18)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((code >> 12) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | ((code >> 6) & 0x3f)), FNV_PRIME);
      h = Math.imul(h ^ (0x80 | (code & 0x3f)), FNV_PRIME);
    }
  }
  return h >>> 0;
}

const SPACE = 0x20;

export function createHashedBowFeaturizer(spec: HashedBowSpec): Featurizer {
  const { dims, signed, lowercase } = spec;
  const orders = [...new Set(spec.ngrams)].sort((a, b) => a - b);
  const l2 = spec.normalization === 'l2';

  // Slots touched by the current text, so normalization visits tens of slots, not all of dims.
  const touched = new Int32Array(1024);
  const seen = new Uint8Array(dims);
  // Each token's own hash, computed once: it is the unigram and the seed of every n-gram it starts.
  let tokenHashes = new Uint32Array(256);

  return {
    dims,
    featurize(text: string, out: Float32Array, offset: number): void {
      out.fill(0, offset, offset + dims);
      const tokens = tokenize(text, lowercase);
      if (tokenHashes.length < tokens.length)
        tokenHashes = new Uint32Array(Math.max(tokens.length, tokenHashes.length * 2));
      for (let i = 0; i < tokens.length; i++) tokenHashes[i] = fnv1a32(tokens[i] as string);
      let count = 0;
      let overflow = false;
      for (const order of orders) {
        for (let start = 0; start + order <= tokens.length; start++) {
          // An n-gram hashes as its tokens joined by single spaces; tokens never contain a space.
          let hash = tokenHashes[start] as number;
          for (let k = 1; k < order; k++) {
            hash = fnv1a32(tokens[start + k] as string, Math.imul(hash ^ SPACE, FNV_PRIME));
          }
          const index = hash % dims;
          const slot = offset + index;
          out[slot] = (out[slot] as number) + (signed && hash & 0x80000000 ? -1 : 1);
          if (seen[index] === 0) {
            seen[index] = 1;
            if (count < touched.length) touched[count++] = index;
            else overflow = true;
          }
        }
      }
      let sum = 0;
      if (overflow) {
        seen.fill(0);
        if (l2) for (let i = offset; i < offset + dims; i++) sum += (out[i] as number) ** 2;
      } else {
        for (let i = 0; i < count; i++) {
          const index = touched[i] as number;
          seen[index] = 0;
          sum += (out[offset + index] as number) ** 2;
        }
      }
      if (!l2 || sum === 0) return;
      const scale = 1 / Math.sqrt(sum);
      if (overflow) {
        for (let i = offset; i < offset + dims; i++) out[i] = (out[i] as number) * scale;
      } else {
        for (let i = 0; i < count; i++) {
          const slot = offset + (touched[i] as number);
          out[slot] = (out[slot] as number) * scale;
        }
      }
    },
  };
}
