// The worker-process side of distributed inference (`livepipe worker`): takes batch jobs from a
// model's BullMQ queue, runs them on the model, and pushes each batch's results onto the
// submitting router's result list. Any number of these may serve one queue, on any host.
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { LivepipeError } from '../../errors.js';
import type { ModelManifest } from '../../inference/model-manifest.js';
import { loadModelManifest } from '../../inference/model-registry.js';
import { ModelRunner, type BatchRun } from '../../inference/model-runner.js';
import type { ClassificationResult } from '../../inference/postprocessors/postprocessor.js';
import { InferencePool } from '../local/inference-pool.js';
import { MAX_WORKERS } from '../pool/model-pool.js';
import {
  checkBatchJobData,
  encodeBatchResult,
  isValidQueueName,
  QUEUE_NAME_RULE,
  QUEUE_PREFIX,
  RESULT_LIST_TTL_MS,
  resultListKey,
  type BatchJobData,
} from './job-protocol.js';
import { connectRedis } from './redis-connection.js';

export interface BatchWorkerOptions {
  manifestPath: string;
  /** redis://host:port[/db] */
  redis: string;
  /** Queue to serve; default: the model's name from its manifest. */
  queue?: string;
  /** Batch jobs run at once; default: threads. */
  concurrency?: number;
  /** 1: one ONNX session in this process; more: an in-process pool of that many worker threads. Default 1. */
  threads?: number;
  /**
   * How long a job stays locked to this worker without renewal; a worker that dies loses its jobs
   * to others after about this long (BullMQ's stalled check). Default 5 s.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs of dead workers; default lockDuration / 2. */
  stalledIntervalMs?: number;
  /** Times a batch may be recovered from a dead worker before it fails; default 2. */
  maxStalledCount?: number;
  logger?: Logger;
}

export interface BatchWorkerStats {
  batches: number;
  items: number;
  failedBatches: number;
}

interface BatchRunner {
  run(texts: readonly string[]): Promise<BatchRun>;
  close(): Promise<void>;
}

const DEFAULT_LOCK_DURATION_MS = 5000;

export class BatchWorker {
  /** What this worker serves, known after start(). */
  model = '';
  queueName = '';
  readonly name = `${hostname()}:${process.pid}`;
  private readonly options: BatchWorkerOptions;
  private readonly logger: Logger;
  private readonly threads: number;
  private readonly concurrency: number;
  private runner: BatchRunner | undefined;
  private redis: Redis | undefined;
  private worker: Worker<BatchJobData> | undefined;
  private closing: Promise<void> | undefined;
  private batches = 0;
  private items = 0;
  private failedBatches = 0;

