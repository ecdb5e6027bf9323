// Distributed inference on the real Redis: a DistributedPool and `livepipe worker` child processes
// running the bundled ONNX model, one of them killed mid-batch; and a worker that keeps failing.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';
import type { ClassificationResult } from '../../src/inference/postprocessors/postprocessor.js';
import type { InferenceResult } from '../../src/workers/pool/model-pool.js';
import { DistributedPool } from '../../src/workers/distributed/distributed-pool.js';
import { QUEUE_PREFIX } from '../../src/workers/distributed/job-protocol.js';
import { PoolRejection } from '../../src/workers/pool/pool-rejection.js';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import {
  deleteKeys,
  poolOptions,
  REDIS_URL,
  redisUnavailable,
  skipWithoutRedis,
  startWorker,
  type WorkerProcess,
} from './distributed-redis-helper.js';

const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment-mlp.yaml', import.meta.url));
const skip = skipWithoutRedis(await redisUnavailable(), 'distributed pool tests');
const run = `${process.pid}-${randomBytes(3).toString('hex')}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)('DistributedPool with livepipe worker processes on Redis', () => {
  const queue = `test-dist-${run}`;
  const workers: WorkerProcess[] = [];
  let pool: DistributedPool;
  let inspector: Queue;

  beforeAll(async () => {
    workers.push(...(await Promise.all([startWorker(queue, manifestPath), startWorker(queue, manifestPath)])));
    pool = new DistributedPool(poolOptions(queue));
    await pool.start();
    inspector = new Queue(queue, { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
  });

  afterAll(async () => {
    await pool?.close();
    await inspector?.close();
    for (const worker of workers)
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await deleteKeys(`${QUEUE_PREFIX}:${queue}:*`);
  });

  it('answers every item exactly once, as a local run would, though a worker is killed mid-batch', async () => {
    const texts = loadSentimentSentences()
      .slice(0, 2000)
      .map((s) => s.text);
    expect(texts).toHaveLength(2000);
    const [victim, survivor] = workers as [WorkerProcess, WorkerProcess];

    const answers = new Map<string, InferenceResult[]>();
    const failures: unknown[] = [];
    const pending: Promise<void>[] = [];
    const submit = (i: number) =>
      pending.push(
        pool.infer({ id: `e${i}`, text: texts[i] as string }).then(
          (result) => {
            const list = answers.get(result.id) ?? [];
            list.push(result);
            answers.set(result.id, list);
          },
          (error: unknown) => {
            failures.push(error);
          },
        ),
      );

    // Feed the queue in waves; between waves, freeze the victim and look at what it holds: once it
    // is frozen holding an active batch, kill it there.
    let killedWithJob: string | undefined;
    let next = 0;
    while (next < texts.length) {
      for (const end = Math.min(texts.length, next + 20); next < end; next++) submit(next);
      if (killedWithJob !== undefined) continue;
      await sleep(3);
      victim.child.kill('SIGSTOP');
      const active = await inspector.getActive();
      const held = active.find((job) => job.processedBy === victim.name);
      if (held !== undefined) {
        killedWithJob = held.id;
        victim.child.kill('SIGKILL');
      } else {
        victim.child.kill('SIGCONT');
      }
    }
    expect(killedWithJob, 'the victim never held an active batch while items were flowing').toBeDefined();
    await Promise.all(pending);

    expect(failures).toEqual([]);
    expect(answers.size).toBe(texts.length);
    for (const [id, list] of answers) expect(list, `answers for ${id}`).toHaveLength(1);

    const runner = await ModelRunner.open(await loadModelManifest(manifestPath));
    const expected: ClassificationResult[] = [];
    for (let i = 0; i < texts.length; i += 64) expected.push(...(await runner.run(texts.slice(i, i + 64))).results);
    await runner.close();
    for (let i = 0; i < texts.length; i++) {
      const got = answers.get(`e${i}`)![0]!;
      const want = expected[i]!;
      expect(got.label, `label of e${i}`).toBe(want.label);
      expect(got.score).toBeCloseTo(want.score, 5);
      expect(got.moderation).toEqual(want.moderation);
    }

    const stats = pool.stats();
    expect(stats.completed).toBe(texts.length);
    expect(stats.rejected).toBe(0);
    // The killed worker's batch ran again on the survivor.
    expect(stats.retriedResults).toBeGreaterThanOrEqual(1);
    expect(stats.inFlight).toBe(0);

    // The survivor stops gracefully on SIGTERM.
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
    expect(survivor.output.join('')).toMatch(/stopped after \d+ batches/);
  });
});

describe.skipIf(skip)('DistributedPool when batches fail', () => {
  const queue = `test-dist-fail-${run}`;

  afterAll(async () => {
    await deleteKeys(`${QUEUE_PREFIX}:${queue}*`);
  });

  it('rejects the items of a batch that failed on every attempt with worker-failed', async () => {
    const pool = new DistributedPool({
      model: 'm',
      redis: REDIS_URL,
      queue,
      maxBatch: 4,
      maxDelayMs: 1,
      queueLimit: 100,
      attempts: 2,
      backoffMs: 10,
    });
    await pool.start();
    let runs = 0;
    // A broken worker: real BullMQ on the real Redis, a processor that always throws.
    const broken = new Worker(
      queue,
      async () => {
        runs++;
        throw new Error('model exploded');
      },
      { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX },
    );
    try {
      const outcome = await pool.infer({ id: 'x1', text: 'hello' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(PoolRejection);
      expect((outcome as PoolRejection).reason).toBe('worker-failed');
      expect((outcome as PoolRejection).message).toMatch(/model exploded/);
      expect(runs).toBe(2);
      expect(pool.stats().rejectedBy['worker-failed']).toBe(1);
    } finally {
      await broken.close();
      await pool.close();
    }
  });

  it('rejects items no worker answers within resultTimeout with worker-failed', async () => {
    const pool = new DistributedPool({
      model: 'm',
      redis: REDIS_URL,
      queue: `${queue}-idle`,
      maxBatch: 4,
      maxDelayMs: 1,
      queueLimit: 100,
      resultTimeoutMs: 200,
    });
    await pool.start();
    try {
      const outcome = await pool.infer({ id: 'y1', text: 'anyone?' }).catch((error: unknown) => error);
      expect((outcome as PoolRejection).reason).toBe('worker-failed');
      expect((outcome as PoolRejection).message).toMatch(/livepipe worker/);
    } finally {
      await pool.close();
    }
  });

  it('fails to start with LP_BROKER_UNAVAILABLE when Redis is not there', async () => {
    const pool = new DistributedPool({
      model: 'm',
      redis: 'redis://127.0.0.1:1',
      queue,
      maxBatch: 4,
      maxDelayMs: 1,
      queueLimit: 100,
    });
    await expect(pool.start()).rejects.toMatchObject({
      code: 'LP_BROKER_UNAVAILABLE',
      message: expect.stringMatching(/redis-server/),
    });
    await pool.close();
  });
});
