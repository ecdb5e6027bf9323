// The worker-pool stage's public surface: the in-process ONNX inference pool and its rejections.
export { InferencePool, type InferenceInput, type InferenceResult, type PoolOptions, type PoolStats } from './inference-pool.js';
export { isPoolRejection, PoolRejection, type PoolRejectionReason } from './pool-rejection.js';
export { MicroBatcher } from './micro-batcher.js';
