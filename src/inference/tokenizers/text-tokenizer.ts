// What a model's tokenizer gives the ONNX session: a batch of texts as int64 tensors, each text
// truncated to the model's max length and padded to the longest text of the batch, plus each
// text's real token count (the unit a token-aware batcher budgets in).

export interface TokenizedBatch {
  batchSize: number;
  /** Columns of every tensor: the longest text's token count (after truncation). */
  sequenceLength: number;
  /** [batchSize, sequenceLength], row-major. */
  inputIds: BigInt64Array;
  /** 1 for a real token, 0 for padding. */
  attentionMask: BigInt64Array;
  /** Segment ids (0 for a single text with BERT-style tokenizers). */
  tokenTypeIds: BigInt64Array;
  /** Each text's token count, special tokens included, after truncation, without padding. */
  tokenCounts: Int32Array;
}

export interface TextTokenizer {
  /** Texts longer than this many tokens (special tokens included) are truncated. */
  readonly maxLength: number;
  encodeBatch(texts: readonly string[]): TokenizedBatch;
  /** Token count of one text as encodeBatch would count it (truncated, special tokens included). */
  countTokens(text: string): number;
}
