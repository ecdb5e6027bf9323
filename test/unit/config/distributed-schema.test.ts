import { describe, expect, it } from 'vitest';
import { distributedSchema, LOCAL_WORKERS_NEED_AUTOSCALE } from '../../../src/config/distributed-schema.js';
import { modelSchema, overlaySchema } from '../../../src/config/schema.js';

describe('models[].distributed', () => {
  it('fills in the local Redis and the retry defaults', () => {
    expect(distributedSchema.parse({})).toEqual({
      redis: 'redis://127.0.0.1:6379',
      attempts: 3,
      backoff: 100,
      resultTimeout: 30_000,
      localWorkers: false,
    });
  });

  it('reads durations written as text', () => {
    const spec = distributedSchema.parse({
      redis: 'redis://redis.example:6380/2',
      queue: 'sentiment-v2',
      backoff: '250ms',
      resultTimeout: '5s',
    });
    expect(spec).toMatchObject({
      redis: 'redis://redis.example:6380/2',
      queue: 'sentiment-v2',
      backoff: 250,
      resultTimeout: 5000,
    });
  });

  it.each([
    ['a queue name with a colon', { queue: 'a:b' }],
    ['a URL that is not Redis', { redis: 'http://127.0.0.1:6379' }],
    ['zero attempts', { attempts: 0 }],
    ['a zero result timeout', { resultTimeout: '0s' }],
    ['an unknown key', { workers: 3 }],
  ])('rejects %s', (_, value) => {
    expect(distributedSchema.safeParse(value).success).toBe(false);
  });

  it('is optional on a model and kept when given', () => {
    const local = modelSchema.parse({ name: 'm', manifest: 'm.yaml' });
    expect(local.distributed).toBeUndefined();
    const remote = modelSchema.parse({ name: 'm', manifest: 'm.yaml', distributed: { queue: 'q' } });
    expect(remote.distributed).toMatchObject({ queue: 'q', redis: 'redis://127.0.0.1:6379' });
  });

  it('takes localWorkers only with autoscale, which starts and stops them', () => {
    const without = modelSchema.safeParse({ name: 'm', manifest: 'm.yaml', distributed: { localWorkers: true } });
    expect(without.success).toBe(false);
    expect(without.error?.issues).toMatchObject([
      { path: ['distributed', 'localWorkers'], message: LOCAL_WORKERS_NEED_AUTOSCALE },
    ]);
    const autoscaled = {
      name: 'm',
      manifest: 'm.yaml',
      autoscale: { enabled: true },
      distributed: { localWorkers: true },
    };
    expect(modelSchema.safeParse(autoscaled).success).toBe(true);
  });
});

describe('overlay.redis', () => {
  it('is optional and must be a Redis URL', () => {
    expect(overlaySchema.parse({}).redis).toBeUndefined();
    expect(overlaySchema.parse({ redis: 'redis://127.0.0.1:6379' }).redis).toBe('redis://127.0.0.1:6379');
    expect(overlaySchema.safeParse({ redis: 'localhost' }).success).toBe(false);
  });
});
