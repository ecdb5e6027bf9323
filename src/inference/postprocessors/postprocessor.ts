// What a postprocessor does: turns one row of a model's raw outputs (and the input text) into
// fields of the classification result. A manifest lists them by kind, applied in order.

export interface ModerationResult {
  flagged: boolean;
  /** Tokens of the text that matched the moderation lexicon. */
  matches: number;
}

export interface ClassificationResult {
  label: string;
  score: number;
  scores: Record<string, number>;
  moderation?: ModerationResult;
  /** text-embedding models: the text's pooled vector (their label is empty). */
  embedding?: Float32Array;
}

/** Outputs of one batch run, by ONNX output name; row r of an [N, K] output is data[r*K .. r*K+K). */
export type BatchOutputs = Readonly<Record<string, Float32Array>>;

export interface Postprocessor {
  apply(outputs: BatchOutputs, row: number, text: string, result: ClassificationResult): void;
}

/** What a postprocessor may know about its model when it is built. */
export interface PostprocessorModel {
  labels: readonly string[];
  /** Output names with their declared width (last dimension). */
  outputs: ReadonlyArray<{ name: string; width: number | undefined }>;
  /** Where the spec came from, for error messages. */
  file: string;
}
