// Messages between the inference pool (main thread) and its worker threads.
import type { ErrorCode } from '../../errors.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import type { BatchTokenCounts } from '../pool/batching-pool.js';

export interface InferenceWorkerData {
  manifestPath: string;
  /** Set when the worker runs from TypeScript source through ts-worker-bootstrap.mjs. */
  entry?: string;
}

export interface BatchRequest {
  type: 'batch';
  batchId: number;
  texts: string[];
}

export interface CloseRequest {
  type: 'close';
}

export type PoolToWorker = BatchRequest | CloseRequest;

export type WorkerToPool =
  | { type: 'ready' }
  | { type: 'start-failed'; code: ErrorCode | undefined; message: string }
  | {
      type: 'batch-done';
      batchId: number;
      results: ClassificationResult[];
      inferMs: number;
      /** Transformer models: the batch's tokens as the tokenizer counted them (token metrics). */
      tokens?: BatchTokenCounts;
    }
  | { type: 'batch-failed'; batchId: number; message: string }
  | { type: 'closed' };
