// What the pipeline needs from a model's pool, whichever runs the batches: worker threads in this
// process (InferencePool) or `livepipe worker` processes behind a Redis queue (DistributedPool),
// and the types that travel through it.
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import type { ScaleDecision } from '../autoscale/kpa.js';

/** The most workers one pool runs: worker threads, or local worker processes. */
export const MAX_WORKERS = 64;

export interface InferenceInput {
  id: string;
  text: string;
}

export interface InferOptions {
  /** Epoch ms (Date.now() clock) by which the answer is due, e.g. ingest time + e2e budget. */
  deadlineMs?: number;
  /** Under the conflate policy, a newer queued item with this key supersedes an older one that would be late (e.g. the stream). */
  conflationKey?: string;
}

export interface InferenceResult extends ClassificationResult {
  id: string;
  batchSize: number;
  /** From infer() to the batch being handed to a worker. */
  queueMs: number;
  /** The batch's featurize + run + postprocess time in the worker. */
  inferMs: number;
  /** Answered after its deadline or handed to a worker after its queue budget (counted in stats().deadline.late). */
  late: boolean;
}

export type DeadlineOutcome = 'late' | 'shed' | 'conflated';

/** Callbacks for metrics; called synchronously, must not throw. */
export interface PoolEvents {
  onScaleDecision?(decision: ScaleDecision): void;
  onDeadlineOutcome?(outcome: DeadlineOutcome, count: number): void;
  /** A worker became ready: spawn + model load, in ms. */
  onColdStart?(ms: number): void;
  /** A batch was answered: its real tokens and its padded tokens (size × longest), counted or estimated. */
  onBatchTokens?(tokens: number, paddedTokens: number): void;
}

export interface ModelPool {
  start(): Promise<void>;
  /** Resolves with the item's result; rejects with a PoolRejection. */
  infer(input: InferenceInput, options?: InferOptions): Promise<InferenceResult>;
  /** Backpressure: undefined while there is room, else a promise that resolves once drained. */
  whenCapacity(): Promise<void> | undefined;
  stats(): { workers: number; busy: number; queued: number };
  close(): Promise<void>;
}
