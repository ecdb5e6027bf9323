// Shared by the distributed-mode integration tests: finds out whether the real Redis is up, starts
// real `livepipe worker` processes, and removes a test run's keys afterwards. Without Redis the
// tests skip, except under CI, where they fail.
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { DistributedPoolOptions } from '../../src/workers/distributed/distributed-pool.js';

export const REDIS_URL = process.env.LIVEPIPE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const root = fileURLToPath(new URL('../../', import.meta.url));

export const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** A DistributedPool for the bundled model on the test Redis: batches of 16, a long result timeout; plus the test's changes. */
export function poolOptions(queue: string, changes: Partial<DistributedPoolOptions> = {}): DistributedPoolOptions {
  return {
    model: 'chat-sentiment',
    redis: REDIS_URL,
    queue,
    maxBatch: 16,
    maxDelayMs: 2,
    queueLimit: 10_000,
    resultTimeoutMs: 60_000,
    ...changes,
  };
}

/** Undefined when Redis answers PING, else why not. */
export async function redisUnavailable(url = REDIS_URL): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis at ${url} is unreachable (${(error as Error).message}); start it with: ${START_REDIS}`;
  } finally {
    redis.disconnect();
  }
}

/** Skips (logged) without Redis, or fails under CI=true. Returns whether to skip. */
export function skipWithoutRedis(reason: string | undefined, suite: string): boolean {
  if (reason === undefined) return false;
  if (process.env.CI === 'true') throw new Error(`${suite} needs Redis under CI: ${reason}`);
  console.warn(`skipping ${suite}: ${reason}`);
  return true;
}

/** Deletes every key matching the pattern. */
export async function deleteKeys(pattern: string, url = REDIS_URL): Promise<number> {
  const redis = new Redis(url);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface WorkerProcess {
  child: ChildProcess;
  name: string;
  output: string[];
  exited: Promise<number | null>;
}

/** Starts `livepipe worker` from source and resolves once it says what it serves. */
export function startWorker(queue: string, manifestPath: string): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'worker',
      '--model',
      manifestPath,
      '--queue',
      queue,
      '--redis',
      REDIS_URL,
      '--lock-duration',
      '1s',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in time: ${output.join('')}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      if (chunk.toString().includes('serving model')) {
        clearTimeout(timer);
        resolve({ child, name: `${hostname()}:${child.pid}`, output, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before serving: ${output.join('')}`));
    });
  });
}