  constructor(options: BatchWorkerOptions) {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WORKERS) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `--threads must be an integer 1-${MAX_WORKERS}, got ${String(options.threads)}`,
      );
    }
    const concurrency = options.concurrency ?? threads;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `--concurrency must be an integer >= 1, got ${String(options.concurrency)}`,
      );
    }
    if (options.queue !== undefined && !isValidQueueName(options.queue))
      throw new LivepipeError('LP_CONFIG_INVALID', `--queue "${options.queue}" must be ${QUEUE_NAME_RULE}`);
    const lock = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    if (!(lock >= 100))
      throw new LivepipeError('LP_CONFIG_INVALID', `--lock-duration must be at least 100 ms, got ${String(lock)}`);
    this.options = options;
    this.threads = threads;
    this.concurrency = concurrency;
    this.logger = options.logger ?? pino({ name: 'livepipe-worker', level: 'info' });
  }

  /** Loads the model, connects to Redis and starts taking jobs. */
  async start(): Promise<void> {
    const manifest = await loadModelManifest(this.options.manifestPath);
    this.model = manifest.name;
    this.queueName = this.options.queue ?? manifest.name;
    if (!isValidQueueName(this.queueName)) {
      throw new LivepipeError(
        'LP_CONFIG_INVALID',
        `model name "${this.queueName}" cannot be a queue name (${QUEUE_NAME_RULE}); pass --queue <name>`,
      );
    }
    this.runner = await this.openRunner(manifest);
    try {
      this.redis = await connectRedis(this.options.redis, `livepipe worker of model "${this.model}"`, this.logger);
    } catch (error) {
      await this.runner.close();
      throw error;
    }
    const lockDuration = this.options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    this.worker = new Worker<BatchJobData>(this.queueName, (job) => this.process(job), {
      connection: this.redis,
      prefix: QUEUE_PREFIX,
      name: this.name,
      concurrency: this.concurrency,
      lockDuration,
      stalledInterval: this.options.stalledIntervalMs ?? Math.max(50, Math.floor(lockDuration / 2)),
      maxStalledCount: this.options.maxStalledCount ?? 2,
      autorun: false,
    });
    this.worker.on('error', (error) => this.logger.warn({ err: error }, 'BullMQ worker error'));
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        { jobId: job?.id, attempt: job?.attemptsStarted, err: error },
        'batch job failed in this worker',
      ),
    );
    void this.worker.run().catch((error: unknown) => this.logger.error({ err: error }, 'BullMQ worker stopped'));
    await this.worker.waitUntilReady();
  }

  stats(): BatchWorkerStats {
    return { batches: this.batches, items: this.items, failedBatches: this.failedBatches };
  }

  describe(): string {
    return (
      `serving model "${this.model}" from ${this.options.manifestPath} on queue ${QUEUE_PREFIX}:${this.queueName} at ${this.options.redis} ` +
      `(worker ${this.name}, concurrency ${this.concurrency}, threads ${this.threads})`
    );
  }

  /** Finishes the jobs it is running, takes no new ones, then releases the model and the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close();
      await this.runner?.close();
      await this.redis?.quit().catch(() => this.redis?.disconnect());
    })();
    return this.closing;
  }

  private async process(job: Job<BatchJobData>): Promise<void> {
    let data: BatchJobData;
    try {
      data = checkBatchJobData(job.data);
    } catch (error) {
      // Retrying cannot fix malformed data; fail it at once so its router hears of it.
      throw new UnrecoverableError(`job ${job.id} is not a livepipe batch: ${(error as Error).message}`);
    }
    let run: BatchRun;
    try {
      run = await (this.runner as BatchRunner).run(data.texts);
    } catch (error) {
      this.failedBatches++;
      throw error;
    }
    const key = resultListKey(this.queueName, data.router);
    const message = encodeBatchResult({
      jobId: job.id as string,
      attempt: Math.max(1, job.attemptsStarted),
      worker: this.name,
      inferMs: run.inferMs,
      ids: data.ids,
      results: run.results,
      tokens:
        run.tokenCounts === undefined || run.sequenceLength === undefined
          ? undefined
          : { tokenCounts: Array.from(run.tokenCounts), sequenceLength: run.sequenceLength },
    });
    await (this.redis as Redis).multi().rpush(key, message).pexpire(key, RESULT_LIST_TTL_MS).exec();
    this.batches++;
    this.items += data.texts.length;
  }

  private async openRunner(manifest: ModelManifest): Promise<BatchRunner> {
    if (this.threads === 1) return ModelRunner.open(manifest);
    const pool = new InferencePool({
      manifestPath: manifest.manifestPath,
      workers: this.threads,
      maxBatch: 64,
      maxDelayMs: 1,
      queueLimit: 1_000_000,
    });
    await pool.start();
    return {
      async run(texts) {
        const started = performance.now();
        // The pool re-batches what concurrent jobs queue (up to 64 items, or after 1 ms) onto its threads.
        const answered = await Promise.all(texts.map((text, i) => pool.infer({ id: String(i), text })));
        const results = answered.map(
          ({ label, score, scores, moderation }): ClassificationResult =>
            moderation === undefined ? { label, score, scores } : { label, score, scores, moderation },
        );
        return { results, inferMs: performance.now() - started };
      },
      close: () => pool.close(),
    };
  }
}
