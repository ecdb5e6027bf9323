// The worker-pool stage's public surface: the in-process ONNX inference pool, its dynamic batcher,
// the KPA-style autoscaler that sizes it, and its rejections.
export {
  InferencePool,
  type DeadlineOutcome,
  type InferenceInput,
  type InferenceResult,
  type InferOptions,
  type PoolEvents,
  type PoolOptions,
  type PoolStats,
} from './inference-pool.js';
export { isPoolRejection, POOL_REJECTION_REASONS, PoolRejection, type PoolRejectionReason } from './pool-rejection.js';
export { MicroBatcher } from './micro-batcher.js';
export {
  DEADLINE_POLICIES,
  DynamicBatcher,
  type BatchItem,
  type DeadlinePolicy,
  type DynamicBatcherOptions,
  type Triage,
} from './batcher.js';
export { BatchTimeModel, DEFAULT_BATCH_TIME_PRIOR, type BatchTimePrior } from './batch-time-model.js';
export {
  KNATIVE_DEFAULTS,
  KpaDecider,
  predictQueueing,
  type KpaSettings,
  type LoadObservation,
  type QueueingPrediction,
  type ScaleDecision,
  type ScaleReason,
} from './kpa.js';
export {
  PoolAutoscaler,
  type AutoscaleOptions,
  type AutoscalerHooks,
  type LoadSample,
  type ScalableTarget,
} from './autoscaler.js';
export { autoscaleOptionsOf } from './autoscale-config.js';
export { WindowAverage } from './window-average.js';
