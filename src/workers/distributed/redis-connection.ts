// Opens an ioredis connection for livepipe's Redis users (distributed pools, workers, overlay
// fan-out): fails fast with a message that says how to start Redis, then reconnects on its own.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LivepipeError } from '../../errors.js';

const CONNECT_TIMEOUT_MS = 5000;

/** Connects and pings, or throws LP_BROKER_UNAVAILABLE saying how to start Redis. */
export async function connectRedis(url: string, forWhat: string, logger?: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // BullMQ's blocking calls must not be cut off by ioredis' retry limit.
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  const unavailable = (error: unknown): LivepipeError =>
    new LivepipeError(
      'LP_BROKER_UNAVAILABLE',
      `Redis at ${url} (for ${forWhat}) is unreachable: ${(error as Error).message}. Start it (e.g. \`redis-server --daemonize yes --port 6379\`) or fix the redis URL.`,
      { cause: error },
    );
  // The first attempt decides: later reconnects are ioredis' job.
  const failed = new Promise<never>((_, reject) => redis.once('error', (error) => reject(unavailable(error))));
  failed.catch(() => undefined);
  try {
    await Promise.race([redis.connect(), failed]);
    await Promise.race([redis.ping(), failed]);
  } catch (error) {
    redis.disconnect();
    throw error instanceof LivepipeError ? error : unavailable(error);
  }
  // ioredis reconnects by itself; say so instead of its "unhandled error event".
  redis.on('error', (error) => logger?.warn({ err: error, url }, 'Redis connection error; reconnecting'));
  return redis;
}
