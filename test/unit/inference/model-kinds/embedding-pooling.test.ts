import { describe, expect, it } from 'vitest';
import { poolEmbeddings } from '../../../../src/inference/model-kinds/embedding-pooling.js';

// Two texts × three positions × two dims; the second text has one padded position.
const hidden = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 99, 99]);
const dims = [2, 3, 2];
const mask = BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 0n]);

describe('poolEmbeddings', () => {
  it('averages the positions the attention mask keeps', () => {
    const [first, second] = poolEmbeddings(hidden, dims, mask, 'mean', false);
    expect(Array.from(first!)).toEqual([3, 4]);
    expect(Array.from(second!)).toEqual([20, 30]);
  });

  it('takes the first position for cls pooling', () => {
    const vectors = poolEmbeddings(hidden, dims, mask, 'cls', false);
    expect(vectors.map((v) => Array.from(v))).toEqual([
      [1, 2],
      [10, 20],
    ]);
  });

  it('takes rows as they are for pooling none', () => {
    const vectors = poolEmbeddings(Float32Array.from([3, 4, 0, 0]), [2, 2], mask, 'none', true);
    expect(Array.from(vectors[0]!)).toEqual([0.6000000238418579, 0.800000011920929]);
    // An all-zero vector stays zero instead of becoming NaN.
    expect(Array.from(vectors[1]!)).toEqual([0, 0]);
  });

  it('L2-normalises each vector so that a dot product is the cosine', () => {
    const [first] = poolEmbeddings(hidden, dims, mask, 'mean', true);
    expect(first![0]).toBeCloseTo(0.6, 6);
    expect(first![1]).toBeCloseTo(0.8, 6);
  });

  it('gives each vector its own buffer', () => {
    const [first, second] = poolEmbeddings(hidden, dims, mask, 'cls', false);
    expect(first!.buffer).not.toBe(second!.buffer);
    expect(first!.buffer).not.toBe(hidden.buffer);
  });
});
