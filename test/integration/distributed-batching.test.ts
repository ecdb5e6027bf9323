// A distributed model batches as a local one does, on the real Redis with a real `livepipe worker`
// process: batches go out at a preferred size, and the deadline policy sheds (or flags late) the
// items that cannot make their deadline.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DistributedPool, type DistributedPoolOptions } from '../../src/workers/distributed/distributed-pool.js';
import { QUEUE_PREFIX } from '../../src/workers/distributed/job-protocol.js';
import type { DeadlineOutcome } from '../../src/workers/pool/model-pool.js';
import { PoolRejection } from '../../src/workers/pool/pool-rejection.js';
import {
  deleteKeys,
  poolOptions,
  redisUnavailable,
  skipWithoutRedis,
  startWorker,
  type WorkerProcess,
} from './distributed-redis-helper.js';

const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment-mlp.yaml', import.meta.url));
const skip = skipWithoutRedis(await redisUnavailable(), 'distributed batching tests');
const queue = `test-dist-batching-${process.pid}-${randomBytes(3).toString('hex')}`;

describe.skipIf(skip)('DistributedPool batching with a livepipe worker process', () => {
  let worker: WorkerProcess;
  const pools: DistributedPool[] = [];

  function startPool(changes: Partial<DistributedPoolOptions>): Promise<DistributedPool> {
    const pool = new DistributedPool(poolOptions(queue, changes));
    pools.push(pool);
    return pool.start().then(() => pool);
  }

  beforeAll(async () => {
    worker = await startWorker(queue, manifestPath);
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  afterAll(async () => {
    if (worker !== undefined && worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
    await deleteKeys(`${QUEUE_PREFIX}:${queue}:*`);
  });

  it('sends a batch as soon as a preferred size is queued instead of waiting out maxDelay', async () => {
    const pool = await startPool({ maxBatch: 16, maxDelayMs: 10_000, preferredSizes: [4] });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => pool.infer({ id: `p${i}`, text: `preferred size item ${i}` })),
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(results.map((result) => result.batchSize)).toEqual(Array.from({ length: 12 }, () => 4));
    expect(pool.stats()).toMatchObject({ completed: 12, batches: 3, meanBatchSize: 4, rejected: 0 });
  });

  it('sheds, counts and reports items that cannot meet their deadline under the shed policy', async () => {
    const outcomes: Array<[DeadlineOutcome, number]> = [];
    const pool = await startPool({
      deadlinePolicy: 'shed',
      events: { onDeadlineOutcome: (outcome, count) => outcomes.push([outcome, count]) },
    });
    const onTime = await pool.infer({ id: 'on-time', text: 'plenty of time' }, { deadlineMs: Date.now() + 60_000 });
    expect(onTime).toMatchObject({ id: 'on-time', late: false });

    const impossible = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        pool.infer({ id: `gone${i}`, text: 'already too late' }, { deadlineMs: Date.now() - 1 }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const error of impossible) {
      expect(error).toBeInstanceOf(PoolRejection);
      expect((error as PoolRejection).reason).toBe('deadline');
    }
    const stats = pool.stats();
    expect(stats.deadline.shed).toBe(5);
    expect(stats.rejectedBy.deadline).toBe(5);
    expect(stats.completed).toBe(1);
    // Shed before sending: only the on-time item's batch went to Redis.
    expect(stats.batches).toBe(1);
    expect(outcomes.filter(([outcome]) => outcome === 'shed').reduce((sum, [, count]) => sum + count, 0)).toBe(5);
  });

  it('answers such items under deliver-late, flagged and counted as late', async () => {
    const pool = await startPool({ deadlinePolicy: 'deliver-late' });
    const results = await Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        pool.infer({ id: `late${i}`, text: 'answered anyway' }, { deadlineMs: Date.now() - 1 }),
      ),
    );
    for (const result of results) expect(result.late).toBe(true);
    expect(pool.stats().deadline).toEqual({ late: 3, shed: 0, conflated: 0 });
  });
});
