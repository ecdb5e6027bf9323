import { describe, expect, it } from 'vitest';
import { modelSchema } from '../../../src/config/schema.js';
import { DistributedPool } from '../../../src/workers/distributed/distributed-pool.js';
import { InferencePool } from '../../../src/workers/local/inference-pool.js';
import { batchingOptionsOf, createModelPool, poolKindOf } from '../../../src/workers/pool-registry.js';

const budgets = { queue: 40, policy: 'shed' as const };

describe('pool registry', () => {
  it('gives a model worker threads unless it is distributed', () => {
    const local = modelSchema.parse({ name: 'm', manifest: 'models/chat-sentiment.yaml', workers: 3 });
    expect(poolKindOf(local)).toBe('local');
    const pool = createModelPool(local, { budgets });
    expect(pool).toBeInstanceOf(InferencePool);
    expect((pool as InferencePool).stats().desiredWorkers).toBe(3);
  });

  it('gives a distributed model a pool on its Redis queue, named after the model by default', () => {
    const model = modelSchema.parse({
      name: 'm',
      manifest: 'models/chat-sentiment.yaml',
      autoscale: { enabled: true, min: 0, max: 2 },
      distributed: { localWorkers: true },
    });
    expect(poolKindOf(model)).toBe('distributed');
    const pool = createModelPool(model, { budgets });
    expect(pool).toBeInstanceOf(DistributedPool);
    expect((pool as DistributedPool).stats()).toMatchObject({ desiredWorkers: 0, workers: 0 });
  });

  it("maps batching, the queue budget and the pipeline's policy the same way for every backend", () => {
    const model = modelSchema.parse({
      name: 'm',
      manifest: 'models/chat-sentiment.yaml',
      batch: { maxSize: 16, maxDelay: '5ms', preferredSizes: [4, 8] },
      queueLimit: 100,
    });
    expect(batchingOptionsOf(model, { budgets })).toEqual({
      maxBatch: 16,
      maxDelayMs: 5,
      queueLimit: 100,
      preferredSizes: [4, 8],
      maxTokens: undefined,
      bucketing: true,
      deadlinePolicy: 'shed',
      queueBudgetMs: 40,
      autoscale: undefined,
      events: undefined,
    });
    const conflating = modelSchema.parse({ ...model, batch: { ...model.batch, deadlinePolicy: 'conflate' } });
    expect(batchingOptionsOf(conflating, { budgets }).deadlinePolicy).toBe('conflate');
    const tokens = modelSchema.parse({ ...model, batch: { ...model.batch, maxTokens: 512, bucketing: false } });
    expect(batchingOptionsOf(tokens, { budgets })).toMatchObject({ maxTokens: 512, bucketing: false });
  });
});
