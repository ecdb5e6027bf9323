// What DistributedPool checks when it is built, before it connects: the rules the config schema
// states for a pipeline file, in the same words, for pools built in code.
import { describe, expect, it } from 'vitest';
import { LOCAL_WORKERS_NEED_AUTOSCALE } from '../../../../src/config/distributed-schema.js';
import { DistributedPool, type DistributedPoolOptions } from '../../../../src/workers/distributed/distributed-pool.js';
import { QUEUE_NAME_RULE } from '../../../../src/workers/distributed/job-protocol.js';
import { REDIS_URL_RULE } from '../../../../src/brokers/redis/redis-url.js';

const options: DistributedPoolOptions = {
  model: 'm',
  redis: 'redis://127.0.0.1:6379',
  queue: 'm',
  maxBatch: 8,
  maxDelayMs: 2,
  queueLimit: 100,
};

describe('DistributedPool options', () => {
  it.each([
    ['a queue name BullMQ refuses', { queue: 'a:b' }, QUEUE_NAME_RULE],
    ['a URL that is not Redis', { redis: 'http://127.0.0.1:6379' }, REDIS_URL_RULE],
    ['zero attempts', { attempts: 0 }, 'distributed.attempts must be an integer >= 1'],
    ['localWorkers without autoscale', { localWorkers: true, manifestPath: 'm.yaml' }, LOCAL_WORKERS_NEED_AUTOSCALE],
    ['a preferred size above maxBatch', { preferredSizes: [16] }, 'from 1 to batch.maxSize (8)'],
  ])('rejects %s, in the words the config schema uses', (_, change, words) => {
    expect(() => new DistributedPool({ ...options, ...change })).toThrow(words);
  });
});
