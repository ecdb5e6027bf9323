// The worker-pool stage's public surface: the pool contract and the core both backends share, the
// in-process ONNX inference pool, the registry that picks a model's pool, the dynamic batcher, the
// KPA-style autoscaler that sizes a pool, and its rejections. The distributed backend: distributed/.
export * from './pool/model-pool.js';
export { InferencePool, type PoolOptions, type PoolStats } from './local/inference-pool.js';
export {
  BatchingPool,
  type BatchingOptions,
  type PendingItem,
  type PoolCounts,
  type PoolState,
} from './pool/batching-pool.js';
export {
  batchingOptionsOf,
  createModelPool,
  poolKindOf,
  type PoolContext,
  type PoolKind,
} from './pool-registry.js';
export {
  isPoolRejection,
  POOL_REJECTION_REASONS,
  PoolRejection,
  type PoolRejectionReason,
} from './pool/pool-rejection.js';
export {
  DEADLINE_POLICIES,
  DynamicBatcher,
  type BatchItem,
  type DeadlinePolicy,
  type DynamicBatcherOptions,
  type Triage,
} from './batching/dynamic-batcher.js';
export { BatchTimeModel, DEFAULT_BATCH_TIME_PRIOR, type BatchTimePrior } from './autoscale/batch-time-model.js';
export {
  KNATIVE_DEFAULTS,
  KpaDecider,
  predictQueueing,
  type KpaSettings,
  type LoadObservation,
  type QueueingPrediction,
  type ScaleDecision,
  type ScaleReason,
} from './autoscale/kpa.js';
export {
  PoolAutoscaler,
  type AutoscaleOptions,
  type AutoscalerHooks,
  type LoadSample,
  type ScalableTarget,
} from './autoscale/autoscaler.js';
export { autoscaleOptionsOf } from './autoscale/autoscale-config.js';
export { WindowAverage } from './autoscale/window-average.js';
