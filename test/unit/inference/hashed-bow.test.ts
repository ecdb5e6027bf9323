import { describe, expect, it } from 'vitest';
import {
  createHashedBowFeaturizer,
  fnv1a32,
  hashedBowSpecSchema,
  tokenize,
} from '../../../src/inference/featurizers/hashed-bow.js';
import { featurizerKind } from '../../../src/inference/featurizers/featurizer-registry.js';

const spec = hashedBowSpecSchema.parse({ kind: 'hashed-bow', dims: 4096, ngrams: [1, 2], hash: 'fnv1a-32' });

function vector(text: string, dims = spec.dims, options: Partial<typeof spec> = {}): Float32Array {
  const featurizer = createHashedBowFeaturizer({ ...spec, dims, ...options });
  const out = new Float32Array(featurizer.dims);
  featurizer.featurize(text, out, 0);
  return out;
}

function nonZero(values: Float32Array): number {
  return values.reduce((count, v) => count + (v !== 0 ? 1 : 0), 0);
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    // "é" is C3 A9 in UTF-8: two FNV rounds by hand.
    let h = 0x811c9dc5;
    for (const byte of [0xc3, 0xa9]) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(h);
  });

  it('continues a hash so that "a b" equals hashing "a", a space, then "b"', () => {
    expect(fnv1a32('b', Math.imul(fnv1a32('a') ^ 0x20, 0x01000193))).toBe(fnv1a32('a b'));
  });
});

describe('tokenize', () => {
  it('lower-cases, splits on non-letters and drops apostrophes inside words', () => {
    expect(tokenize("Don't STOP—it’s 10x better!! Café")).toEqual(['dont', 'stop', 'its', '10x', 'better', 'café']);
  });

  it('returns no tokens for punctuation only', () => {
    expect(tokenize('?!... --- :)')).toEqual([]);
  });
});

describe('hashed-bow featurizer', () => {
  it('gives the same vector for the same text every time', () => {
    expect(vector('what a great stream')).toEqual(vector('what a great stream'));
  });

  it('ignores case and punctuation around words', () => {
    expect(vector('What a GREAT stream!!!')).toEqual(vector('what a great stream'));
  });

  it('gives different texts different vectors', () => {
    expect(vector('what a great stream')).not.toEqual(vector('what a boring stream'));
  });

  it('is sensitive to word order through bigrams but not with unigrams only', () => {
    expect(vector('good not bad')).not.toEqual(vector('bad not good'));
    expect(vector('good not bad', 4096, { ngrams: [1] })).toEqual(vector('bad not good', 4096, { ngrams: [1] }));
  });

  it('writes exactly dims values and leaves the rest of the buffer alone', () => {
    const featurizer = createHashedBowFeaturizer({ ...spec, dims: 16 });
    const out = new Float32Array(48).fill(7);
    featurizer.featurize('one two three four five six seven', out, 16);
    expect(Array.from(out.subarray(0, 16))).toEqual(new Array(16).fill(7));
    expect(Array.from(out.subarray(32))).toEqual(new Array(16).fill(7));
    expect(out.subarray(16, 32).every((v) => v !== 7)).toBe(true);
  });

  it('produces unit-length vectors under l2 normalization', () => {
    const values = vector('the chat is on fire tonight, love it');
    const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it('produces signed counts without normalization', () => {
    const values = vector('hype hype hype', 4096, { ngrams: [1], normalization: 'none' });
    expect(nonZero(values)).toBe(1);
    expect(Math.abs(values.find((v) => v !== 0) ?? 0)).toBe(3);
  });

  it('emits one slot per distinct n-gram when nothing collides', () => {
    // 4 unigrams + 3 bigrams, all distinct; 2^20 slots make a collision very unlikely.
    expect(nonZero(vector('alpha beta gamma delta', 1 << 20))).toBe(7);
  });

  it('puts each unigram and bigram at its FNV-1a slot, signed by bit 31', () => {
    const dims = 1 << 20;
    const values = vector('alpha beta gamma', dims, { normalization: 'none' });
    for (const gram of ['alpha', 'beta', 'gamma', 'alpha beta', 'beta gamma']) {
      const hash = fnv1a32(gram);
      expect(values[hash % dims], gram).toBe(hash & 0x80000000 ? -1 : 1);
    }
  });

  it('gives an all-zero vector for text without words', () => {
    expect(nonZero(vector('!!! ...'))).toBe(0);
  });

  it('is registered under its kind', () => {
    const kind = featurizerKind('hashed-bow');
    expect(kind).toBeDefined();
    expect(kind?.schema.safeParse({ kind: 'hashed-bow', dims: 0, ngrams: [1], hash: 'fnv1a-32' }).success).toBe(false);
  });
});
