// Messages between the inference pool (main thread) and its worker threads.
import type { ErrorCode } from '../../errors.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';

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

/**
 * Ends the thread at once from JavaScript, as a crash would, dropping anything it holds. Tests use it
 * to exercise crash handling without terminate(), which aborts the process if it lands inside a
 * native onnxruntime call.
 */
export interface CrashRequest {
  type: 'crash';
}

export type PoolToWorker = BatchRequest | CloseRequest | CrashRequest;

export type WorkerToPool =
  | { type: 'ready' }
  | { type: 'start-failed'; code: ErrorCode | undefined; message: string }
  | { type: 'batch-done'; batchId: number; results: ClassificationResult[]; inferMs: number }
  | { type: 'batch-failed'; batchId: number; message: string }
  | { type: 'closed' };
