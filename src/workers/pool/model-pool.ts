// What the pipeline needs from a model's pool, whichever runs the batches: worker threads in this
// process (InferencePool) or `livepipe worker` processes behind a Redis queue (DistributedPool).
import type { InferenceInput, InferenceResult, InferOptions } from '../local/inference-pool.js';

export interface ModelPool {
  start(): Promise<void>;
  /** Resolves with the item's result; rejects with a PoolRejection. */
  infer(input: InferenceInput, options?: InferOptions): Promise<InferenceResult>;
  /** Backpressure: undefined while there is room, else a promise that resolves once drained. */
  whenCapacity(): Promise<void> | undefined;
  stats(): { workers: number; busy: number; queued: number };
  close(): Promise<void>;
}
