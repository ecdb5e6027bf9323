// What every text featurizer provides: a fixed-width float vector written into a caller-owned
// batch buffer, so a worker allocates one buffer per batch size instead of one per text.

export interface Featurizer {
  /** Width of the vector this featurizer writes. */
  readonly dims: number;
  /** Writes the features of `text` into `out[offset .. offset + dims)`, overwriting that range. */
  featurize(text: string, out: Float32Array, offset: number): void;
}
