// Token vectors → one vector per text: the mean over the tokens the attention mask keeps (MiniLM,
// sentence-transformers' default) or the first token's vector (CLS: BGE), optionally L2-normalised
// so that a dot product is the cosine similarity.
import type { Pooling } from '../model-manifest.js';

/**
 * `hidden` is [batch, sequence, width] (or [batch, width] for pooling "none"), row-major;
 * `mask` is [batch, sequence]. Each result owns its buffer (safe to post to another thread).
 */
export function poolEmbeddings(
  hidden: Float32Array,
  dims: readonly number[],
  mask: BigInt64Array,
  pooling: Pooling,
  normalize: boolean,
): Float32Array[] {
  const batch = dims[0] as number;
  const width = dims[dims.length - 1] as number;
  const sequence = pooling === 'none' ? 1 : (dims[1] as number);
  const vectors: Float32Array[] = new Array(batch);
  for (let row = 0; row < batch; row++) {
    const vector = new Float32Array(width);
    const base = row * sequence * width;
    if (pooling === 'mean') {
      let kept = 0;
      for (let t = 0; t < sequence; t++) {
        if (mask[row * sequence + t] === 0n) continue;
        kept++;
        const offset = base + t * width;
        for (let k = 0; k < width; k++) vector[k] = (vector[k] as number) + (hidden[offset + k] as number);
      }
      // sentence-transformers clamps the count to avoid dividing by zero on an all-padding row.
      const scale = 1 / Math.max(kept, 1e-9);
      for (let k = 0; k < width; k++) vector[k] = (vector[k] as number) * scale;
    } else {
      // cls: the first token; none: the row itself.
      vector.set(hidden.subarray(base, base + width));
    }
    if (normalize) {
      let sum = 0;
      for (let k = 0; k < width; k++) sum += (vector[k] as number) ** 2;
      // As torch.nn.functional.normalize: the norm is clamped at 1e-12.
      const scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
      for (let k = 0; k < width; k++) vector[k] = (vector[k] as number) * scale;
    }
    vectors[row] = vector;
  }
  return vectors;
}
