// A router's side of a model's BullMQ queue on Redis: adds batch jobs under this router's job ids,
// hears of its jobs that failed for good, pops the result messages workers push onto this router's
// own list, and reads the queue's depth and workers. Knows Redis and BullMQ, not items or batching.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LivepipeError } from '../../errors.js';
import { isValidQueueName, QUEUE_NAME_RULE, QUEUE_PREFIX, resultListKey, type BatchJobData } from './job-protocol.js';
import { connectRedis } from './redis-connection.js';
import { REDIS_URL, REDIS_URL_RULE } from '../../brokers/redis/redis-url.js';

export interface RouterQueueOptions {
  redis: string;
  queue: string;
  /** Who connects, for the message when Redis cannot be reached (e.g. 'model "chat-sentiment"'). */
  forWhat: string;
  /** Runs of a job before it fails for good. */
  attempts: number;
  /** First retry delay, doubled per attempt. */
  backoffMs: number;
  logger: Logger;
  /** Result messages popped from this router's list, as written (decoding is the caller's). */
  onResults(messages: readonly string[]): void;
  /** One of this router's jobs failed on its last attempt; it is removed from Redis afterwards. */
  onJobFailed(jobId: string, reason: string): void;
}

/** Jobs waiting (incl. delayed retries) and running, all routers; workers connected to the queue. */
export interface QueueDepth {
  waiting: number;
  active: number;
  /** BullMQ's connection names of the workers (…:w:<host>:<pid> for a `livepipe worker`). */
  workerNames: string[];
}

/** Result messages popped per round trip. */
const POP_COUNT = 256;
/** The result loop's blocking pop returns this often (s) to notice close(). */
const POP_BLOCK_S = 0.5;

export class RouterQueue {
  /** Unique per process and start, so a restarted router never takes an earlier run's results. */
  readonly routerId = `${hostname().replace(/[^A-Za-z0-9.-]/g, '')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly options: RouterQueueOptions;
  private readonly resultKey: string;
  private readonly jobPrefix: string;
  private readonly jobOptions: JobsOptions;
  private nextJob = 1;
  private commands: Redis | undefined;
  private results: Redis | undefined;
  private queue: Queue<BatchJobData> | undefined;
  private events: QueueEvents | undefined;
  private taking = false;
  private resultLoop: Promise<void> | undefined;

  constructor(options: RouterQueueOptions) {
    const invalid = (what: string): LivepipeError =>
      new LivepipeError('LP_CONFIG_INVALID', `${options.forWhat}: ${what}`);
    if (!isValidQueueName(options.queue))
      throw invalid(`distributed.queue "${options.queue}" must be ${QUEUE_NAME_RULE}`);
    if (!REDIS_URL.test(options.redis)) throw invalid(`distributed.redis "${options.redis}" must be ${REDIS_URL_RULE}`);
    if (!Number.isInteger(options.attempts) || options.attempts < 1)
      throw invalid(`distributed.attempts must be an integer >= 1, got ${String(options.attempts)}`);
    this.options = options;
    this.resultKey = resultListKey(options.queue, this.routerId);
    this.jobPrefix = `${this.routerId}-`;
    this.jobOptions = {
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: true,
      // Kept until this router has read why it failed (removed after onJobFailed).
      removeOnFail: false,
    };
  }

  /** Connects and starts taking results; throws LP_BROKER_UNAVAILABLE if Redis cannot be reached. */
  async open(): Promise<void> {
    const { queue, logger } = this.options;
    this.commands = await connectRedis(this.options.redis, this.options.forWhat, logger);
    this.results = this.commands.duplicate();
    this.results.on('error', (error) => logger.warn({ err: error }, 'Redis result connection error; reconnecting'));
    this.queue = new Queue<BatchJobData>(queue, { connection: this.commands, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(queue, {
      connection: this.commands.duplicate({ maxRetriesPerRequest: null }),
      prefix: QUEUE_PREFIX,
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      if (jobId.startsWith(this.jobPrefix)) void this.failedForGood(jobId, failedReason);
    });
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
    this.taking = true;
    this.resultLoop = this.takeResults();
  }

  /** A fresh job id of this router's. */
  nextJobId(): string {
    return `${this.jobPrefix}${this.nextJob++}`;
  }

  /** Adds the jobs in one round trip. */
  add(jobs: ReadonlyArray<{ jobId: string; data: BatchJobData }>): Promise<unknown> {
    const queue = this.queue as Queue<BatchJobData>;
    return queue.addBulk(jobs.map(({ jobId, data }) => ({ name: 'batch', data, opts: { ...this.jobOptions, jobId } })));
  }

  /** Removes a job nobody will wait for (a waiting one would still be run; an active one finishes). */
  remove(jobId: string): void {
    void this.queue
      ?.remove(jobId)
      .catch((error: unknown) => this.options.logger.warn({ err: error, jobId }, 'could not remove a job'));
  }

  async depth(): Promise<QueueDepth> {
    const queue = this.queue as Queue<BatchJobData>;
    const [counts, workers] = await Promise.all([
      queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active'),
      queue.getWorkers(),
    ]);
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      active: counts.active ?? 0,
      workerNames: workers.map((worker) => worker.rawname ?? ''),
    };
  }

  /** Stops taking results and disconnects (safe after a failed or partial open()). */
  async close(): Promise<void> {
    const { logger } = this.options;
    this.taking = false;
    // The results connection retries forever while Redis is down; disconnecting ends a pending pop, so
    // close() cannot hang on it.
    this.results?.disconnect();
    await this.resultLoop;
    await this.events?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing QueueEvents failed'));
    await this.queue?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the BullMQ queue failed'));
    await this.commands?.quit().catch(() => this.commands?.disconnect());
  }

  /** Pops result messages from this router's list until close(). */
  private async takeResults(): Promise<void> {
    const redis = this.results as Redis;
    while (this.taking) {
      let reply: [string, string[]] | null;
      try {
        reply = await redis.blmpop(POP_BLOCK_S, 1, this.resultKey, 'LEFT', 'COUNT', POP_COUNT);
      } catch (error) {
        if (!this.taking) return;
        this.options.logger.warn({ err: error }, 'reading results from Redis failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (reply !== null) this.options.onResults(reply[1]);
    }
  }

  private async failedForGood(jobId: string, reason: string): Promise<void> {
    const queue = this.queue as Queue<BatchJobData>;
    // 'failed' is also reported for an attempt that will be retried: only a job in the failed set is done.
    // Failed jobs are kept (removeOnFail: false), so 'unknown' means completed and removed, or removed by
    // the result timeout: neither is a failure to report (a lost job is caught by resultTimeout).
    const state = await queue.getJobState(jobId).catch(() => 'unknown' as const);
    if (state !== 'failed') return;
    this.options.onJobFailed(jobId, reason);
    this.remove(jobId);
  }
}
