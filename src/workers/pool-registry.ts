// Maps a model's config to the pool that runs its batches: worker threads in this process (local)
// or `livepipe worker` processes behind a Redis queue (distributed). A new backend adds its config
// to config/schema.ts and one entry here; what every pool takes is mapped once, in batchingOptionsOf.
import type { BudgetsSpec, ModelSpec } from '../config/schema.js';
import type { DistributedSpec } from '../config/distributed-schema.js';
import { autoscaleOptionsOf } from './autoscale/autoscale-config.js';
import { DistributedPool } from './distributed/distributed-pool.js';
import { InferencePool } from './local/inference-pool.js';
import type { BatchingOptions } from './pool/batching-pool.js';
import type { ModelPool, PoolEvents } from './pool/model-pool.js';

export type PoolKind = 'local' | 'distributed';

/** What a model's pool takes from the pipeline besides the model's own config. */
export interface PoolContext {
  budgets: Pick<BudgetsSpec, 'queue' | 'policy'>;
  events?: PoolEvents;
}

const factories: Record<PoolKind, (model: ModelSpec, options: BatchingOptions) => ModelPool> = {
  local: (model, options) =>
    new InferencePool({
      ...options,
      manifestPath: model.manifest,
      workers: model.workers,
      parkMs: model.autoscale.parkFor,
    }),
  distributed: (model, options) => {
    // Chosen only when the model has a distributed section (poolKindOf).
    const distributed = model.distributed as DistributedSpec;
    return new DistributedPool({
      ...options,
      model: model.name,
      redis: distributed.redis,
      queue: distributed.queue ?? model.name,
      attempts: distributed.attempts,
      backoffMs: distributed.backoff,
      resultTimeoutMs: distributed.resultTimeout,
      localWorkers: distributed.localWorkers,
      manifestPath: model.manifest,
    });
  },
};

export function poolKindOf(model: Pick<ModelSpec, 'distributed'>): PoolKind {
  return model.distributed === undefined ? 'local' : 'distributed';
}

/** What every pool takes from a model's config: batching, queue limit, deadline policy, autoscale. */
export function batchingOptionsOf(model: ModelSpec, context: PoolContext): BatchingOptions {
  return {
    maxBatch: model.batch.maxSize,
    maxDelayMs: model.batch.maxDelay,
    queueLimit: model.queueLimit,
    preferredSizes: model.batch.preferredSizes,
    maxTokens: model.batch.maxTokens,
    bucketing: model.batch.bucketing,
    deadlinePolicy: model.batch.deadlinePolicy ?? context.budgets.policy,
    queueBudgetMs: context.budgets.queue,
    autoscale: autoscaleOptionsOf(model),
    events: context.events,
  };
}

/** The pool for a model, not started. */
export function createModelPool(model: ModelSpec, context: PoolContext): ModelPool {
  return factories[poolKindOf(model)](model, batchingOptionsOf(model, context));
}
