// Distributed mode with localWorkers on the real Redis: the pool's autoscaler starts `livepipe
// worker` child processes from zero when work arrives, scales them back to zero when idle, wakes
// again for a request at zero, and leaves no child alive after close().
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelManifest } from '../../src/inference/model-registry.js';
import { ModelRunner } from '../../src/inference/model-runner.js';
import type { InferenceResult } from '../../src/workers/pool/model-pool.js';
import type { ScaleDecision } from '../../src/workers/autoscale/kpa.js';
import { DistributedPool } from '../../src/workers/distributed/distributed-pool.js';
import { QUEUE_PREFIX } from '../../src/workers/distributed/job-protocol.js';
import { loadSentimentSentences } from '../../models/sentiment-data.js';
import { deleteKeys, poolOptions, REDIS_URL, redisUnavailable, skipWithoutRedis } from './distributed-redis-helper.js';

const manifestPath = fileURLToPath(new URL('../../models/chat-sentiment-mlp.yaml', import.meta.url));
const skip = skipWithoutRedis(await redisUnavailable(), 'distributed autoscale tests');
const queue = `test-dist-autoscale-${process.pid}-${randomBytes(3).toString('hex')}`;

/** A KPA tuned for a test: short windows and ticks, fast scale-down, no budget prediction. */
const FAST_AUTOSCALE = {
  targetConcurrency: 8,
  targetUtilization: 0.7,
  stableWindowMs: 2000,
  panicWindowPercentage: 10,
  panicThreshold: 2,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  scaleToZeroGracePeriodMs: 1000,
  tickMs: 200,
  budgetPrediction: false,
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(skip)('DistributedPool with autoscaled local worker processes', () => {
  const coldStarts: number[] = [];
  const decisions: ScaleDecision[] = [];
  const pool = new DistributedPool(
    poolOptions(queue, {
      statsRefreshMs: 200,
      autoscale: { ...FAST_AUTOSCALE, min: 0, max: 2 },
      localWorkers: true,
      manifestPath,
      workerArgs: ['--lock-duration', '2s'],
      workerStopTimeoutMs: 5000,
      events: { onColdStart: (ms) => coldStarts.push(ms), onScaleDecision: (decision) => decisions.push(decision) },
    }),
  );
  const seenPids = new Set<number>();
  const watcher = setInterval(() => {
    for (const pid of pool.stats().localWorkers?.pids ?? []) seenPids.add(pid);
  }, 20);

  afterAll(async () => {
    clearInterval(watcher);
    await pool.close();
    for (const pid of seenPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await deleteKeys(`${QUEUE_PREFIX}:${queue}:*`);
  });

  it('starts processes from zero for a burst, answers it as a local run would, scales back to zero, wakes again, and ends every child on close', async () => {
    await pool.start();
    await sleep(600);
    expect(pool.stats().localWorkers).toMatchObject({ spawned: 0, pids: [] });

    const texts = loadSentimentSentences()
      .slice(0, 500)
      .map((s) => s.text);
    expect(texts).toHaveLength(500);
    const answers = await Promise.all(texts.map((text, i) => pool.infer({ id: `b${i}`, text })));
    const afterBurst = pool.stats();
    expect(afterBurst.completed).toBe(500);
    expect(afterBurst.rejected).toBe(0);
    expect(afterBurst.localWorkers!.spawned).toBeGreaterThanOrEqual(1);
    expect(afterBurst.localWorkers!.spawned).toBeLessThanOrEqual(2);
    expect(afterBurst.activations).toBeGreaterThanOrEqual(1);
    expect(coldStarts.length).toBeGreaterThanOrEqual(1);
    expect(afterBurst.localWorkers!.unexpectedExits).toBe(0);
    // The pool's own processes on Redis are not mistaken for remote workers.
    expect(pool.readyWorkers()).toBe(pool.stats().localWorkers!.ready);

    const runner = await ModelRunner.open(await loadModelManifest(manifestPath));
    const sample = Array.from({ length: 25 }, (_, k) => k * 20);
    const { results: expected } = await runner.run(sample.map((i) => texts[i] as string));
    await runner.close();
    sample.forEach((i, k) => {
      const got = answers[i] as InferenceResult;
      expect(got.id).toBe(`b${i}`);
      expect(got.label, `label of b${i}`).toBe(expected[k]!.label);
      expect(got.score).toBeCloseTo(expected[k]!.score, 5);
    });

    // Idle: the stable window empties, the grace period passes, and every process exits.
    const burstPids = [...seenPids];
    expect(burstPids.length).toBeGreaterThanOrEqual(1);
    await waitFor('scale to zero', () => (pool.stats().localWorkers?.pids.length ?? -1) === 0, 25_000);
    expect(decisions.some((d) => d.reason === 'to-zero' && d.desired === 0)).toBe(true);
    expect(pool.stats().desiredWorkers).toBe(0);
    for (const pid of burstPids) expect(alive(pid), `worker process ${pid} after scale to zero`).toBe(false);

    // A request at zero activates a new process, which answers it.
    const spawnedBefore = pool.stats().localWorkers!.spawned;
    const woken = await pool.infer({ id: 'wake', text: texts[0] as string });
    expect(woken.label).toBe(answers[0]!.label);
    const afterWake = pool.stats();
    expect(afterWake.localWorkers!.spawned).toBeGreaterThan(spawnedBefore);
    expect(afterWake.localWorkers!.pids.length).toBeGreaterThanOrEqual(1);

    const livePids = [...afterWake.localWorkers!.pids];
    await pool.close();
    expect(pool.stats().localWorkers!.pids).toEqual([]);
    for (const pid of [...seenPids, ...livePids]) expect(alive(pid), `worker process ${pid} after close`).toBe(false);
  }, 60_000);

  it("fails start() with LP_WORKER_FAILED and the worker's output when its process cannot load the model", async () => {
    const broken = new DistributedPool({
      model: 'missing',
      redis: REDIS_URL,
      queue: `${queue}-broken`,
      maxBatch: 4,
      maxDelayMs: 1,
      queueLimit: 100,
      autoscale: { ...FAST_AUTOSCALE, min: 1, max: 1 },
      localWorkers: true,
      manifestPath: 'models/no-such-model.yaml',
    });
    try {
      const outcome = await broken.start().catch((error: unknown) => error);
      expect(outcome).toMatchObject({ code: 'LP_WORKER_FAILED' });
      expect((outcome as Error).message).toMatch(/no-such-model[\s\S]*its last output:\n\S/);
      expect(broken.stats().localWorkers!.pids).toEqual([]);
    } finally {
      await broken.close();
      await deleteKeys(`${QUEUE_PREFIX}:${queue}-broken:*`);
    }
  }, 30_000);
});
